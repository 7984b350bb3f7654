"""Migrations from empty to head, down to base and up again, on SQLite and on a real PostgreSQL.

The PostgreSQL cases need TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test); each
runs in a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select, text

from recommender import create_app
from recommender.extensions import db
from recommender.orm import ModelVersion
from recommender.services.bootstrap import MIGRATIONS_DIR
from tests.conftest import TEST_DATABASE_URL, seed_version, valid_answers

ROOT = Path(__file__).resolve().parents[1]
NO_POSTGRES = "set TEST_DATABASE_URL=postgresql://USER@HOST:PORT/DB to run against a real PostgreSQL"


def _plain(url: str) -> str:
    return re.sub(r"^postgresql\+psycopg://", "postgresql://", url)


@pytest.fixture
def postgres_schema() -> Iterator[str]:
    if not TEST_DATABASE_URL:
        pytest.skip(NO_POSTGRES)
    import psycopg

    schema = f"m_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(_plain(TEST_DATABASE_URL), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield schema
    finally:
        with psycopg.connect(_plain(TEST_DATABASE_URL), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path) -> tuple[str, dict]:
    """An empty database: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.sqlite3'}", {"connect_args": {"timeout": 15}}
    schema = request.getfixturevalue("postgres_schema")
    url = "postgresql+psycopg://" + _plain(TEST_DATABASE_URL).removeprefix("postgresql://")
    return url, {"connect_args": {"options": f"-csearch_path={schema}", "connect_timeout": 5}, "pool_pre_ping": True}


def _app(database: tuple[str, dict], tmp_path):
    url, options = database
    return create_app({
        "TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": options, "MODELS_DIR": str(tmp_path / "models"), "BOOTSTRAP": False,
        "MODEL_REFRESH_SECONDS": 0.0, "SUBMISSION_WRITE_MODE": "inline",
    })  # fmt: skip


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def _head() -> str:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_current_head()


def test_migrations_empty_to_head_to_base_and_back(empty_database, tmp_path, trained):
    app = _app(empty_database, tmp_path)
    expected = set(db.metadata.tables)
    with app.app_context():
        assert _tables() == set(), "the database starts empty"

        flask_migrate.upgrade(directory=str(MIGRATIONS_DIR))
        assert _tables() == expected | {"alembic_version"}
        assert db.session.execute(text("SELECT version_num FROM alembic_version")).scalar() == _head()
        with db.engine.connect() as connection:
            drift = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert drift == [], "the ORM and the migrations describe the same schema"

        flask_migrate.downgrade(directory=str(MIGRATIONS_DIR), revision="base")
        assert _tables() <= {"alembic_version"}, "downgrade to base removes every table"

        flask_migrate.upgrade(directory=str(MIGRATIONS_DIR))
        assert _tables() == expected | {"alembic_version"}
        db.session.remove()

    seed_version(app, trained)
    client = app.test_client()
    answer = client.post("/api/v1/recommendations", json=valid_answers())
    assert answer.status_code == 200, "the re-created schema serves"
    assert client.get(answer.get_json()["result_url"]).status_code == 200
    with app.app_context():
        db.engine.dispose()


def _first_start(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", "import wsgi"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_processes_starting_at_once_migrate_and_train_once(backend, tmp_path, request):
    """The first-start lock (a file lock on SQLite, an advisory lock on PostgreSQL) lets one win."""
    env = {**os.environ, "MEMMATCH_ENV": "development", "SECRET_KEY": "x", "MODELS_DIR": str(tmp_path / "models")}
    if backend == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'first.sqlite3'}"
        database = (env["DATABASE_URL"], {})
    else:
        schema = request.getfixturevalue("postgres_schema")
        env["DATABASE_URL"] = f"{_plain(TEST_DATABASE_URL)}?options=-csearch_path%3D{schema}"
        database = (
            "postgresql+psycopg://" + _plain(TEST_DATABASE_URL).removeprefix("postgresql://"),
            {"connect_args": {"options": f"-csearch_path={schema}"}},
        )
    starts = [_first_start(env) for _ in range(2)]
    for start in starts:
        output, _ = start.communicate(timeout=180)
        assert start.returncode == 0, output[-3000:]
    app = _app(database, tmp_path)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ModelVersion)) == 1
        assert db.session.execute(text("SELECT version_num FROM alembic_version")).scalar() == _head()
        db.session.remove()  # give the connection back before the pool is closed, or it leaks
        db.engine.dispose()
