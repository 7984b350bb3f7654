"""Unbound Flask extensions, bound to the app in `create_app`."""

import sqlite3
from typing import Any

from flask import Flask
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
    """Run Flask-Limiter's before-request check only while `limits_on_every_request` says it has work.

    With no such limits (this app's case: only the login is limited, by decorators) the check
    resolved an empty list on every request, some 50 us of a quiz answer. It is not removed but
    gated, so a limit for every route added later (RATELIMIT_DEFAULT, a blueprint limit) is
    applied again without anyone remembering this.
    """
    hooks = app.before_request_funcs.get(None, [])
    check = limiter._check_request_limit
    if check not in hooks:  # RATELIMIT_ENABLED is off: Flask-Limiter installed no hooks
        return
    limits_on_every_request(limiter)  # fails here, at start-up, if Flask-Limiter renamed what it reads

    def check_request_limit() -> None:
        if limits_on_every_request(limiter):
            check()

    hooks[hooks.index(check)] = check_request_limit


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """SQLite: write-ahead logging lets readers and one writer work at once across workers."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
