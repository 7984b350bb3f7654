"""Hostile edges of HTTP itself: odd `?limit=` values, chunked and short bodies, on a real gunicorn too."""

from __future__ import annotations

import json
import socket
import time

import pytest

from tests.conftest import valid_answers
from tests.test_gunicorn import Server

API = "/api/v1/recommendations"
HOSTILE_LIMITS = [
    "²", "٥", "５", "߁", "১০", "5" * 5000, "9" * 20, "0", "51", "-1", "+5", " 5", "5 ", "1e1", "0x10",
    "5.0", "", "1_0", "١٠", "𝟓",
]  # fmt: skip


@pytest.mark.parametrize("raw", HOSTILE_LIMITS)
def test_a_hostile_limit_is_refused_in_plain_words(client, raw):
    response = client.post(API, query_string={"limit": raw}, json=valid_answers())
    assert response.status_code == 400, raw
    [message] = response.get_json()["errors"]["limit"]
    assert message == "Must be a whole number from 1 to 50, written in digits 0-9."


def test_a_limit_given_twice_is_refused_not_the_first_one_taken(client):
    response = client.post(f"{API}?limit=1&limit=50", json=valid_answers())
    assert response.status_code == 400 and response.get_json()["errors"] == {"limit": ["Give limit once."]}


def test_ascii_limits_still_work(client):
    for raw, expected in (("1", 1), ("07", 7), ("50", 50)):
        body = client.post(API, query_string={"limit": raw}, json=valid_answers()).get_json()
        assert len(body["programs"]) == expected


@pytest.mark.parametrize("body", [b"{", b"[1,", b'{"a": tru}', b"\xff\xfe", b"", b"[" * 2000])
def test_malformed_json_is_described_without_the_parsers_words(client, body):
    response = client.post(API, data=body, content_type="application/json")
    assert response.status_code == 400
    [message] = response.get_json()["errors"]["_body"]
    assert message.startswith("The body is not valid JSON"), message
    assert "char" not in message and "Input" not in message and "unexpected" not in message.lower()


# --------------------------------------------------------------------------- a real gunicorn


@pytest.fixture
def one_worker(tmp_path):
    """One sync worker, so a request that held it would stall everything else."""
    server = Server(tmp_path, WEB_CONCURRENCY="1", BODY_READ_TIMEOUT_SECONDS="1", GUNICORN_TIMEOUT="30")
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def raw_request(port: int, head: str, body: bytes = b"", *, keep_open: bool = False, timeout: float = 15) -> bytes:
    """Send bytes as they are and read the whole answer (the server closes the connection)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode() + body)
        if not keep_open:
            sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def chunked(payload: bytes, size: int = 4096) -> bytes:
    parts = [payload[i : i + size] for i in range(0, len(payload), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


CHUNKED_HEAD = f"POST {API} HTTP/1.1\nHost: x\nContent-Type: application/json\nTransfer-Encoding: chunked\n\n"


@pytest.mark.slow
def test_chunked_bodies_over_the_limit_answer_413_and_under_it_work(one_worker):
    padded = json.dumps({**valid_answers(), "padding": "x" * 20000}).encode()
    answer = raw_request(one_worker.port, CHUNKED_HEAD, chunked(padded))
    assert answer.startswith(b"HTTP/1.1 413"), answer[:300]
    assert b"larger than 16 KiB" in answer
    exactly = json.dumps(valid_answers()).encode()
    exactly += b" " * (16 * 1024 - len(exactly))  # exactly the limit: allowed
    answer = raw_request(one_worker.port, CHUNKED_HEAD, chunked(exactly))
    assert answer.startswith(b"HTTP/1.1 200"), answer[:300]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("path", "kind"),
    [
        (API, "application/json"),
        ("/", "application/x-www-form-urlencoded"),
        ("/admin/login", "multipart/form-data; boundary=b"),
    ],
)
def test_a_body_shorter_than_its_length_answers_408_fast_and_frees_the_worker(one_worker, path, kind):
    head = f"POST {path} HTTP/1.1\nHost: x\nContent-Type: {kind}\nContent-Length: 5000\n\n"
    started = time.monotonic()
    answer = raw_request(one_worker.port, head, b'{"interests": [', keep_open=True)
    took = time.monotonic() - started
    assert answer.split(b"\r\n", 1)[0] == b"HTTP/1.1 408 REQUEST TIMEOUT", answer[:300]
    assert b"too slowly" in answer and b"Traceback" not in answer
    assert took < 5, f"the worker was held {took:.1f} s"
    health = raw_request(one_worker.port, "GET /healthz HTTP/1.1\nHost: x\nConnection: close\n\n", timeout=5)
    assert health.startswith(b"HTTP/1.1 200")
    assert not any("WORKER TIMEOUT" in r["message"].upper() for r in one_worker.log_records())


@pytest.mark.slow
@pytest.mark.parametrize("timeout", ["1", "0"])
def test_a_broken_chunked_encoding_answers_400_on_every_body_route(tmp_path, timeout):
    """gunicorn decodes chunks as the view reads them and raises its own ParseException there: a
    bad chunk size, a missing CRLF or a bad trailer was a 500 on the API and every form."""
    server = Server(tmp_path, WEB_CONCURRENCY="1", BODY_READ_TIMEOUT_SECONDS=timeout, GUNICORN_TIMEOUT="30")
    try:
        server.wait_ready()
        token = json.loads(raw_request(server.port, f"POST {API} HTTP/1.1\nHost: x\nContent-Type: application/json\n"
                           f"Content-Length: {len(json.dumps(valid_answers()))}\nConnection: close\n\n",
                           json.dumps(valid_answers()).encode()).split(b"\r\n\r\n", 1)[1])["result_url"]  # fmt: skip
        routes = [(API, "application/json"), ("/", "application/x-www-form-urlencoded"),
                  ("/", "multipart/form-data; boundary=b"), ("/admin/login", "application/x-www-form-urlencoded"),
                  (f"{token}/feedback", "application/x-www-form-urlencoded")]  # fmt: skip
        broken = [b"zz\r\nabc\r\n0\r\n\r\n", b"3\r\nabcXX0\r\n\r\n", b"3\r\nabc\r\n0\r\nBad Trailer\r\n\r\n"]
        for path, kind in routes:
            for body in broken:
                head = f"POST {path} HTTP/1.1\nHost: x\nContent-Type: {kind}\nTransfer-Encoding: chunked\n\n"
                answer = raw_request(server.port, head, body)
                assert answer.split(b"\r\n", 1)[0] == b"HTTP/1.1 400 BAD REQUEST", (path, body, answer[:300])
                assert b"chunked encoding is broken" in answer and b"Traceback" not in answer, (path, answer[:600])
                assert b"Content-Security-Policy" in answer
        assert not [r for r in server.log_records() if r.get("event") == "server_error"]
    finally:
        server.stop()


class CountingSocket(socket.socket):
    """A real socket that counts `settimeout` calls (each one a system call)."""

    set_calls = 0

    def settimeout(self, value):
        type(self).set_calls += 1
        super().settimeout(value)


@pytest.mark.parametrize("reads_body", [False, True])
def test_the_body_deadline_leaves_the_socket_as_it_found_it_and_untouched_when_no_body_is_read(reads_body):
    from recommender.web.bodies import BodyDeadline

    a, b = socket.socketpair()
    sock = CountingSocket(fileno=a.detach())
    try:
        sock.settimeout(7.0)
        CountingSocket.set_calls = 0
        b.sendall(b"body!")

        def app(environ, start_response):
            if reads_body:
                assert environ["wsgi.input"].read(5) == b"body!"
                assert sock.gettimeout() < 7.0  # the deadline's timeout, while reading
            return [b""]

        BodyDeadline(app, seconds=3.0)({"gunicorn.socket": sock, "wsgi.input": sock.makefile("rb")}, None)
        assert sock.gettimeout() == 7.0
        assert CountingSocket.set_calls == (2 if reads_body else 0)
    finally:
        sock.close()
        b.close()
