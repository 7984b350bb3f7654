"""Request bodies: a deadline for reading them, and reading one whole within a size limit.

A sync worker serves one request at a time, so a client that announces a body and sends it slowly
(or never) would hold the worker until gunicorn's timeout kills it. Under gunicorn the client
socket is in the environ, so every read of the body gets only what is left of one deadline; past
it the request answers 408 and the worker moves on. Behind nginx (deploy/nginx.conf) bodies arrive
buffered and the deadline is never near.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import request
from gunicorn.http.errors import ParseException
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, RequestTimeout


class BodyTooSlow(RequestTimeout):
    """The body did not arrive within BODY_READ_TIMEOUT_SECONDS (worded in `errors.MESSAGES`)."""


MALFORMED = "The request body's chunked encoding is broken, so it was not read. Please send it again."


class BodyMalformed(BadRequest):
    """gunicorn could not decode the body's chunked encoding (a bad size, a missing CRLF, a bad trailer)."""


class _DeadlineInput:
    """`wsgi.input` whose every read may wait only for what is left of one deadline (None: no deadline)."""

    def __init__(self, stream: Any, sock: socket.socket, deadline: float | None):
        self._stream, self._sock, self._deadline = stream, sock, deadline
        self.touched = False  # whether a read set the socket's timeout, so that it must be put back

    def _call(self, method: Callable[..., Any], *args: Any) -> Any:
        if self._deadline is not None:
            remaining = self._deadline - time.monotonic()
            if remaining <= 0:
                raise BodyTooSlow()
            self._sock.settimeout(remaining)
            self.touched = True
        try:
            return method(*args)
        except TimeoutError:  # socket.timeout is TimeoutError; werkzeug would call it a disconnect
            raise BodyTooSlow() from None
        except ParseException:  # gunicorn decodes chunks as they are read, inside the view: a 500 before
            raise BodyMalformed(MALFORMED) from None

    def read(self, *args: Any) -> bytes:
        return self._call(self._stream.read, *args)

    def readline(self, *args: Any) -> bytes:
        return self._call(self._stream.readline, *args)

    def readlines(self, *args: Any) -> list[bytes]:
        return self._call(self._stream.readlines, *args)

    def __iter__(self) -> Iterable[bytes]:
        return iter(self.readline, b"")


class BodyDeadline:
    """WSGI middleware: bound the time spent reading each request's body (gunicorn only)."""

    def __init__(self, app: Callable[..., Any], seconds: float):
        self.app, self.seconds = app, seconds

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        sock = environ.get("gunicorn.socket")
        if not isinstance(sock, socket.socket):
            return self.app(environ, start_response)
        prior = sock.gettimeout()  # the socket object's own field: no system call
        deadline = time.monotonic() + self.seconds if self.seconds > 0 else None
        environ["wsgi.input"] = body = _DeadlineInput(environ["wsgi.input"], sock, deadline)
        try:
            return self.app(environ, start_response)
        finally:
            # The response is written by gunicorn after this returns, with its own settings. A
            # request whose body was never read from the socket left them alone: no system call.
            if body.touched:
                with contextlib.suppress(OSError):
                    sock.settimeout(prior)


def read_limited(limit: int) -> bytes:
    """The whole body if it holds at most `limit` bytes, however it was sent; else 413.

    Werkzeug refuses a Content-Length over the limit, but a chunked body is only cut at the limit
    and would be read as if it ended there. Reading one byte more tells the two apart.
    """
    request.max_content_length = limit + 1
    body = request.get_data(cache=False)
    if len(body) > limit:
        raise RequestEntityTooLarge()
    return body


def init_app(app: Any) -> None:
    """Wrap the app so that body reads under gunicorn stop at BODY_READ_TIMEOUT_SECONDS, and a body
    gunicorn cannot decode is a 400."""
    app.wsgi_app = BodyDeadline(app.wsgi_app, app.config.get("BODY_READ_TIMEOUT_SECONDS", 10.0))
