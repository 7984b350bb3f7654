"""HTTP benchmark: POST /api/v1/recommendations against GET /healthz on one real gunicorn.

    .venv/bin/python benchmarks/bench_http.py [--workers 2] [--seconds 10] [--rounds 3]
                                              [--connections 16] [--database-url URL]

Both endpoints are measured side by side in one run, in alternating rounds on the same server,
with wrk (Debian package `wrk`) as the load generator on loopback. Prints requests/s of each
and their ratio for two API loads: 20 quizzes repeating (what a per-process cache of recent
recommendations serves) and a new random quiz on every request (all real work; the headline,
goal >= 0.8, issue 12).
Every API request also stores its submission row. Each run also reads the server's CPU time
(/proc) and prints CPU per request: on a shared machine the throughput ratio moves with the
neighbours' load, the CPU a request costs the server hardly does, so both are reported.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LUA = """
local bodies = {BODIES}
local i = 0
PATH = os.getenv("BENCH_PATH") or "/api/v1/recommendations"
request = function()
  i = i % #bodies + 1
  return wrk.format("POST", PATH, {["Content-Type"] = "application/json"}, bodies[i])
end
done = function(summary, latency, requests)
  io.write(string.format("NON2XX %d\\n", summary.errors.status))
end
"""


# Every request a fresh random quiz: about 10^10 combinations, so no cache can help.
LUA_DISTINCT = """
math.randomseed(os.time())
local interests = {INTERESTS}
local fields = {FIELDS}
local budgets = {"null", "30000", "50000", "75000", "100000"}
local function pick(list) return list[math.random(#list)] end
request = function()
  local chosen, seen, n = {}, {}, math.random(3)
  while #chosen < n do
    local v = pick(interests)
    if not seen[v] then seen[v] = true; chosen[#chosen + 1] = '"' .. v .. '"' end
  end
  local parts = {'"interests":[' .. table.concat(chosen, ",") .. ']',
                 '"experience_years":' .. math.random(0, 50), '"max_budget_usd":' .. pick(budgets)}
  for name, values in pairs(fields) do parts[#parts + 1] = '"' .. name .. '":"' .. pick(values) .. '"' end
  return wrk.format("POST", "/api/v1/recommendations", {["Content-Type"] = "application/json"},
                    "{" .. table.concat(parts, ",") .. "}")
end
"""


def lua_list(values) -> str:
    return "{" + ",".join(json.dumps(v) for v in values) + "}"


def distinct_script() -> str:
    from recommender.domain import quiz

    fields = ", ".join(f"{name} = {lua_list(options)}" for name, options in quiz.CHOICE_FIELDS.items())
    return LUA_DISTINCT.replace("{INTERESTS}", lua_list(quiz.INTERESTS)).replace("{FIELDS}", "{" + fields + "}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server did not become ready at {url}")


def sample_bodies(n: int = 20) -> list[str]:
    from benchmarks.bench_ranking import random_answers

    rng = random.Random(3)
    return [json.dumps(random_answers(rng).to_dict()) for _ in range(n)]


def server_cpu_seconds(master: int) -> float:
    """CPU time (user + system) used so far by the gunicorn master's worker processes."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


# The server's CPU time per request: on a machine shared with other work, throughput moves with
# the neighbours' load, while the CPU a request costs the server barely does. Set by main().
SERVER_PID = 0
LAST_CPU_US: list[float] = [0.0]


def run_wrk(url: str, seconds: int, connections: int, script: Path | None = None) -> tuple[float, int, float]:
    """Requests/s, non-2xx count and median latency (ms) of one wrk run."""
    cmd = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency"]
    if script:
        cmd += ["-s", str(script)]
    cpu_before = server_cpu_seconds(SERVER_PID) if SERVER_PID else 0.0
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    done = re.search(r"(\d+) requests in", out)
    if SERVER_PID and done and int(done.group(1)):
        LAST_CPU_US[0] = (server_cpu_seconds(SERVER_PID) - cpu_before) / int(done.group(1)) * 1e6
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = int(non2xx.group(1)) if non2xx else 0
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if socket_errors:
        errors += sum(int(x) for x in socket_errors.groups())
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p50.group(2)]
    return rps, errors, float(p50.group(1)) * scale


@contextlib.contextmanager
def gunicorn_server(
    workers: int,
    workdir: Path,
    threads: int = 1,
    extra: Sequence[str] = (),
    *,
    app: str = "wsgi:app",
    database_url: str = "",
    env: dict[str, str] | None = None,
) -> Iterator[tuple[str, int]]:
    """A real gunicorn serving `app` on a free loopback port: its base URL and the master's pid.

    A fresh SQLite database in `workdir` unless `database_url`; first start migrates and trains a
    version (the README's one-command start), then serves. `extra`: more gunicorn flags (they win
    over gunicorn.conf.py); `env`: more environment. The app's JSON request lines go to
    `workdir/server.log`.
    """
    port = free_port()
    server_env = {
        **os.environ,
        "MEMMATCH_ENV": "development",
        "SECRET_KEY": "bench",
        "DATABASE_URL": database_url or f"sqlite:///{workdir / 'bench.sqlite3'}",
        "MODELS_DIR": str(workdir / "models"),
        # gunicorn reads ./gunicorn.conf.py, which recycles workers; a worker recycled mid-run
        # would measure a cold start and reset its CPU counters.
        "GUNICORN_MAX_REQUESTS": "0",
        # threads > 1: gunicorn.conf.py switches to gthread workers, which keep connections alive.
        "GUNICORN_THREADS": str(threads),
        **(env or {}),
    }
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--preload", "--error-logfile", str(workdir / "gunicorn.log"), *extra, app],
        cwd=ROOT, env=server_env, start_new_session=True, stdout=subprocess.DEVNULL,
        stderr=(workdir / "server.log").open("wb"),
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(f"{base}/healthz")
        yield base, server.pid
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")

    global SERVER_PID
    with (
        tempfile.TemporaryDirectory(prefix="memmatch-bench-") as tmp,
        gunicorn_server(args.workers, Path(tmp), database_url=args.database_url) as (base, master),
    ):
        SERVER_PID, workdir = master, Path(tmp)
        script = workdir / "post.lua"
        bodies = sample_bodies()
        script.write_text(LUA.replace("{BODIES}", "{" + ",".join(json.dumps(b) for b in bodies) + "}"))
        distinct = workdir / "distinct.lua"
        distinct.write_text(distinct_script())
        run_wrk(f"{base}/healthz", 2, args.connections)  # warm-up
        run_wrk(base, 2, args.connections, script)
        ratios, distinct_ratios, health_rates, api_rates, errors = [], [], [], [], 0
        cpu: dict[str, list[float]] = {"healthz": [], "repeating": [], "distinct": []}
        print(f"gunicorn: {args.workers} sync workers, {args.connections} connections, {args.seconds}s per run, "
              f"database {'PostgreSQL' if args.database_url.startswith('postgres') else 'SQLite'}")  # fmt: skip
        for round_no in range(1, args.rounds + 1):
            h_rps, h_err, h_p50 = run_wrk(f"{base}/healthz", args.seconds, args.connections)
            cpu["healthz"].append(LAST_CPU_US[0])
            a_rps, a_err, a_p50 = run_wrk(base, args.seconds, args.connections, script)
            cpu["repeating"].append(LAST_CPU_US[0])
            d_rps, d_err, d_p50 = run_wrk(base, args.seconds, args.connections, distinct)
            cpu["distinct"].append(LAST_CPU_US[0])
            errors += h_err + a_err + d_err
            health_rates.append(h_rps)
            api_rates.append(a_rps)
            ratios.append(a_rps / h_rps)
            distinct_ratios.append(d_rps / h_rps)
            print(f"round {round_no}: GET /healthz {h_rps:7.1f} req/s (p50 {h_p50:.2f} ms) | POST recommendations, "
                  f"20 repeating quizzes {a_rps:7.1f} req/s (p50 {a_p50:.2f} ms), ratio {a_rps / h_rps:.2f} | "
                  f"a new random quiz each request {d_rps:7.1f} req/s (p50 {d_p50:.2f} ms), "
                  f"ratio {d_rps / h_rps:.2f} | server CPU per request: healthz {cpu['healthz'][-1]:.0f} us, "
                  f"repeating {cpu['repeating'][-1]:.0f} us, distinct {cpu['distinct'][-1]:.0f} us")  # fmt: skip
        print(f"median ratio to /healthz: repeating quizzes {statistics.median(ratios):.2f}, "
              f"distinct quizzes {statistics.median(distinct_ratios):.2f} (goal: distinct >= 0.8); "
              f"non-2xx or socket errors {errors}")  # fmt: skip
        med = {k: statistics.median(v) for k, v in cpu.items()}
        print(f"median server CPU per request: healthz {med['healthz']:.0f} us, repeating {med['repeating']:.0f} us, "
              f"distinct {med['distinct']:.0f} us; CPU ratio healthz/API: repeating "
              f"{med['healthz'] / med['repeating']:.2f}, distinct {med['healthz'] / med['distinct']:.2f}; "
              f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")  # fmt: skip


if __name__ == "__main__":
    main()
