"""Shared fixtures: an app on a fresh, migrated database per test, and a model trained once.

Set TEST_DATABASE_URL to run every database test on a real PostgreSQL: each test then gets its
own schema, migrated from empty to head and dropped afterwards.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from recommender import create_app
from recommender.domain.catalog import Catalogs, ProgramsFile, load_catalogs, load_programs
from recommender.extensions import db
from recommender.ml.artifacts import Artifact
from recommender.ml.pipeline import TrainedVersion, train
from recommender.orm import ActiveModel, ModelVersion, utcnow
from recommender.services.bootstrap import upgrade_schema

ROOT = Path(__file__).resolve().parents[1]
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")


def valid_answers(**overrides: Any) -> dict[str, Any]:
    """A complete, valid set of quiz answers (contract keys), with overrides."""
    answers: dict[str, Any] = {
        "interests": ["improving_operations", "analyzing_data"],
        "background": "industrial",
        "experience_years": 4,
        "goal": "supply_chain_manager",
        "industry": "manufacturing",
        "format": "any",
        "pace": "any",
        "max_budget_usd": None,
        "region": "any",
    }
    answers.update(overrides)
    return answers


@pytest.fixture(scope="session")
def catalogs() -> Catalogs:
    return load_catalogs()


@pytest.fixture(scope="session")
def programs_file() -> ProgramsFile:
    return load_programs()


@pytest.fixture(scope="session")
def trained(programs_file: ProgramsFile, catalogs: Catalogs) -> TrainedVersion:
    """The bundled catalogue trained once for the whole session."""
    return train(programs_file, catalogs)


def _postgres_url(schema: str) -> str:
    url = TEST_DATABASE_URL
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix) :]
    return url


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """A fresh, empty database: a SQLite file, or a new schema on TEST_DATABASE_URL."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}", {"connect_args": {"timeout": 15}}
        return
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:16]}"
    plain = re.sub(r"^postgresql\+psycopg://", "postgresql://", TEST_DATABASE_URL)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield (
            _postgres_url(schema),
            {
                "connect_args": {"options": f"-csearch_path={schema}", "connect_timeout": 5},
                "pool_pre_ping": True,
            },
        )
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def app_config(url: str, engine_options: dict[str, Any], tmp_path: Path, **overrides: Any) -> dict[str, Any]:
    """The configuration every test app uses, on the given database."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        "MODELS_DIR": str(tmp_path / "models"),
        "BOOTSTRAP": False,
        "MODEL_REFRESH_SECONDS": 0.0,
        "SESSION_COOKIE_SECURE": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "SUBMISSION_WRITE_MODE": "inline",
    }
    config.update(overrides)
    return config


def make_app(database_url: tuple[str, dict[str, Any]], tmp_path: Path, **overrides: Any) -> Flask:
    """An app for tests on the given database, migrated to head (not yet seeded)."""
    app = create_app(app_config(*database_url, tmp_path, **overrides))
    with app.app_context():
        upgrade_schema()
    return app


def seed_version(app: Flask, trained: TrainedVersion, *, activate: bool = True, actor: str = "test") -> ModelVersion:
    """Store a trained version (and make it active) without training again."""
    metrics = {
        **trained.metrics.to_dict(),
        "programs": trained.program_metrics.to_dict(),
        "catalog": trained.recommender.meta["catalog_coverage"],
    }
    return seed_artifact(
        app,
        trained.version_id,
        trained.artifact,
        metrics,
        len(trained.recommender.programs),
        activate=activate,
        actor=actor,
    )


def seed_artifact(
    app: Flask,
    version_id: str,
    artifact: Artifact,
    metrics: dict[str, Any],
    program_count: int,
    *,
    activate: bool = True,
    actor: str = "test",
) -> ModelVersion:
    """Store a version from its artifact, trained from the bundled programs (and make it active)."""
    with app.app_context():
        version = ModelVersion(
            id=version_id,
            created_by=actor,
            source_name="programs.csv",
            programs_csv=load_programs().raw,
            programs_sha256=load_programs().sha256,
            program_count=program_count,
            artifact_npz=artifact.npz,
            artifact_meta=artifact.meta_json,
            artifact_sha256=artifact.sha256,
            metrics=metrics,
            status="active" if activate else "candidate",
            activated_at=utcnow() if activate else None,
        )
        db.session.add(version)
        db.session.flush()  # the version row must exist before the pointer that references it
        if activate:
            db.session.add(ActiveModel(id=1, version_id=version.id, activated_by=actor))
        db.session.commit()
        db.session.refresh(version)
        db.session.expunge(version)
        return version


@pytest.fixture
def bare_app(database_url: tuple[str, dict[str, Any]], tmp_path: Path) -> Iterator[Flask]:
    """A migrated app with no model version at all."""
    app = make_app(database_url, tmp_path)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(bare_app: Flask, trained: TrainedVersion) -> Flask:
    """A migrated app serving the session's trained version."""
    seed_version(bare_app, trained)
    return bare_app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


def csrf_token_from(html: str) -> str:
    """The CSRF token of the first form in a page."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "page has no CSRF token"
    return match.group(1)
