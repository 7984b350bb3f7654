"""Where a request's time goes: py-spy samples one real gunicorn worker under wrk load.

    .venv/bin/python benchmarks/profile_http.py [--mode api|pages] [--seconds 10] [--top 25]

`api`: POST /api/v1/recommendations with a new random quiz on every request (bench_http.py's
distinct mode). `pages`: the quiz POST -> 303 -> results page round trip (bench_pages.py). One sync
worker, SQLite, wrk on loopback; py-spy (PyPI `py-spy`, needs ptrace) records the worker, and the
script prints the share of samples spent inside each of our request-path functions and the heaviest
frames overall (inclusive: a function's share counts the time of everything it calls).
"""

from __future__ import annotations

import argparse
import collections
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_http import distinct_script, gunicorn_server  # noqa: E402
from benchmarks.bench_pages import COUNTS_LUA, ROUND_TRIP_LUA, form_bodies, session_and_token  # noqa: E402

# Frames whose share is reported first: the steps of one request, by where they live.
WATCH = (
    "create_recommendation",
    "quiz_submit",
    "result",
    "recommend",
    "_recommend",
    "_rank",
    "_program_match",
    "_specialization_match",
    "to_api",
    "program_to_api",
    "dumps",
    "response",
    "render_template",
    "_finish_request",
    "emit",
    "add",
    "full_dispatch_request",
    "wsgi_app",
    "handle_request",
)


def worker_pid(master: int) -> int:
    """The one worker gunicorn forked from `master`."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                return int(stat.parent.name)
        time.sleep(0.2)
    raise SystemExit("no gunicorn worker found")


def summarise(raw: Path, top: int) -> None:
    """Inclusive share of samples per function (each counted once per stack) and self share."""
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = stack.split(";")
        # Idle samples (the sync worker waiting in select/accept) are not request time.
        if any(f.startswith(("sleep ", "wait_for_events", "select ", "accept ")) for f in frames[-2:]):
            continue
        total += n
        names = {f.split(" (")[0] for f in frames}
        for name in names:
            inclusive[name] += n
        own[frames[-1].split(" (")[0]] += n
    print(f"{total} busy samples")
    print("request-path functions (inclusive share of busy time):")
    for name in WATCH:
        if inclusive[name]:
            print(f"  {inclusive[name] / total:6.1%}  {name}")
    print(f"heaviest frames by own time (top {top}):")
    for name, n in own.most_common(top):
        print(f"  {n / total:6.1%}  {name}")
    print(f"heaviest frames inclusive (top {top}):")
    for name, n in inclusive.most_common(top):
        print(f"  {n / total:6.1%}  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("api", "pages"), default="api")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--keep", help="also write py-spy's raw (collapsed) stacks to this file")
    args = parser.parse_args()
    for tool in ("wrk", "py-spy"):
        if not shutil.which(tool) and not Path(sys.executable).with_name(tool).exists():
            raise SystemExit(f"{tool} is not installed (apt-get install wrk; pip install py-spy)")
    with (
        tempfile.TemporaryDirectory(prefix="memmatch-profile-") as tmp,
        gunicorn_server(1, Path(tmp)) as (base, master),
    ):
        workdir = Path(tmp)
        script = workdir / "load.lua"
        if args.mode == "api":
            script.write_text(distinct_script())
            connections = ["-t", "2", "-c", "8"]
        else:
            cookie, token = session_and_token(base)
            bodies = form_bodies(token, 200)
            script.write_text(
                COUNTS_LUA
                + ROUND_TRIP_LUA.replace("{BODIES}", "{" + ",".join(map(json.dumps, bodies)) + "}").replace(
                    "{COOKIE}", json.dumps(cookie)
                )
            )
            connections = ["-t", "4", "-c", "4"]
        subprocess.run(["wrk", *connections, "-d", "2s", "-s", str(script), base], capture_output=True, check=True)
        pid = worker_pid(master)
        raw = workdir / "stacks.txt"
        spy = str(Path(sys.executable).with_name("py-spy"))
        recorder = subprocess.Popen(
            [spy, "record", "--pid", str(pid), "--format", "raw", "--rate", "200", "--duration",
             str(args.seconds), "--output", str(raw), "--nonblocking"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        out = subprocess.run(
            ["wrk", *connections, "-d", f"{args.seconds}s", "-s", str(script), base],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        recorder.wait(timeout=60)
        rate = next((line for line in out.splitlines() if "Requests/sec" in line), "").strip()
        print(f"mode {args.mode}: 1 sync worker, wrk {' '.join(connections)}, {args.seconds}s: {rate}")
        if args.keep:
            shutil.copy(raw, args.keep)
        summarise(raw, args.top)


if __name__ == "__main__":
    main()
