"""Instructions per request, counted by valgrind, for two source trees side by side (issue 12).

    git archive <ref> | tar -x -C /tmp/ref
    .venv/bin/python benchmarks/instructions.py /tmp/ref . [--jobs 2]

On a shared or virtual machine, requests per second move by 15% or more between identical runs;
the instructions a request executes do not (valgrind's callgrind counts them, the same count for the
same code and inputs whatever else runs). Each tree's app is called in-process through WSGI (no
gunicorn, no sockets), with SQLite and its model trained once beforehand, the request log on (to
/dev/null); only the loop of requests is counted, twice (N and 3N requests) so that start-up and
the toggling cancel out. Printed per tree: instructions per request for

  healthz    GET /healthz
  repeat     POST /api/v1/recommendations, 20 quizzes repeating (the recent-answer cache serves them)
  distinct   POST /api/v1/recommendations, a new random quiz each time (the headline)
  round_trip the quiz form POST (CSRF token, session cookie) + GET of the results page it links to,
             20 quizzes repeating, as bench_pages.py's round trip
  page       GET of a stored results page (the same 20)

and the ratios the goals are stated in (healthz / distinct; page / round_trip). Gunicorn's own
work (~0.3-0.4 ms of CPU a request here, the same for every path) is not in these counts, so the
in-process ratios are lower than served ones; bench_http.py and bench_pages.py measure that.
Needs valgrind (Debian package); takes a few minutes.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

MODES = ("healthz", "repeat", "distinct", "round_trip", "page")

CHILD = r"""
import json, logging, os, random, re, subprocess, sys
root, mode, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path[:0] = [root, root + "/benchmarks"]
import recommender
assert recommender.__file__.startswith(root), recommender.__file__
sys.stderr = open(os.devnull, "w")  # the JSON log lines are formatted and written, to nowhere
from wsgi import app
from werkzeug.test import EnvironBuilder
from bench_ranking import random_answers
from bench_pages import form_bodies

def call(environ):
    status = []
    body = app(environ, lambda s, h, e=None: status.append((s, dict(h))))
    b"".join(body)
    body.close()
    return status[0]

def api(body):
    return EnvironBuilder(path="/api/v1/recommendations", method="POST", data=body,
                          content_type="application/json").get_environ()

rng = random.Random(5)
quizzes = [json.dumps(random_answers(rng).to_dict()).encode() for _ in range(n + 300)]
client = app.test_client()
first = client.get("/")
cookie = first.headers["Set-Cookie"].split(";", 1)[0]
token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', first.data).group(1).decode()
forms = form_bodies(token, 20)

def form(body):
    return EnvironBuilder(path="/", method="POST", data=body, headers={"Cookie": cookie},
                          content_type="application/x-www-form-urlencoded").get_environ()

links = [call(form(b))[1]["Location"] for b in forms]

def page(i):
    return EnvironBuilder(path=links[i % 20], headers={"Cookie": cookie}).get_environ()

for body in quizzes[:300]:
    call(api(body))
for i in range(60):
    call(form(forms[i % 20])); call(page(i)); call(EnvironBuilder(path="/healthz").get_environ())
if mode == "healthz":
    steps = [[EnvironBuilder(path="/healthz").get_environ()] for _ in range(n)]
elif mode == "repeat":
    steps = [[api(quizzes[i % 20])] for i in range(n)]
elif mode == "distinct":
    steps = [[api(body)] for body in quizzes[300:]]
elif mode == "round_trip":
    steps = [[form(forms[i % 20]), page(i)] for i in range(n)]
else:
    steps = [[page(i)] for i in range(n)]
import gc
gc.freeze()
subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], capture_output=True)
for step in steps:
    for environ in step:
        call(environ)
subprocess.run(["callgrind_control", "-i", "off", str(os.getpid())], capture_output=True)
"""


def app_env(workdir: Path) -> dict[str, str]:
    """One tree's app settings: its own SQLite file and models folder in `workdir`."""
    return {
        **os.environ,
        "MEMMATCH_ENV": "development",
        "SECRET_KEY": "bench",
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "MODELS_DIR": str(workdir / "models"),
        "SUBMISSION_WRITE_MODE": "background",
    }


def run(tree: Path, workdir: Path, mode: str, n: int) -> int:
    env = app_env(workdir)
    out_file = workdir / f"callgrind.{mode}.{n}"
    cmd = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out_file}"]
    done = subprocess.run(
        [*cmd, sys.executable, "-c", CHILD, str(tree), mode, str(n)], capture_output=True, text=True, env=env, cwd=tree
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode or not found:
        raise SystemExit(f"{tree} {mode}: valgrind run failed:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def per_request(tree: Path, workdir: Path, mode: str, n: int) -> float:
    return (run(tree, workdir, mode, 3 * n) - run(tree, workdir, mode, n)) / (2 * n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--requests", type=int, default=100, help="N: the loops count N and 3N requests")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    if not shutil.which("valgrind"):
        raise SystemExit("valgrind is not installed: apt-get install valgrind")
    trees = [args.before.resolve(), args.after.resolve()]
    base = Path(tempfile.mkdtemp(prefix="memmatch-instructions-"))
    dirs = {tree: base / f"tree{i}" for i, tree in enumerate(trees)}
    for tree, workdir in dirs.items():  # first start: migrate and train, outside valgrind
        workdir.mkdir()
        first_start = [sys.executable, "-c", "import wsgi"]
        subprocess.run(first_start, cwd=tree, env=app_env(workdir), check=True, capture_output=True)
    jobs = [(tree, mode) for tree in trees for mode in MODES]
    with ThreadPoolExecutor(args.jobs) as pool:
        found = pool.map(lambda job: per_request(job[0], dirs[job[0]], job[1], args.requests), jobs)
        counts = dict(zip(jobs, found, strict=True))
    print(f"instructions per request (callgrind, in-process WSGI, N={args.requests} and {3 * args.requests})")
    print(f"{'':>12}" + "".join(f"{mode:>12}" for mode in MODES) + f"{'healthz/distinct':>18}{'page/round trip':>17}")
    for tree in trees:
        c = {mode: counts[tree, mode] for mode in MODES}
        row = "".join(f"{c[mode] / 1e6:>11.3f}M" for mode in MODES)
        ratios = f"{c['healthz'] / c['distinct']:>18.2f}{c['page'] / c['round_trip']:>17.2f}"
        print(f"{tree.name or str(tree):>12}{row}{ratios}")
    for mode in MODES:
        before, after = counts[trees[0], mode], counts[trees[1], mode]
        print(f"{mode:>12}: after / before {after / before:.2f}")


if __name__ == "__main__":
    main()
