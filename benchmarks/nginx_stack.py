"""A real gunicorn with deploy/nginx.conf in front, on free ports, for tests and benchmarks.

Everything listens on 127.0.0.1 only; each process is started in its own session and stopped by
its own pid. `NGINX` is None when Debian's nginx is not installed.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "deploy" / "nginx.conf"
GUNICORN = Path(sys.executable).with_name("gunicorn")
NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def render_config(listen: int, upstream: int, workdir: Path) -> str:
    """deploy/nginx.conf with its two addresses replaced and temporary files kept in `workdir`."""
    text = CONFIG.read_text()
    for old, new in (("listen 80 default_server;", f"listen 127.0.0.1:{listen} default_server;"),
                     ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};")):  # fmt: skip
        assert old in text, f"deploy/nginx.conf no longer has {old!r}"
        text = text.replace(old, new)
    temp = "\n".join(
        f"    {kind}_temp_path {workdir / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return text.replace("http {\n", f"http {{\n{temp}\n", 1)


def _wait(url: str, process: subprocess.Popen, log: Path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited early: {log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"not ready: {log.read_text()[-3000:]}")


class Stack:
    """gunicorn (sync workers, SQLite) and nginx in front of it; `direct` and `proxied` are base URLs."""

    def __init__(self, workdir: Path, *, workers: int = 3, extra_env: dict[str, str] | None = None):
        if NGINX is None:
            raise RuntimeError("nginx is not installed (Debian package `nginx`)")
        self.processes: list[subprocess.Popen] = []
        try:
            self._start(workdir, workers, extra_env or {})
        except BaseException:
            self.stop()
            raise

    def _start(self, workdir: Path, workers: int, extra_env: dict[str, str]) -> None:
        self.workdir = workdir
        self.app_port, self.nginx_port = free_port(), free_port()
        self.direct = f"http://127.0.0.1:{self.app_port}"
        self.proxied = f"http://127.0.0.1:{self.nginx_port}"
        self.gunicorn_log, self.nginx_log = workdir / "gunicorn.log", workdir / "nginx.log"
        env = {
            **os.environ,
            "MEMMATCH_ENV": "production",
            "SECRET_KEY": "nginx-stack-secret-of-at-least-32-characters",
            "DATABASE_URL": f"sqlite:///{workdir / 'stack.sqlite3'}",
            "MODELS_DIR": str(workdir / "models"),
            "GUNICORN_BIND": f"127.0.0.1:{self.app_port}",
            "WEB_CONCURRENCY": str(workers),
            "PROXY_FIX_HOPS": "1",
            "TRUSTED_PROXIES": "127.0.0.1",
            **extra_env,
        }
        with self.gunicorn_log.open("wb") as log:
            self.processes.append(
                subprocess.Popen(
                    [str(GUNICORN), "-c", str(ROOT / "gunicorn.conf.py"), "wsgi:app"],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=log,
                    start_new_session=True,
                )
            )
        _wait(f"{self.direct}/readyz", self.processes[0], self.gunicorn_log)
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (workdir / kind).mkdir(exist_ok=True)
        conf = workdir / "nginx.conf"
        conf.write_text(render_config(self.nginx_port, self.app_port, workdir))
        # As root, nginx's workers would switch to www-data, which cannot write to this directory.
        user = "user root; " if os.geteuid() == 0 else ""
        globals_ = f"daemon off; master_process on; {user}pid {workdir / 'nginx.pid'}; error_log {self.nginx_log} warn;"
        with (workdir / "nginx.out").open("wb") as out:
            self.processes.append(
                subprocess.Popen(
                    [NGINX, "-p", str(workdir), "-c", str(conf), "-g", globals_],
                    stdout=out,
                    stderr=out,
                    start_new_session=True,
                )
            )
        _wait(f"{self.proxied}/healthz", self.processes[1], workdir / "nginx.out", seconds=20)

    def stop(self) -> None:
        """Stop nginx, then gunicorn, each by its own process group."""
        for process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
