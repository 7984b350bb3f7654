"""Slow clients against a three-worker node: straight at gunicorn vs behind deploy/nginx.conf.

Three clients start a request and then send the rest a byte at a time; meanwhile /healthz is
probed every 0.2 s. Straight at gunicorn the three hold its three sync workers and /healthz stops
answering; behind nginx, which reads requests whole before passing them on, it does not notice.

    .venv/bin/python benchmarks/bench_slow_clients.py [--seconds 6] [--kind headers|body]
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.nginx_stack import NGINX, Stack

OPENINGS = {
    "headers": b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ",
    "body": b"POST /api/v1/recommendations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    b"Content-Length: 2000\r\n\r\n[",
}


def drip(port: int, kind: str, stop: threading.Event) -> None:
    """One slow client: the start of a request, then one byte a second until told to stop."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(OPENINGS[kind])
            while not stop.wait(1.0):
                sock.sendall(b"a" if kind == "headers" else b"1")
    except OSError:
        pass  # the server gave up on this client: that is allowed


def probe(port: int, timeout: float) -> float | None:
    started = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            if not sock.recv(65536).startswith(b"HTTP/1.1 200"):
                return None
    except OSError:
        return None
    return time.monotonic() - started


def measure(port: int, *, clients: int, kind: str, seconds: float) -> dict[str, float]:
    stop = threading.Event()
    threads = [threading.Thread(target=drip, args=(port, kind, stop), daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # every slow client has been accepted
    took, failed = [], 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = probe(port, timeout=1.0)
        if result is None:
            failed += 1
        else:
            took.append(result)
        time.sleep(0.2)
    stop.set()
    for thread in threads:
        thread.join(timeout=5)
    took.sort()
    return {
        "probes": len(took) + failed,
        "answered": len(took),
        "failed": failed,
        "p50_ms": 1000 * took[len(took) // 2] if took else float("nan"),
        "max_ms": 1000 * took[-1] if took else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--clients", type=int, default=3)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--kind", choices=sorted(OPENINGS), default="headers")
    args = parser.parse_args()
    if NGINX is None:
        sys.exit("nginx is not installed (Debian package `nginx`)")
    with tempfile.TemporaryDirectory() as tmp, Stack(Path(tmp), workers=args.workers) as stack:
        rows = []
        for name, base in (("gunicorn directly", stack.direct), ("behind nginx", stack.proxied)):
            port = int(base.rsplit(":", 1)[1])
            rows.append((name, measure(port, clients=args.clients, kind=args.kind, seconds=args.seconds)))
            time.sleep(1.0)
    print(f"{args.clients} slow clients ({args.kind}) vs {args.workers} sync workers, /healthz every 0.2 s "
          f"for {args.seconds:g} s, 1 s probe timeout")  # fmt: skip
    print(f"{'path':<20}{'probes':>8}{'answered':>10}{'failed':>8}{'p50 ms':>9}{'max ms':>9}")
    for name, r in rows:
        print(f"{name:<20}{r['probes']:>8}{r['answered']:>10}{r['failed']:>8}{r['p50_ms']:>9.1f}{r['max_ms']:>9.1f}")


if __name__ == "__main__":
    main()
