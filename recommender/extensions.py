"""Unbound Flask extensions, bound to the app in `create_app`."""

import sqlite3
from functools import partial
from typing import Any

from flask import Flask, Response
from flask.globals import request_ctx
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base for the typed ORM classes in `recommender.orm`."""


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
# Only the routes that opt in are limited (login); storage comes from RATELIMIT_STORAGE_URI.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
# Where Flask-Limiter keeps a request's limit state (on the request context), made by its first check.
_LIMIT_STATE = "_limiter_request_context"


def limits_on_every_request(limiter: Limiter) -> bool:
    """Whether `limiter` has limits that its before-request check applies: application, default,
    meta or blueprint limits, or in-memory fallback limits for when the storage is unreachable.

    A decorated view's limits (the login's) are not among them: the decorator checks those when
    the view runs, whatever the before-request check does.
    """
    manager = limiter.limit_manager
    return bool(
        manager._application_limits
        or manager._default_limits
        or manager._blueprint_limits
        or limiter._meta_limits
        or limiter._in_memory_fallback
    )


def check_limits_only_where_they_exist(app: Flask, limiter: Limiter) -> None:
    """Run Flask-Limiter's per-request hooks only where they have something to do.

    The before-request check runs only while `limits_on_every_request` says it has work. With no
    such limits (this app's case: only the login is limited, by decorators) it resolved an empty
    list on every request, some 50 us of a quiz answer. It is gated, not removed, so a limit for
    every route added later (RATELIMIT_DEFAULT, a blueprint limit) is applied again without anyone
    remembering this.

    The after-request hook (conditional deductions, X-RateLimit headers) and the teardown (which
    clears the request's limit state) run only for a request on which a limit was checked: only a
    check makes that state, and on a request without it both did nothing but make it (~8 us).
    """
    before, after = app.before_request_funcs.get(None, []), app.after_request_funcs.get(None, [])
    teardown = app.teardown_request_funcs.get(None, [])
    check = limiter._check_request_limit
    if check not in before:  # RATELIMIT_ENABLED is off: Flask-Limiter installed no hooks
        return
    limits_on_every_request(limiter)  # fails here, at start-up, if Flask-Limiter renamed what it reads
    [inject] = [
        f
        for f in after
        if isinstance(f, partial) and f.func is Limiter._Limiter__inject_headers and f.args == (limiter,)
    ]
    release = limiter._Limiter__release_context

    def check_request_limit() -> None:
        if limits_on_every_request(limiter):
            check()

    def limit_headers(response: Response) -> Response:
        return inject(response) if hasattr(request_ctx, _LIMIT_STATE) else response

    def release_limit_state(error: BaseException | None = None) -> None:
        if hasattr(request_ctx, _LIMIT_STATE):
            release(error)

    before[before.index(check)] = check_request_limit
    after[after.index(inject)] = limit_headers
    teardown[teardown.index(release)] = release_limit_state


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """SQLite: write-ahead logging lets readers and one writer work at once across workers."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
