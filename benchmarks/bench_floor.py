"""The floor under issue 12's headline: what a POST answered with no work at all costs this server.

    .venv/bin/python benchmarks/bench_floor.py [--workers 2] [--seconds 5] [--rounds 3] [--connections 16]

One real gunicorn (the app as `wsgi.py` builds it, with `gunicorn.conf.py`, SQLite in a temporary
folder) and wrk on loopback, as `bench_http.py` runs them. Four loads, measured in alternating
rounds on the same server and workers:

  healthz  GET /healthz, the goal's yardstick
  api      POST /api/v1/recommendations with a new random quiz each request (bench_http's headline)
  flask    the same bodies POSTed to a Flask view under /api/ (so the app's hooks treat it as the
           API) that does no work: it reads and parses the body as the API does and answers with
           a fixed body, one real answer's bytes made once at start
  raw      the same as `flask` in a bare WSGI function in front of Flask: no request context, no
           hooks, no security headers, no log line

`flask` and `raw` exist only in this benchmark's own module (written to a temporary folder); the
app serves neither. Prints requests/s, the ratio to /healthz and the server's CPU per request of
each. If `flask` stays under 0.8, no work on ranking, reasons or encoding can bring `api` to 0.8
while the API is a Flask view, since the API does everything `flask` does and more.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import bench_http  # noqa: E402
from benchmarks.bench_http import LAST_CPU_US, distinct_script, gunicorn_server, run_wrk, sample_bodies  # noqa: E402

API_PATH = "/api/v1/recommendations"

# Imported by gunicorn from the temporary folder; `wsgi` is the project's own module (cwd).
FLOOR_APP = """
import orjson
from wsgi import app
from recommender.extensions import csrf
from recommender.web.bodies import read_limited

LIMIT = app.config["API_MAX_BODY_BYTES"]
ANSWER = [b""]


@csrf.exempt
def floor():
    orjson.loads(read_limited(LIMIT))
    return app.response_class(ANSWER[0], mimetype="application/json")


app.add_url_rule("/api/_floor/flask", "floor", floor, methods=["POST"])
ANSWER[0] = app.test_client().post("{API_PATH}", json={QUIZ}).data
inner = app.wsgi_app


def raw(environ, start_response):
    if environ["PATH_INFO"] != "/_floor/raw":
        return inner(environ, start_response)
    orjson.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(ANSWER[0])))])
    return [ANSWER[0]]


app.wsgi_app = raw
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    with tempfile.TemporaryDirectory(prefix="memmatch-floor-") as tmp:
        workdir = Path(tmp)
        module = FLOOR_APP.replace("{API_PATH}", API_PATH).replace("{QUIZ}", sample_bodies(1)[0])
        (workdir / "floor_app.py").write_text(module)
        env = {"PYTHONPATH": os.pathsep.join([str(ROOT), str(workdir)])}
        with gunicorn_server(args.workers, workdir, app="floor_app:app", env=env) as (base, master):
            bench_http.SERVER_PID = master
            measure(args, workdir, base)


def measure(args: argparse.Namespace, workdir: Path, base: str) -> None:
    """The warm-up and the rounds, on the server at `base`."""
    scripts = {}
    for name, path in (("api", API_PATH), ("flask", "/api/_floor/flask"), ("raw", "/_floor/raw")):
        scripts[name] = workdir / f"{name}.lua"
        scripts[name].write_text(distinct_script().replace(f'"{API_PATH}"', f'"{path}"'))
    loads = {"healthz": None, **scripts}
    urls = {name: base + ("/healthz" if script is None else "") for name, script in loads.items()}
    for name, script in loads.items():  # warm-up, and a check that every load answers 2xx
        _, errors, _ = run_wrk(urls[name], 1, args.connections, script)
        if errors:
            log = (workdir / "server.log").read_text(errors="replace")[-1500:]
            raise SystemExit(f"{name}: {errors} non-2xx or socket errors in the warm-up; the server said:\n{log}")
    rates: dict[str, list[float]] = {name: [] for name in loads}
    cpu: dict[str, list[float]] = {name: [] for name in loads}
    request = urllib.request.Request(base + "/_floor/raw", data=sample_bodies(1)[0].encode(), method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        size = len(response.read())
    print(f"gunicorn: {args.workers} sync workers, {args.connections} connections, {args.seconds}s per run; "
          f"api, flask and raw get a new random quiz each request; the fixed answer is {size:,} bytes")  # fmt: skip
    for round_no in range(1, args.rounds + 1):
        parts = []
        for name, script in loads.items():
            rps, errors, _ = run_wrk(urls[name], args.seconds, args.connections, script)
            if errors:
                raise SystemExit(f"{name}: {errors} non-2xx or socket errors")
            rates[name].append(rps)
            cpu[name].append(LAST_CPU_US[0])
            parts.append(f"{name} {rps:7.1f} req/s ({LAST_CPU_US[0]:.0f} us CPU)")
        print(f"round {round_no}: " + " | ".join(parts))
    health = statistics.median(rates["healthz"])
    for name in loads:
        ratios = [r / h for r, h in zip(rates[name], rates["healthz"], strict=True)]
        print(f"{name:8} median {statistics.median(rates[name]):7.1f} req/s, ratio to /healthz "
              f"{statistics.median(ratios):.2f}, server CPU {statistics.median(cpu[name]):.0f} us "
              "a request")  # fmt: skip
    print(f"(goal: api >= 0.8 x /healthz; /healthz median {health:.1f} req/s; "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())})")  # fmt: skip


if __name__ == "__main__":
    main()
