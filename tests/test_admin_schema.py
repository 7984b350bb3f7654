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


def test_a_served_version_left_a_candidate_is_marked_active_by_the_upgrade(bare_app, trained):
    # What a first start on PostgreSQL left before the pointer fix: the pointer names a version
    # whose status still says candidate. The data migration marks it active with the pointer's time.
    from sqlalchemy import text

    from tests.conftest import seed_version

    with bare_app.app_context():
        flask_migrate.downgrade(directory=str(MIGRATIONS_DIR), revision="d3a9c6e1f8b2")
    served = seed_version(bare_app, trained, activate=False)
    with bare_app.app_context():
        db.session.execute(
            text(
                "INSERT INTO model_versions (id, created_at, created_by, source_name, programs_csv, programs_sha256,"
                " program_count, artifact_npz, artifact_meta, artifact_sha256, metrics, status)"
                " SELECT 'other', created_at, created_by, source_name, programs_csv, programs_sha256, program_count,"
                " artifact_npz, artifact_meta, artifact_sha256, metrics, 'candidate' FROM model_versions"
            )
        )
        db.session.execute(
            text("INSERT INTO active_model (id, version_id, activated_at, activated_by) VALUES (1, :v, :t, 'x')"),
            {"v": served.id, "t": "2026-11-30 08:00:00.000000"},
        )
        db.session.commit()
        upgrade_schema()
        rows = dict(db.session.execute(text("SELECT id, status FROM model_versions")).all())
        activated = db.session.execute(
            text("SELECT activated_at FROM model_versions WHERE id = :v"), {"v": served.id}
        ).scalar_one()
    assert rows == {served.id: "active", "other": "candidate"}
    assert str(activated).startswith("2026-11-30 08:00:00")
