"""First start: migrate the schema to head and, if no version exists, train and activate one."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

import flask_migrate
from filelock import FileLock
from flask import Flask
from sqlalchemy import text

from recommender.domain.catalog import Catalogs, load_programs
from recommender.extensions import db
from recommender.services import versions

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
# Any fixed 64-bit number; names the PostgreSQL advisory lock that serialises first start.
BOOTSTRAP_LOCK_KEY = 0x4D454D4D41544348


@contextlib.contextmanager
def startup_lock(app: Flask) -> Iterator[None]:
    """One process at a time migrates and trains on first start, on one machine or many."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": BOOTSTRAP_LOCK_KEY})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": BOOTSTRAP_LOCK_KEY})
    else:
        # SQLite is one file on one machine: a lock file beside the instance folder is enough.
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        with FileLock(str(Path(app.instance_path) / "startup.lock"), timeout=300):
            yield


def upgrade_schema() -> None:
    """Apply every Alembic migration up to head."""
    flask_migrate.upgrade(directory=str(MIGRATIONS_DIR))


def ensure_active_version(app: Flask, catalogs: Catalogs) -> str | None:
    """Train and activate a version from the bundled programs file when none is active."""
    session = db.session
    current = versions.active_version(session)
    if current is not None:
        return None
    programs_path = Path(app.config["PROGRAMS_FILE"])
    log.info("no active model version: training from %s", programs_path)
    outcome = versions.train_version(
        session,
        load_programs(programs_path),
        catalogs,
        actor="system:first-start",
        source_name=programs_path.name,
        models_dir=Path(app.config["MODELS_DIR"]),
        floor=app.config["MODEL_ACCURACY_FLOOR"],
        activate=True,
        # The very first version has nothing to compare with; a bundled catalogue that misses
        # the floor is a bug to fix, but the site should still come up and say which version.
        force=True,
    )
    log.info("first version %s: %s", outcome.version.id, outcome.gate.reason if outcome.gate else "")
    return outcome.version.id


def bootstrap(app: Flask, catalogs: Catalogs) -> None:
    """Migrate and make sure a version is active; safe to run from many processes at once."""
    with app.app_context(), startup_lock(app):
        upgrade_schema()
        ensure_active_version(app, catalogs)
        db.session.remove()
