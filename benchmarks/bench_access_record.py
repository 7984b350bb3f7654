"""What gunicorn's unused access record cost each request: the project's logger against gunicorn's.

    .venv/bin/python benchmarks/bench_access_record.py [--seconds 5] [--rounds 5] [--path /healthz]

Two real gunicorns (one sync worker each, the project's gunicorn.conf.py, SQLite) side by side:
one with the project's logger class (no access record unless an access log is set), one with
`--logger-class gunicorn.glogging.Logger`, which builds a record of every request's headers because
`logconfig_dict` is set, then drops it (no handler takes it). wrk loads each in alternating rounds;
printed per round and as medians: requests/s and the worker's CPU time (user + system, /proc) per
request, and the difference.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import bench_http  # noqa: E402

SERVERS = {"project logger": [], "gunicorn's Logger": ["--logger-class", "gunicorn.glogging.Logger"]}


@contextlib.contextmanager
def server(workdir: Path, extra: list[str]) -> Iterator[tuple[str, int]]:
    """One gunicorn on a free port, reading the project's gunicorn.conf.py; its URL and pid."""
    port = bench_http.free_port()
    env = {
        **os.environ,
        "MEMMATCH_ENV": "development",
        "SECRET_KEY": "bench",
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "MODELS_DIR": str(workdir / "models"),
        "GUNICORN_MAX_REQUESTS": "0",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "-c", "gunicorn.conf.py", *extra, "wsgi:app"],
        cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        bench_http.wait_ready(f"{base}/healthz")
        yield base, process.pid
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--path", default="/healthz")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    workdirs = {name: Path(tempfile.mkdtemp(prefix="memmatch-bench-log-")) for name in SERVERS}
    rates: dict[str, list[float]] = {name: [] for name in SERVERS}
    cpus: dict[str, list[float]] = {name: [] for name in SERVERS}
    try:
        with contextlib.ExitStack() as stack:
            bases = {name: stack.enter_context(server(workdirs[name], extra)) for name, extra in SERVERS.items()}
            for base, _ in bases.values():
                bench_http.run_wrk(base + args.path, 1, args.connections)  # warm-up
            print(f"gunicorn: 1 sync worker each, GET {args.path}, wrk {args.connections} connections, "
                  f"{args.seconds}s per run")  # fmt: skip
            for round_no in range(1, args.rounds + 1):
                line = []
                for name, (base, pid) in bases.items():
                    bench_http.SERVER_PID = pid
                    rps, errors, _ = bench_http.run_wrk(base + args.path, args.seconds, args.connections)
                    if errors:
                        raise SystemExit(f"{name}: {errors} failed requests")
                    rates[name].append(rps)
                    cpus[name].append(bench_http.LAST_CPU_US[0])
                    line.append(f"{name} {rps:7.1f} req/s, {cpus[name][-1]:5.0f} µs CPU a request")
                print(f"round {round_no}: " + " | ".join(line))
        project, plain = (statistics.median(cpus[name]) for name in SERVERS)
        print("median: " + " | ".join(f"{name} {statistics.median(rates[name]):.1f} req/s, "
              f"{statistics.median(cpus[name]):.0f} µs CPU a request" for name in SERVERS))  # fmt: skip
        print(f"the access record gunicorn builds and drops: {plain - project:.0f} µs CPU a request "
              f"({(plain - project) / plain:.0%} of {args.path}); load average "
              f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")  # fmt: skip
    finally:
        for workdir in workdirs.values():
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
