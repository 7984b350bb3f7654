"""The admin area's migration: it builds exactly the tables the ORM describes, and it reverses."""

from __future__ import annotations

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from recommender.extensions import db
from recommender.services.bootstrap import MIGRATIONS_DIR, upgrade_schema

BEFORE_ADMIN = "f2056e6e159e"


def differences(app) -> list:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_migrations_at_head_match_the_orm(bare_app):
    assert differences(bare_app) == []


def test_the_admin_migration_downgrades_and_upgrades_again(bare_app):
    with bare_app.app_context():
        flask_migrate.downgrade(directory=str(MIGRATIONS_DIR), revision=BEFORE_ADMIN)
        inspector = inspect(db.engine)
        assert "program_uploads" not in inspector.get_table_names()
        assert "upload_id" not in {c["name"] for c in inspector.get_columns("training_jobs")}
        assert "session_epoch" not in {c["name"] for c in inspector.get_columns("admin_users")}
        upgrade_schema()
        assert "program_uploads" in inspect(db.engine).get_table_names()
    assert differences(bare_app) == []
