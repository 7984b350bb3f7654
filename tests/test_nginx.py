"""deploy/nginx.conf in front of a real gunicorn: slow clients do not stall it, error pages get headers."""

from __future__ import annotations

import socket
import subprocess
import time
from contextlib import ExitStack

import pytest

from benchmarks.nginx_stack import NGINX, Stack, free_port, render_config

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed (Debian package `nginx`; .ci/run installs it)"),
]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """One sync worker behind nginx: anything that held the worker would stall every request."""
    with Stack(tmp_path_factory.mktemp("nginx"), workers=1) as running:
        yield running


def port_of(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


def slow_client(port: int, kind: str) -> socket.socket:
    """A client that has started a request and is sending the rest very slowly."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    if kind == "headers":
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    else:
        sock.sendall(
            b"POST /api/v1/recommendations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 2000\r\n\r\n{"interests": ['
        )
    return sock


def healthz_seconds(port: int, timeout: float = 2.0) -> float | None:
    """How long /healthz took, or None when it did not answer within `timeout`."""
    started = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            answer = sock.recv(65536)
    except TimeoutError:
        return None
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    return time.monotonic() - started


def test_the_shipped_configuration_is_valid_nginx(tmp_path):
    conf = tmp_path / "nginx.conf"
    conf.write_text(render_config(free_port(), free_port(), tmp_path))
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / kind).mkdir()
    checked = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(conf), "-g", f"pid {tmp_path / 'p'}; error_log stderr;"],
        capture_output=True, text=True, timeout=20,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr


@pytest.mark.parametrize("kind", ["headers", "body"])
def test_slow_clients_behind_nginx_do_not_stall_healthz(stack, kind):
    with ExitStack() as clients:
        for _ in range(3):
            clients.enter_context(slow_client(port_of(stack.proxied), kind))
        time.sleep(0.3)
        took = [healthz_seconds(port_of(stack.proxied)) for _ in range(5)]
    assert all(t is not None and t < 1.0 for t in took), took
    # The same slow client straight at gunicorn holds its one worker: the check above can fail.
    with slow_client(port_of(stack.direct), kind):
        time.sleep(0.3)
        assert healthz_seconds(port_of(stack.direct), timeout=1.5) is None


def test_gunicorns_own_error_pages_get_the_security_headers_through_nginx(stack):
    # More header fields than gunicorn's limit_request_fields (100): gunicorn answers by itself.
    many = "".join(f"X-H{i}: {i}\r\n" for i in range(120))
    request = f"GET /healthz HTTP/1.1\r\nHost: x\r\n{many}Connection: close\r\n\r\n".encode()

    def ask(port: int) -> bytes:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(request)
            return sock.recv(65536)

    direct, proxied = ask(port_of(stack.direct)), ask(port_of(stack.proxied))
    assert direct.split(b"\r\n", 1)[0].split()[1] == b"431", direct[:200]
    assert b"Content-Security-Policy" not in direct, "gunicorn has no option to add headers to its own pages"
    assert proxied.split(b"\r\n", 1)[0].split()[1] == b"431", proxied[:200]
    head = proxied.split(b"\r\n\r\n", 1)[0].decode()
    assert "Content-Security-Policy: default-src 'none'" in head
    assert "X-Content-Type-Options: nosniff" in head and "X-Frame-Options: DENY" in head


def test_the_apps_own_headers_pass_through_unchanged_and_once(stack):
    with socket.create_connection(("127.0.0.1", port_of(stack.proxied)), timeout=5) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head = answer.split(b"\r\n\r\n", 1)[0].decode().lower()
    assert head.startswith("http/1.1 200")
    assert head.count("content-security-policy:") == 1 and "script-src 'self'" in head
    assert head.count("x-frame-options:") == 1
