"""Real gunicorn workers follow the database's active pointer: every one serves a newly activated
version within seconds, without a restart."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_admin_uploads import reverified_programs

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WINDOW_SECONDS = 5.0
CONSECUTIVE = 40


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def healthz(port: int, n: int) -> str | None:
    """One request on a new connection (urllib sends Connection: close), tagged with `n`."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz?n={n}", timeout=5) as response:
        return json.load(response)["model_version"]


def served_by(access_log: Path) -> dict[int, int]:
    """Request tag -> worker pid, from the access log (format "<pid> n=<tag>")."""
    pids = {}
    for line in access_log.read_text().splitlines():
        match = re.match(r"<(\d+)> n=(\d+)$", line.strip())
        if match:
            pids[int(match.group(2))] = int(match.group(1))
    return pids


class Poller:
    """Several clients at once, so that both sync workers are kept busy and both answer."""

    def __init__(self, port: int, threads: int = 4):
        self.port, self.threads = port, threads
        self.results: list[tuple[float, int, str | None]] = []  # (finished at, tag, version)
        self._lock = threading.Lock()
        self._next = 0

    def run(self, seconds: float) -> list[tuple[float, int, str | None]]:
        stop = time.monotonic() + seconds
        start = len(self.results)

        def client() -> None:
            while time.monotonic() < stop:
                with self._lock:
                    self._next += 1
                    tag = self._next
                version = healthz(self.port, tag)
                with self._lock:
                    self.results.append((time.monotonic(), tag, version))
                time.sleep(0.005)

        workers = [threading.Thread(target=client) for _ in range(self.threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        return sorted(self.results[start:])


@contextlib.contextmanager
def gunicorn(tmp_path: Path, env: dict[str, str], port: int) -> Iterator[Path]:
    """Two sync workers on a SQLite file; yields the access log path."""
    access_log = tmp_path / "access.log"
    conf = tmp_path / "gunicorn.test.conf.py"
    # Our own settings file, so the project's gunicorn.conf.py (tuned for production) is not read;
    # the access log names the worker pid for each tagged request.
    conf.write_text(
        f"accesslog = {str(access_log)!r}\n"
        "access_log_format = '%(p)s %(q)s'\n"
        f"errorlog = {str(tmp_path / 'error.log')!r}\n"
        "control_socket_disable = True\n"
        "timeout = 120\n"
    )
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", str(conf), "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180  # the first start migrates and trains
        while True:
            assert process.poll() is None, (tmp_path / "error.log").read_text()[-4000:]
            try:
                if healthz(port, 0):
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not come up"
            time.sleep(0.25)
        yield access_log
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def flask(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.slow
def test_two_gunicorn_workers_both_serve_a_new_version_within_five_seconds(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN_", "WEB_CONCURRENCY"))},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'memmatch.sqlite3'}",
        "MEMMATCH_ENV": "development",
        "MODELS_DIR": str(tmp_path / "models"),
        "MODEL_REFRESH_SECONDS": "2",
    }
    fewer = tmp_path / "fewer.csv"
    fewer.write_bytes(reverified_programs())
    port = free_port()
    with gunicorn(tmp_path, env, port) as access_log:
        poller = Poller(port)
        # The first worker up may answer while the second still starts (it waits for the first
        # start's training): go on once both have answered.
        deadline = time.monotonic() + 120
        before = poller.run(1.0)
        while len(workers := set(served_by(access_log).values())) < 2:
            assert time.monotonic() < deadline, "the second worker never answered"
            before = poller.run(1.0)
        first = {version for _, _, version in before}
        assert len(first) == 1 and None not in first
        old = first.pop()

        new = re.search(r"^version (\S+)$", flask(env, "train", "--data", str(fewer)), re.M).group(1)
        assert new != old
        assert f"active {new}" in flask(env, "models", "activate", new)
        activated = time.monotonic()

        after = poller.run(WINDOW_SECONDS)
    # Read once gunicorn has stopped: a worker logs a request just after answering it.
    tags = served_by(access_log)
    assert len(workers) == 2 and set(tags.values()) == workers

    # Within the window: a run of CONSECUTIVE responses in a row, all the new version, and after
    # it nothing old; each worker switched once and never went back.
    assert after and after[-1][0] <= activated + WINDOW_SECONDS + 5
    versions = [version for _, _, version in after]
    last_old = max((i for i, v in enumerate(versions) if v != new), default=-1)
    settled = after[last_old + 1 :]
    assert len(settled) >= CONSECUTIVE, f"only {len(settled)} responses in a row served {new}"
    assert settled[CONSECUTIVE - 1][0] <= activated + WINDOW_SECONDS
    assert {tags[tag] for _, tag, _ in settled} == workers, "both workers serve the new version"
    for pid in workers:
        mine = [v for _, tag, v in after if tags.get(tag) == pid]
        assert mine == sorted(mine, key=lambda v: v == new), f"worker {pid} went back to {old}"
