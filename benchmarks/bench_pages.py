"""HTML benchmark: the quiz POST -> 303 -> results page round trip against plain pages of the same size.

    .venv/bin/python benchmarks/bench_pages.py [--workers 1] [--seconds 5] [--rounds 3] [--connections 4]

One real gunicorn (sync workers) on 127.0.0.1, SQLite in a temporary folder, wrk (Debian package
`wrk`) on loopback as the load generator, all measured side by side in alternating rounds:

  A. round trip: POST / with a CSRF token and session cookie (as a browser sends the quiz), then
     GET the 303's Location, the results page. One round trip = two HTTP requests.
  B. plain template page of the same size: GET of an already stored results page (same template,
     same bytes; it still ranks, as every permanent link does).
  C. the same bytes as a static file through Flask's static route (no template, no ranking): the
     ceiling of what this server can send at this size.

Prints round trips/s of A against pages/s of B and C, and the ratios (goal A/B >= 0.8).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_http import gunicorn_server, server_cpu_seconds  # noqa: E402
from benchmarks.bench_ranking import random_answers  # noqa: E402

STATIC_DIR = ROOT / "recommender" / "static"

ROUND_TRIP_LUA = """
local bodies = {BODIES}
local cookie = {COOKIE}
local i = 0
local location = nil
request = function()
  if location then
    local path = location
    location = nil
    return wrk.format("GET", path, {["Cookie"] = cookie})
  end
  i = i % #bodies + 1
  return wrk.format("POST", "/", {["Content-Type"] = "application/x-www-form-urlencoded",
                                  ["Cookie"] = cookie}, bodies[i])
end
-- One connection per wrk thread, so `location` always belongs to this connection's last POST.
posts, gets, bad = 0, 0, 0
response = function(status, headers, body)
  if status == 303 then
    posts = posts + 1
    location = headers["Location"]:gsub("^https?://[^/]+", "")
  elseif status == 200 then
    gets = gets + 1
  else
    bad = bad + 1
  end
end
"""
COUNTS_LUA = """
local threads = {}
setup = function(thread) table.insert(threads, thread) end
done = function(summary, latency, requests)
  local p, g, b = 0, 0, 0
  for _, t in ipairs(threads) do
    p = p + (t:get("posts") or 0); g = g + (t:get("gets") or 0); b = b + (t:get("bad") or 0)
  end
  io.write(string.format("POSTS %d GETS %d BAD %d\\n", p, g, b))
end
"""
PAGES_LUA = """
local paths = {PATHS}
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
posts, gets, bad = 0, 0, 0
response = function(status, headers, body)
  if status == 200 then gets = gets + 1 else bad = bad + 1 end
end
"""


def run_wrk(url: str, seconds: int, connections: int, script: Path, master: int = 0) -> tuple[float, int, float, float]:
    """Pages (or round trips) per second, failures, median request latency (ms) and the server's
    CPU time per page (µs, user + system of `master`'s workers; 0 without `master`) of one run.

    wrk runs one thread per connection so each connection keeps its own Lua state.
    """
    cpu_before = server_cpu_seconds(master) if master else 0.0
    cmd = ["wrk", "-t", str(connections), "-c", str(connections), "-d", f"{seconds}s", "--latency", "-s",
           str(script), url]  # fmt: skip
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    posts, gets, bad = (int(x) for x in re.search(r"POSTS (\d+) GETS (\d+) BAD (\d+)", out).groups())
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    bad += sum(int(x) for x in socket_errors.groups()) if socket_errors else 0
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    latency = float(p50.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p50.group(2)]
    cpu = (server_cpu_seconds(master) - cpu_before) / max(gets, 1) * 1e6 if master else 0.0
    # Completed pages: for the round trip, a results page that followed its POST.
    return rps * gets / max(posts + gets, 1), bad, latency, cpu


def fetch(base: str, method: str, path: str, body: str = "", headers: dict[str, str] | None = None):
    """One request on loopback; returns (status, headers, body bytes)."""
    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request(method, path, body=body or None, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def session_and_token(base: str) -> tuple[str, str]:
    """A browser's session cookie and the quiz's CSRF token, as the quiz page hands them out."""
    status, headers, body = fetch(base, "GET", "/")
    assert status == 200, status
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body).group(1).decode()
    return cookie, token


def form_bodies(token: str, n: int) -> list[str]:
    """`n` different quizzes, url-encoded as the quiz form posts them."""
    rng = random.Random(11)
    bodies = []
    for _ in range(n):
        answers = random_answers(rng)
        pairs = [("csrf_token", token)] + [("interests", i) for i in answers.interests]
        for name in ("background", "goal", "industry", "format", "pace", "region"):
            pairs.append((name, getattr(answers, name)))
        pairs.append(("experience_years", str(answers.experience_years)))
        pairs.append(("max_budget_usd", "" if answers.max_budget_usd is None else str(answers.max_budget_usd)))
        bodies.append(urllib.parse.urlencode(pairs))
    return bodies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1, help="> 1: gthread workers with keep-alive")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--quizzes", type=int, default=20, help="distinct quiz answers cycled through")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")

    workdir = Path(tempfile.mkdtemp(prefix="memmatch-bench-pages-"))
    static_copy = STATIC_DIR / f"bench-page-{os.getpid()}.html"
    try:
        with gunicorn_server(args.workers, workdir, args.threads) as (base, master):
            cookie, token = session_and_token(base)
            bodies = form_bodies(token, args.quizzes)
            form_headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
            paths, sizes = [], []
            for body in bodies:
                status, headers, _ = fetch(base, "POST", "/", body, form_headers)
                assert status == 303, f"quiz POST answered {status}"
                path = urllib.parse.urlsplit(headers["Location"]).path
                status, _, page = fetch(base, "GET", path, headers={"Cookie": cookie})
                assert status == 200, f"results page answered {status}"
                paths.append(path)
                sizes.append(len(page))
            # C: the median-sized results page, byte for byte, as a static file.
            static_copy.write_bytes(fetch(base, "GET", paths[sizes.index(sorted(sizes)[len(sizes) // 2])])[2])
            static_path = f"/static/{static_copy.name}"
            assert fetch(base, "GET", static_path)[0] == 200

            scripts = {
                "round trip": COUNTS_LUA
                + ROUND_TRIP_LUA.replace("{BODIES}", "{" + ",".join(map(json.dumps, bodies)) + "}").replace(
                    "{COOKIE}", json.dumps(cookie)
                ),
                "stored results": COUNTS_LUA
                + PAGES_LUA.replace("{PATHS}", "{" + ",".join(map(json.dumps, paths)) + "}"),
                "static file": COUNTS_LUA + PAGES_LUA.replace("{PATHS}", "{" + json.dumps(static_path) + "}"),
            }
            files = {}
            for name, text in scripts.items():
                files[name] = workdir / f"{name.replace(' ', '-')}.lua"
                files[name].write_text(text)
            for name in scripts:  # warm-up
                run_wrk(base, 1, args.connections, files[name])

            kind = f"gthread worker(s) x {args.threads} threads" if args.threads > 1 else "sync worker(s)"
            print(f"gunicorn: {args.workers} {kind}, wrk {args.connections} connections, "
                  f"{args.seconds}s per run, SQLite, submissions written in the background")  # fmt: skip
            print(f"results page: {min(sizes):,}-{max(sizes):,} bytes (median {statistics.median(sizes):,.0f}); "
                  f"{args.quizzes} distinct quizzes")  # fmt: skip
            rates: dict[str, list[float]] = {name: [] for name in scripts}
            cpus: dict[str, list[float]] = {name: [] for name in scripts}
            ratios: list[float] = []
            cpu_ratios: list[float] = []
            errors = 0
            for round_no in range(1, args.rounds + 1):
                line = []
                for name in scripts:
                    per_page, errs, p50, cpu = run_wrk(base, args.seconds, args.connections, files[name], master)
                    errors += errs
                    rates[name].append(per_page)
                    cpus[name].append(cpu)
                    line.append(f"{name} {per_page:7.1f}/s (p50 {p50:.2f} ms, server CPU {cpu:,.0f} µs a page)")
                ratios.append(rates["round trip"][-1] / rates["stored results"][-1])
                cpu_ratios.append(cpus["stored results"][-1] / cpus["round trip"][-1])
                print(
                    f"round {round_no}: " + " | ".join(line) + f" | ratio {ratios[-1]:.2f}, by CPU {cpu_ratios[-1]:.2f}"
                )
            trip = statistics.median(rates["round trip"])
            stored = statistics.median(rates["stored results"])
            static = statistics.median(rates["static file"])
            print(f"median: quiz POST -> results {trip:.1f} round trips/s; stored results page {stored:.1f} pages/s; "
                  f"same bytes as a static file {static:.1f} pages/s")  # fmt: skip
            print(f"ratio round trip / stored results page: {trip / stored:.2f} of the medians, "
                  f"{statistics.median(ratios):.2f} median of the paired rounds (goal >= 0.8); "
                  f"round trip / static file: {trip / static:.2f}; non-2xx/3xx or socket errors: {errors}")  # fmt: skip
            trip_cpu = statistics.median(cpus["round trip"])
            stored_cpu = statistics.median(cpus["stored results"])
            print(f"server CPU: {trip_cpu:,.0f} µs a round trip, {stored_cpu:,.0f} µs a stored results page; "
                  f"ratio {stored_cpu / trip_cpu:.2f} of the medians, {statistics.median(cpu_ratios):.2f} median "
                  "of the paired rounds (what the server could serve with the cores to itself)")  # fmt: skip
    finally:
        static_copy.unlink(missing_ok=True)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
