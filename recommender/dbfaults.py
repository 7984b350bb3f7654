"""Database faults: which errors leave a pooled connection unusable, and a cheap write probe.

SQLAlchemy discards a pooled connection only when it recognises a disconnect. Some faults are not
disconnects to the driver but poison the connection all the same: a SQLite connection opened
while its file was read-only stays read-only after the file is writable again, one to a corrupt
file keeps failing, and a PostgreSQL session that landed on a standby (or started with
`default_transaction_read_only`) refuses every write. The `handle_error` hook below marks those
as disconnects, so SQLAlchemy invalidates the pool and the next checkout opens a fresh connection.
"""

from __future__ import annotations

import secrets
import sqlite3
from typing import Any

from sqlalchemy import event, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

# SQLite primary result codes (the low byte of an extended code).
SQLITE_KINDS = {8: "read-only", 10: "unavailable", 11: "corrupt", 14: "unavailable", 26: "corrupt"}
SQLITE_MESSAGES = {
    "attempt to write a readonly database": "read-only",
    "database disk image is malformed": "corrupt",
    "file is not a database": "corrupt",
    "disk i/o error": "unavailable",
    "unable to open database file": "unavailable",
}
SQLITE_BUSY = 5
# PostgreSQL SQLSTATEs after which this session is of no further use; 08xxx are connection errors.
PG_KINDS = {"25006": "read-only", "57P01": "unavailable", "57P02": "unavailable", "57P03": "unavailable"}
REASONS = {
    "read-only": "the database answers but refuses writes (read-only)",
    "corrupt": "the database file is damaged (corrupt)",
    "unavailable": "the database cannot be reached or opened",
}
PROBE_TIMEOUT_MS = 2000


def fault_kind(error: BaseException | None) -> str | None:
    """'read-only', 'corrupt' or 'unavailable' for a fault that poisons a connection, else None."""
    if isinstance(error, DBAPIError):
        error = error.orig
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        if code is not None and (code & 0xFF) in SQLITE_KINDS:
            return SQLITE_KINDS[code & 0xFF]
        text = str(error).lower()
        return next((kind for message, kind in SQLITE_MESSAGES.items() if message in text), None)
    sqlstate = getattr(error, "sqlstate", None)
    if isinstance(sqlstate, str):
        return "unavailable" if sqlstate.startswith("08") else PG_KINDS.get(sqlstate)
    return None


def _sqlite_busy(error: BaseException) -> bool:
    original = error.orig if isinstance(error, DBAPIError) else error
    code = getattr(original, "sqlite_errorcode", None)
    return code is not None and (code & 0xFF) == SQLITE_BUSY


def _discard_poisoned_connections(context: Any) -> None:
    """Treat poisoning faults as disconnects: the pool drops its connections and opens new ones."""
    if not context.is_disconnect and fault_kind(context.original_exception) is not None:
        context.is_disconnect = True


def install() -> None:
    """Hook every engine's error handling (once per process, whatever number of apps are made)."""
    if not event.contains(Engine, "handle_error", _discard_poisoned_connections):
        event.listen(Engine, "handle_error", _discard_poisoned_connections)


def write_probe(engine: Engine) -> tuple[str, str] | None:
    """None if the database takes a write now, else (kind, reason) for /readyz.

    Reads the active pointer and inserts one row into the always-empty `readiness_probe` table in
    a transaction that is rolled back: nothing is kept, no lock is shared with the app (each probe
    inserts a random key), and a read-only standby, a read-only SQLite file or a corrupt one fails
    it. A SQLite database that is merely busy with another writer counts as writable.
    """
    from recommender.orm import ActiveModel, ReadinessProbe

    try:
        with engine.connect() as connection:
            sqlite = engine.dialect.name == "sqlite"
            transaction = connection.begin()
            wait = connection.exec_driver_sql("PRAGMA busy_timeout").scalar() if sqlite else None
            try:
                if sqlite:
                    connection.exec_driver_sql(f"PRAGMA busy_timeout = {PROBE_TIMEOUT_MS}")
                else:
                    connection.exec_driver_sql(f"SET LOCAL statement_timeout = {PROBE_TIMEOUT_MS}")
                connection.execute(select(ActiveModel.version_id).where(ActiveModel.id == 1))
                connection.execute(insert(ReadinessProbe).values(id=secrets.randbits(62)))
            finally:
                transaction.rollback()
                if sqlite and not connection.invalidated:
                    connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(wait)}")  # the engine's own wait
    except OperationalError as exc:
        if _sqlite_busy(exc):
            return None
        kind = fault_kind(exc) or "unavailable"
        return kind, REASONS[kind]
    except SQLAlchemyError as exc:
        kind = fault_kind(exc)
        return (kind, REASONS[kind]) if kind else ("unavailable", "the database refused the write probe")
    return None
