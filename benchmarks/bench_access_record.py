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
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import bench_http  # noqa: E402
from benchmarks.bench_http import gunicorn_server  # noqa: E402

SERVERS = {"project logger": [], "gunicorn's Logger": ["--logger-class", "gunicorn.glogging.Logger"]}


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
            bases = {
                name: stack.enter_context(gunicorn_server(1, workdirs[name], extra=extra))
                for name, extra in SERVERS.items()
            }
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
