"""gunicorn.conf.py: its defaults, and a real gunicorn that starts, answers probes and stops gracefully."""

from __future__ import annotations

import json
import os
import runpy
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import valid_answers

ROOT = Path(__file__).resolve().parents[1]
CONF = ROOT / "gunicorn.conf.py"
GUNICORN = Path(sys.executable).with_name("gunicorn")


def settings(monkeypatch, **env: str) -> dict:
    for name in ("WEB_CONCURRENCY", "GUNICORN_BIND", "PORT", "GUNICORN_THREADS", "GUNICORN_WORKER_CLASS",
                 "GUNICORN_MAX_REQUESTS", "GUNICORN_CONTROL_SOCKET"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


def test_defaults(monkeypatch):
    conf = settings(monkeypatch)
    assert conf["bind"] == ["127.0.0.1:8000"]
    assert conf["preload_app"] is True
    assert conf["worker_class"] == "sync" and conf["threads"] == 1
    assert conf["workers"] == conf["default_workers"](conf["_cores"]())
    assert conf["timeout"] > 0 and conf["graceful_timeout"] > 0
    assert 0 < conf["max_requests_jitter"] < conf["max_requests"]
    assert conf["accesslog"] is None, "the app writes its own JSON request line"
    assert conf["forwarded_allow_ips"] == "" and conf["secure_scheme_headers"] == {}
    assert conf["control_socket_disable"] is True


def test_no_access_record_is_built_unless_an_access_log_is_asked_for(monkeypatch):
    # gunicorn builds an access record for every request when logconfig_dict is set (as the
    # project's file does), even with no handler to take it; the project's logger skips that.
    from gunicorn.config import Config

    logger_class = settings(monkeypatch)["logger_class"]
    monkeypatch.setattr("logging.config.dictConfig", lambda config: None)  # keep this test's logging
    built = []
    monkeypatch.setattr(logger_class, "atoms", lambda self, *args: built.append(args) or {})
    for accesslog, expected in ((None, 0), ("-", 1)):
        cfg = Config()
        cfg.set("logconfig_dict", {"version": 1, "disable_existing_loggers": False})
        cfg.set("accesslog", accesslog)
        logger = logger_class(cfg)
        assert logger.access_log_enabled, "gunicorn itself would build the record"
        built.clear()
        logger.access(object(), {}, {}, None)
        assert len(built) == expected, accesslog


def test_workers_follow_cores_with_a_cap(monkeypatch):
    default_workers = settings(monkeypatch)["default_workers"]
    assert [default_workers(n) for n in (1, 2, 4, 8, 64)] == [3, 5, 9, 12, 12]


def test_environment_overrides(monkeypatch):
    conf = settings(monkeypatch, WEB_CONCURRENCY="3", PORT="9000", GUNICORN_THREADS="4", GUNICORN_MAX_REQUESTS="0")
    assert conf["workers"] == 3
    assert conf["bind"] == ["0.0.0.0:9000"]
    assert conf["worker_class"] == "gthread" and conf["threads"] == 4
    assert conf["max_requests"] == 0 and conf["max_requests_jitter"] == 0
    assert settings(monkeypatch, GUNICORN_BIND="127.0.0.1:1, unix:/tmp/x.sock")["bind"] == [
        "127.0.0.1:1",
        "unix:/tmp/x.sock",
    ]


# --------------------------------------------------------------------------- a real gunicorn


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, **kwargs) -> tuple[int, dict, dict]:
    request = urllib.request.Request(url, **kwargs)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.loads(exc.read())


class Server:
    def __init__(self, tmp_path: Path, **extra_env: str):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tmp_path / "gunicorn.log"
        env = {
            **os.environ,
            "MEMMATCH_ENV": "production",
            "SECRET_KEY": "gunicorn-test-secret-of-at-least-32-characters",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'g.sqlite3'}",
            "MODELS_DIR": str(tmp_path / "models"),
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": "2",
            "GUNICORN_GRACEFUL_TIMEOUT": "20",
            **extra_env,
        }
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [str(GUNICORN), "-c", str(CONF), "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=log,
                start_new_session=True,
            )  # fmt: skip

    def wait_ready(self, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                if fetch(f"{self.base}/readyz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"not ready: {self.log.read_text()[-3000:]}")

    def log_records(self) -> list[dict]:
        return [json.loads(line) for line in self.log.read_text().splitlines() if line.strip()]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@pytest.fixture
def server(tmp_path):
    server = Server(tmp_path)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.mark.slow
def test_starts_answers_probes_and_writes_json_logs(server):
    status, headers, body = fetch(f"{server.base}/healthz")
    assert status == 200 and body["status"] == "ok" and body["model_version"]
    status, _, ready = fetch(f"{server.base}/readyz")
    assert status == 200 and ready["checks"] == {"database": "ok", "model": "ok"}
    assert headers["X-Request-ID"] and "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    status, _, answer = fetch(
        f"{server.base}/api/v1/recommendations",
        data=json.dumps(valid_answers()).encode(),
        headers={"Content-Type": "application/json", "X-Request-ID": "probe-42"},
    )
    assert status == 200 and answer["model_version"] == body["model_version"]

    records = server.log_records()  # every line parses as JSON, or this fails
    messages = [r["message"] for r in records]
    assert any(m.startswith("Booting worker") for m in messages)
    assert any(r.get("event") == "model_warmed" for r in records), "the master loads the model before forking"
    [line] = [r for r in records if r.get("request_id") == "probe-42"]
    assert line["status"] == 200 and line["pid"] != server.process.pid, "served by a worker"


@pytest.mark.slow
def test_sigterm_lets_the_request_in_flight_finish_then_exits_cleanly(server):
    body = json.dumps(valid_answers()).encode()
    head = (
        f"POST /api/v1/recommendations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(head + body[:10])  # a worker has accepted and is reading this request
        time.sleep(0.5)
        os.kill(server.process.pid, signal.SIGTERM)
        time.sleep(0.5)
        sock.sendall(body[10:])
        response = b""
        while chunk := sock.recv(65536):
            response += chunk
    assert response.startswith(b"HTTP/1.1 200"), response[:300]
    assert b'"model_version"' in response
    assert server.process.wait(timeout=30) == 0
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=2).close()
    messages = [r["message"] for r in server.log_records()]
    assert "Handling signal: term" in messages
    assert "Shutting down: Master" in messages
    assert not any("SIGKILL" in m or "Worker timeout" in m for m in messages)
