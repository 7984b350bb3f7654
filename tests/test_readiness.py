"""/readyz says whether this process can serve (database reachable, model loaded); /healthz only that it lives."""

from __future__ import annotations

import socket

import pytest
from flask import Flask

from recommender import create_app
from recommender.extensions import db
from recommender.services.bootstrap import upgrade_schema
from tests.conftest import app_config, seed_version, valid_answers


def closed_port() -> int:
    """A loopback port nothing listens on: connections to it are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_on(url: str, tmp_path, **engine_options) -> Flask:
    # Not make_app: that migrates, and these databases are unreachable on purpose.
    return create_app(app_config(url, engine_options, tmp_path))


@pytest.fixture
def unreachable_postgres(tmp_path):
    app = app_on(
        f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/memmatch",
        tmp_path,
        pool_pre_ping=True,
        connect_args={"connect_timeout": 2},
    )
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def missing_sqlite(tmp_path):
    """SQLite in a directory that does not exist (yet): 'unable to open database file'."""
    path = tmp_path / "not-yet" / "memmatch.sqlite3"
    app = app_on(f"sqlite:///{path}", tmp_path, connect_args={"timeout": 1})
    yield app, path
    with app.app_context():
        db.engine.dispose()


def assert_not_ready_but_alive(app: Flask) -> None:
    client = app.test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json()["checks"]["database"] == "unavailable"
    assert ready.get_json()["status"] == "not ready"
    alive = client.get("/healthz")
    assert alive.status_code == 200
    assert alive.get_json()["status"] == "ok"


def test_postgres_on_a_closed_port(unreachable_postgres):
    assert_not_ready_but_alive(unreachable_postgres)


def test_sqlite_file_that_cannot_be_opened(missing_sqlite):
    assert_not_ready_but_alive(missing_sqlite[0])


def test_requests_that_need_the_database_answer_a_clear_503(unreachable_postgres):
    client = unreachable_postgres.test_client()
    api = client.post("/api/v1/recommendations", json=valid_answers())
    assert api.status_code == 503
    assert api.headers["Retry-After"]
    assert api.get_json()["errors"]["_body"][0]
    page = client.get("/results/20260101-000000-00000000.AQIDBAUGBwgJAAAA_w", headers={"Accept": "text/html"})
    assert page.status_code in (404, 503)
    if page.status_code == 503:
        assert page.headers["Retry-After"]
        assert "unavailable" in page.get_data(as_text=True).lower()


def test_readiness_returns_without_a_restart_once_the_database_does(missing_sqlite, trained):
    app, path = missing_sqlite
    client = app.test_client()
    assert client.get("/readyz").status_code == 503
    assert client.post("/api/v1/recommendations", json=valid_answers()).status_code == 503
    path.parent.mkdir()  # the database "comes back"
    with app.app_context():
        upgrade_schema()
    seed_version(app, trained)
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json() == {
        "status": "ready",
        "checks": {"database": "ok", "model": "ok"},
        "model_version": trained.version_id,
    }
    assert client.post("/api/v1/recommendations", json=valid_answers()).status_code == 200


def test_not_ready_until_a_model_is_loaded(bare_app):
    client = bare_app.test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json()["checks"] == {"database": "ok", "model": "not loaded"}
    assert client.get("/healthz").status_code == 200


def test_ready_when_both_are_there(client, trained):
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["model_version"] == trained.version_id
