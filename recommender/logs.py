"""Structured JSON logs: one object per line, a request id on every line written during a request.

Security events are ordinary log calls with `extra={"event": ..., "actor": ..., "target": ...,
"detail": ...}`; those keys (and any other extra) become fields of the JSON object. The handler
sits on the root logger so that Flask, SQLAlchemy, Alembic and our own modules all write the same
format; gunicorn's own logger is pointed at the same formatter by `gunicorn.conf.py`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import re
import secrets
import sys
import time
import traceback
from typing import Any

import orjson
from flask import Flask, Response, g, has_request_context, request
from flask.logging import default_handler

REQUEST_ID_HEADER = "X-Request-ID"
# An id from a load balancer or caller is kept only if it is short and plain: it is echoed in a
# response header and written to logs, so anything that could split a line or a header is refused.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+/=-]{0,127}")
# Load balancers probe these every few seconds on every node; successful probes are not logged.
QUIET_PATHS = frozenset({"/healthz", "/readyz"})

# Attributes every LogRecord has; everything else on a record came from `extra=` and is output.
_RECORD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
_REQUEST_LOG = logging.getLogger("recommender.request")
_FIRST_KEYS = ("ts", "level", "logger", "message", "request_id", "event", "actor", "target", "detail")


_last_second: tuple[int, str] = (-1, "")


def iso_ms(created: float) -> str:
    """`created` (a Unix time) as UTC ISO 8601 to the millisecond, e.g. 2026-01-31T09:05:01.123+00:00.

    The same text as `datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")`
    in about half the time, which every log line pays: the seconds are formatted once per second
    (by that very call), and the microseconds are rounded as datetime rounds them (half to even)
    before they are cut to milliseconds.
    """
    global _last_second
    fraction, whole = math.modf(created)
    micros = round(fraction * 1e6)
    if micros >= 1_000_000:
        whole, micros = whole + 1, micros - 1_000_000
    elif micros < 0:  # before 1970, where modf's parts are negative
        whole, micros = whole - 1, micros + 1_000_000
    second = int(whole)
    last = _last_second
    if last[0] != second:
        text = dt.datetime.fromtimestamp(second, dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds")
        last = _last_second = (second, text)  # one tuple: a reader in another thread sees both or neither
    return f"{last[1]}.{micros // 1000:03d}+00:00"


def current_request_id() -> str | None:
    """The id of the request being handled (made on first use), or None outside a request."""
    if not has_request_context():
        return None
    if "request_id" not in g:
        g.request_id = _request_id()
    return g.request_id


class RequestIdFilter(logging.Filter):
    """Stamps each record with the current request's id (None outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object; unknown values are written with `str`, never dropped."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": iso_ms(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or current_request_id(),
        }
        for key, value in record.__dict__.items():
            if key not in _RECORD_ATTRS and key not in entry and not key.startswith("_"):
                entry[key] = value
        entry["pid"] = record.process
        if record.exc_info:
            entry["exc_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            entry["exc"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        elif record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        ordered = {k: entry.pop(k) for k in _FIRST_KEYS if k in entry}
        ordered.update(entry)
        try:
            # orjson writes a line in a fraction of json's time; what it cannot hold (non-string
            # keys, integers over 64 bits) falls back to json.
            return orjson.dumps(ordered, default=str).decode()
        except TypeError:
            return json.dumps(ordered, default=str, ensure_ascii=False)


class StderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is at the moment of writing (test runners swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def make_handler(level: int | str = logging.NOTSET) -> logging.Handler:
    """A stderr handler with the JSON formatter and the request id filter."""
    handler = StderrHandler()
    handler.setLevel(level)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    handler._memmatch = True  # type: ignore[attr-defined]  # lets a second create_app replace, not stack
    return handler


def configure(level: str = "INFO") -> logging.Handler:
    """Install the JSON handler on the root logger, replacing one installed before."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_memmatch", False):
            root.removeHandler(handler)
    handler = make_handler()
    root.addHandler(handler)
    root.setLevel(level.upper())
    return handler


def _request_id() -> str:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    if SANE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return secrets.token_hex(16)  # as random as uuid4().hex, the same 32 hex digits, in a fifth of the time


def start_request() -> None:
    """Before-request hook: the request's id, and the time it started, for its log line."""
    current_request_id()
    g.request_started = time.perf_counter()


def _finish_request(response: Response) -> Response:
    # Runs on every request: the request and g are looked up once, not through their proxies
    # for each field, and the id goes on the record so that the filter need not find it again.
    req, ctx_g = request._get_current_object(), g._get_current_object()  # type: ignore[attr-defined]
    request_id = ctx_g.request_id if "request_id" in ctx_g else current_request_id()
    response.headers[REQUEST_ID_HEADER] = request_id or ""
    path = req.path
    if path in QUIET_PATHS and response.status_code < 400:
        return response
    if not _REQUEST_LOG.isEnabledFor(logging.INFO):
        return response
    started = ctx_g.get("request_started")
    # makeRecord + handle is what Logger.info does, less the walk up the stack for the caller's
    # file and line, which this line never shows.
    record = _REQUEST_LOG.makeRecord(
        _REQUEST_LOG.name,
        logging.INFO,
        __file__,
        0,
        "request",
        (),
        None,
        extra={
            "request_id": request_id,
            "event": "request",
            "method": req.method,
            "path": path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
            "remote_addr": req.remote_addr,
        },
    )
    _REQUEST_LOG.handle(record)
    return response


def init_app(app: Flask) -> None:
    """JSON logs on the root logger, and a request id for every request (echoed as X-Request-ID)."""
    app.logger.removeHandler(default_handler)
    configure(app.config.get("LOG_LEVEL", "INFO"))
    # First of all before-request hooks, so a CSRF or rate-limit refusal is timed and logged too.
    app.before_request_funcs.setdefault(None, []).insert(0, start_request)
    app.after_request(_finish_request)
