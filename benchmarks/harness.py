"""Pieces for `load_and_faults.py`: a real gunicorn, a throwaway PostgreSQL, and a load generator.

Everything listens on and talks to 127.0.0.1 only. Every process started here is started in its
own session and stopped by its own pid.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import math
import multiprocessing
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, timeout: float = 5.0) -> tuple[int, dict[str, Any] | str]:
    """Status and body (JSON when it is JSON) of one GET; status 0 when nothing answered."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    except OSError as exc:
        return 0, str(exc)
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


# --------------------------------------------------------------------------- PostgreSQL


def _as_postgres(cmd: list[str]) -> list[str]:
    """initdb and the server refuse to run as root: run them as the `postgres` user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def pg_bin(name: str) -> str:
    """A PostgreSQL program: from PG_BIN, PATH, or Debian's versioned directories."""
    candidates = [os.environ.get("PG_BIN", ""), *sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)]
    for directory in candidates:
        if directory and (Path(directory) / name).exists():
            return str(Path(directory) / name)
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found: install PostgreSQL server binaries or set PG_BIN")
    return found


class ThrowawayPostgres:
    """A private PostgreSQL cluster in a temporary directory, on a free loopback port."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="memmatch-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.running = False

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *cmd: str, timeout: float = 60) -> None:
        subprocess.run(_as_postgres(list(cmd)), check=True, timeout=timeout, capture_output=True, cwd=self.dir)

    def init(self) -> None:
        self._run(pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.dir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "server.log"), "-o", options,
                  "-w", "-t", "60", "start")  # fmt: skip
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        self._run(pg_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")
        self.running = False

    def processes(self) -> list[int]:
        """The postmaster and every process it started."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = [int(stat.parent.name) for stat in Path("/proc").glob("[0-9]*/stat") if _ppid(stat) == postmaster]
        return [postmaster, *children]

    def freeze(self) -> None:
        """SIGSTOP the whole cluster: connections stay open but nothing answers (a hung server)."""
        for pid in self.processes():
            os.kill(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        for pid in self.processes():
            os.kill(pid, signal.SIGCONT)

    def destroy(self) -> None:
        if self.running:
            with contextlib.suppress(Exception):
                self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


def _ppid(stat: Path) -> int:
    try:
        return int(stat.read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


def create_database(admin_url: str, name: str) -> str:
    """CREATE DATABASE `name` on the server of `admin_url`; returns a URL for it."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + "/" + name


def drop_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def sql(url: str, statement: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
    """Run one statement in its own transaction; rows if it returns any."""
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        cursor = conn.execute(statement, tuple(params))
        return cursor.fetchall() if cursor.description else []


# --------------------------------------------------------------------------- gunicorn


class Gunicorn:
    """gunicorn with the project's gunicorn.conf.py, logs (JSON lines) in one file."""

    def __init__(self, name: str, workdir: Path, env: dict[str, str]):
        self.name = name
        self.port = free_port()
        self.log_path = workdir / f"{name}.log"
        self.env = {**os.environ, **env, "GUNICORN_BIND": f"127.0.0.1:{self.port}"}
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_within: float = 180) -> float:
        """Start and wait for /readyz; returns the seconds it took."""
        started = time.monotonic()
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "wsgi:app"],
            cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True,
        )  # fmt: skip
        log.close()
        while time.monotonic() - started < ready_within:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name}: gunicorn exited with {self.process.returncode}; see {self.log_path}")
            if get(f"{self.base}/readyz", timeout=2)[0] == 200:
                self._wait_for_workers()
                return time.monotonic() - started
            time.sleep(0.2)
        raise SystemExit(f"{self.name}: not ready after {ready_within}s; see {self.log_path}")

    def _wait_for_workers(self, stable_for: float = 1.5, within: float = 30) -> None:
        """The first worker answers before the master has forked the rest: wait until all are up."""
        deadline = time.monotonic() + within
        pids, since = self.worker_pids(), time.monotonic()
        while time.monotonic() < deadline and time.monotonic() - since < stable_for:
            time.sleep(0.1)
            now = self.worker_pids()
            if now != pids:
                pids, since = now, time.monotonic()

    def worker_pids(self) -> list[int]:
        """The workers: processes whose parent is the master."""
        assert self.process is not None
        return sorted(
            int(stat.parent.name) for stat in Path("/proc").glob("[0-9]*/stat") if _ppid(stat) == self.process.pid
        )

    def stop(self, timeout: float = 40) -> tuple[int | None, float]:
        """SIGTERM the master (graceful shutdown); returns its exit code and the seconds it took."""
        if self.process is None or self.process.poll() is not None:
            return (self.process.returncode if self.process else None), 0.0
        started = time.monotonic()
        os.kill(self.process.pid, signal.SIGTERM)
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            code = self.process.wait()
        return code, time.monotonic() - started

    def log_records(self) -> tuple[list[dict[str, Any]], int]:
        """The JSON log records written so far, and the number of lines that were not JSON."""
        records, bad = [], 0
        for line in self.log_path.read_text(errors="replace").splitlines():
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except ValueError:
                bad += 1
        return records, bad


def busy_state(pid: int) -> str:
    """A worker's scheduler state and kernel wait channel, e.g. 'R running' or 'S do_select'."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        wchan = Path(f"/proc/{pid}/wchan").read_text().strip() or "-"
    except OSError:
        return "gone"
    return f"{state} {wchan if state != 'R' else 'running'}"


def is_idle(state: str) -> bool:
    """An idle sync worker sleeps in select()/poll() on the listening socket."""
    return state == "gone" or (state.startswith("S") and any(w in state for w in ("select", "poll", "epoll")))


# --------------------------------------------------------------------------- load


@dataclass(frozen=True, slots=True)
class Sample:
    """One request as the client saw it."""

    start: float  # wall clock, time.time()
    kind: str  # quiz | api | result
    status: int  # 0: no HTTP answer (connection reset, timeout)
    ms: float
    version: str = ""  # the model version that answered (API body, or the results link)
    error: str = ""  # empty when the answer was what this phase allows

    @property
    def end(self) -> float:
        return self.start + self.ms / 1000


def answer_bodies(n: int = 300, seed: int = 11) -> list[bytes]:
    """Valid quiz answers (contract v1), varied."""
    sys.path.insert(0, str(ROOT))
    from recommender.domain import quiz

    rng = random.Random(seed)
    bodies = []
    for _ in range(n):
        body = {
            "interests": rng.sample(list(quiz.INTERESTS), rng.randint(1, quiz.MAX_INTERESTS)),
            "background": rng.choice(list(quiz.BACKGROUNDS)),
            "experience_years": rng.randint(*quiz.EXPERIENCE_RANGE),
            "goal": rng.choice(list(quiz.GOALS)),
            "industry": rng.choice(list(quiz.INDUSTRIES)),
            "format": rng.choice(list(quiz.FORMATS)),
            "pace": rng.choice(list(quiz.PACES)),
            "max_budget_usd": rng.choice([None, 30_000, 60_000, 100_000]),
            "region": rng.choice(list(quiz.REGIONS)),
        }
        bodies.append(json.dumps(body).encode())
    return bodies


def _clear_503(response: http.client.HTTPResponse, raw: bytes) -> str:
    """'' when a 503 says clearly that the service is briefly unavailable, else what is wrong."""
    if not response.getheader("Retry-After"):
        return "503 without Retry-After"
    if (response.getheader("Content-Type") or "").startswith("application/json"):
        try:
            errors = json.loads(raw)["errors"]
            assert errors and all(isinstance(m, list) and m for m in errors.values())
        except (ValueError, KeyError, TypeError, AssertionError):
            return "503 JSON without an errors object"
        return ""
    return "" if b"unavailable" in raw or b"try again" in raw else "503 page without an explanation"


def _request(host: str, port: int, method: str, path: str, body: bytes | None, allow_503: bool,
             timeout: float) -> tuple[int, float, str, bytes]:  # fmt: skip
    started = time.perf_counter()
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        headers = {"Connection": "close", "Accept": "application/json" if path.startswith("/api/") else "text/html"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        ms = (time.perf_counter() - started) * 1000
        status = response.status
        error = ""
        if status == 503 and allow_503:
            error = _clear_503(response, raw)
        elif status != 200:
            error = f"HTTP {status}: {raw[:120]!r}"
        return status, ms, error, raw
    except (OSError, http.client.HTTPException) as exc:
        return 0, (time.perf_counter() - started) * 1000, f"{type(exc).__name__}: {exc}", b""
    finally:
        connection.close()


def _client_thread(base: str, bodies: list[bytes], seed: int, deadline: float, allow_503: bool,
                   out: list[Sample]) -> None:  # fmt: skip
    host, port = base.removeprefix("http://").split(":")
    rng = random.Random(seed)
    token_path = ""
    timeout = 30.0
    while time.time() < deadline:
        # One visit: the quiz page, the answers (through the API), then the permanent link.
        t = time.time()
        status, ms, error, _ = _request(host, int(port), "GET", "/", None, allow_503, timeout)
        out.append(Sample(t, "quiz", status, ms, "", error))
        if time.time() >= deadline:
            break
        t = time.time()
        status, ms, error, raw = _request(host, int(port), "POST", "/api/v1/recommendations", rng.choice(bodies),
                                          allow_503, timeout)  # fmt: skip
        version = ""
        if status == 200:
            try:
                data = json.loads(raw)
                version, token_path = data["model_version"], data["result_url"]
            except (ValueError, KeyError) as exc:
                error = f"bad API body: {exc}"
        out.append(Sample(t, "api", status, ms, version, error))
        if not token_path or time.time() >= deadline:
            continue
        t = time.time()
        status, ms, error, _ = _request(host, int(port), "GET", token_path, None, allow_503, timeout)
        out.append(Sample(t, "result", status, ms, token_path.rsplit("/", 1)[1].rpartition(".")[0], error))


def _client_process(base: str, bodies: list[bytes], threads: int, seed: int, deadline: float, allow_503: bool,
                    queue: Any) -> None:  # fmt: skip
    samples: list[Sample] = []
    workers = [
        threading.Thread(target=_client_thread, args=(base, bodies, seed * 1000 + i, deadline, allow_503, samples))
        for i in range(threads)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    cpu = os.times()
    queue.put((cpu.user + cpu.system, [(s.start, s.kind, s.status, s.ms, s.version, s.error) for s in samples]))


@dataclass
class LoadResult:
    """Everything the clients saw, and what the conductor did meanwhile."""

    started: float
    finished: float
    samples: list[Sample]
    events: list[tuple[float, str, Any]] = field(default_factory=list)
    client_cpu_seconds: float = 0.0

    def event(self, name: str) -> tuple[float, Any]:
        for at, what, value in self.events:
            if what == name:
                return at, value
        raise KeyError(name)


def run_load(base: str, *, clients: int, seconds: float, bodies: list[bytes], allow_503: bool = False,
             actions: Iterable[tuple[float, Callable[[Callable[[str, Any], None]], None]]] = (),
             processes: int = 4) -> LoadResult:  # fmt: skip
    """`clients` concurrent clients for `seconds`; each action runs at its offset in this process.

    Clients are threads spread over a few processes, so the load generator is not held to one
    core by the GIL. An action gets a `note(name, value)` to timestamp what it did.
    """
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    processes = max(1, min(processes, clients))
    started = time.time()
    deadline = started + seconds
    per_process = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    procs = [
        ctx.Process(target=_client_process, args=(base, bodies, n, i + 1, deadline, allow_503, queue), daemon=True)
        for i, n in enumerate(per_process)
    ]
    for p in procs:
        p.start()
    result = LoadResult(started, deadline, [])

    def note(name: str, value: Any = None) -> None:
        result.events.append((time.time(), name, value))

    for offset, action in sorted(actions, key=lambda a: a[0]):
        delay = started + offset - time.time()
        if delay > 0:
            time.sleep(delay)
        action(note)
    for _ in procs:
        cpu, rows = queue.get(timeout=seconds + 120)
        result.client_cpu_seconds += cpu
        result.samples.extend(Sample(*row) for row in rows)
    for p in procs:
        p.join(timeout=30)
    result.finished = time.time()
    result.samples.sort(key=lambda s: s.start)
    return result


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(1, min(len(ordered), math.ceil(q / 100 * len(ordered)))) - 1]


class Prober:
    """Polls a few URLs every `interval` seconds in a thread: (time, path, status, body)."""

    def __init__(self, base: str, paths: Iterable[str], interval: float = 0.25):
        self.base, self.paths, self.interval = base, list(paths), interval
        self.records: list[tuple[float, str, int, Any]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for path in self.paths:
                status, body = get(self.base + path, timeout=5)
                self.records.append((time.time(), path, status, body))
            self._stop.wait(self.interval)

    def __enter__(self) -> Prober:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
