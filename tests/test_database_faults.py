"""A database that is briefly read-only, or a corrupt SQLite file (issue 10, items 2 and 9).

Read-only is simulated where it bites in production: connections opened while the flag is up are
read-only for their whole life (SQLite `PRAGMA query_only`, as a file opened while immutable;
PostgreSQL `default_transaction_read_only`, as a session on a standby), and stay pooled after
the flag comes down. Every test runs on SQLite and on TEST_DATABASE_URL.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import event, func, select, text
from werkzeug.security import generate_password_hash

from recommender.extensions import db
from recommender.orm import Submission
from recommender.services import accounts
from recommender.services.submissions import SubmissionWriter
from tests.conftest import TEST_DATABASE_URL, valid_answers
from tests.test_admin import FAST_SCRYPT, admin_client, token_of

PYTHON_LEAKS = ("Traceback", "sqlite3.", "psycopg", "OperationalError", "DatabaseError", "InternalError")


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch):
    monkeypatch.setattr(accounts, "hash_password", lambda password: generate_password_hash(password, FAST_SCRYPT))


class ReadOnlyWindow:
    """While `on`, every new connection is read-only for as long as it lives."""

    def __init__(self, app):
        self.app = app
        self.on = False
        with app.app_context():
            self.engine = db.engine
        event.listen(self.engine, "connect", self._connect)

    def _connect(self, dbapi_connection, _record) -> None:
        if not self.on:
            return
        cursor = dbapi_connection.cursor()
        if isinstance(dbapi_connection, sqlite3.Connection):
            cursor.execute("PRAGMA query_only = ON")
        else:
            cursor.execute("SET SESSION default_transaction_read_only = on")
            dbapi_connection.commit()
        cursor.close()

    def start(self) -> None:
        """The files become read-only: connections opened from now on are read-only."""
        self.on = True
        self.engine.dispose()  # so that the pool fills again under the flag

    def end(self) -> None:
        """Writable again; connections already in the pool stay as they were opened."""
        self.on = False

    def remove(self) -> None:
        event.remove(self.engine, "connect", self._connect)


@pytest.fixture
def read_only(app):
    window = ReadOnlyWindow(app)
    yield window
    window.remove()


def submissions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Submission))


def assert_clear_503(response) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    assert response.headers["Retry-After"]
    body = response.get_data(as_text=True)
    assert not [leak for leak in PYTHON_LEAKS if leak in body], body[:500]


def test_a_worker_writes_again_once_the_database_does(app, client, read_only):
    read_only.start()
    for _ in range(3):  # while read-only, writes answer a clear 503 (and readiness says so)
        assert_clear_503(client.post("/api/v1/recommendations", json=valid_answers()))
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json()["checks"]["database"] == "read-only"
    assert "read-only" in ready.get_json()["reason"]
    read_only.end()
    # At most one write meets a connection opened during the window; then the pool is fresh.
    statuses = [client.post("/api/v1/recommendations", json=valid_answers()).status_code for _ in range(10)]
    assert statuses.count(503) <= 1 and statuses[-9:] == [200] * 9, statuses
    readiness = [client.get("/readyz").status_code for _ in range(3)]
    assert readiness[-2:] == [200, 200], readiness
    assert submissions(app) == statuses.count(200)


def test_readiness_fails_while_the_database_cannot_be_written_though_it_reads(app, client, read_only):
    assert client.get("/readyz").status_code == 200
    read_only.start()
    assert client.get("/api/v1/programs").status_code == 200  # reads still work...
    ready = client.get("/readyz")
    assert ready.status_code == 503  # ...but a node that cannot write is not ready
    body = ready.get_json()
    assert body["status"] == "not ready" and body["checks"] == {"database": "read-only", "model": "ok"}
    read_only.end()
    assert [client.get("/readyz").status_code for _ in range(2)][-1] == 200


def test_the_readiness_probe_leaves_nothing_behind(app, client):
    for _ in range(3):
        assert client.get("/readyz").status_code == 200
    with app.app_context():
        from recommender.orm import ReadinessProbe

        assert db.session.scalar(select(func.count()).select_from(ReadinessProbe)) == 0


def test_admin_writes_answer_a_clear_503_while_read_only(app, trained, read_only):
    client = admin_client(app)
    token = token_of(client)
    read_only.start()
    response = client.post(f"/admin/versions/{trained.version_id}/discard", data={"csrf_token": token})
    assert_clear_503(response)
    assert "unavailable" in response.get_data(as_text=True)
    read_only.end()


def test_the_submission_writer_recovers_when_the_database_does(app, trained, read_only):
    writer = SubmissionWriter(app, mode="background", flush_seconds=3600)
    read_only.start()
    for i in range(5):
        writer.add(token=f"t{i}", answers=valid_answers(), model_version_id=trained.version_id,
                   top_specialization="operations_supply_chain", channel="api")  # fmt: skip
    assert writer.flush() == 0 and writer.pending == 5
    read_only.end()
    written = [writer.flush() for _ in range(2)]
    assert sum(written) == 5 and writer.pending == 0, written
    assert submissions(app) == 5


def test_the_submission_writer_backs_off_then_gives_up_and_says_how_many(app, trained, read_only, caplog):
    writer = SubmissionWriter(app, mode="background", flush_seconds=0.05, max_attempts=4)
    read_only.start()
    caplog.set_level(logging.WARNING, logger="recommender.services.submissions")
    started = time.monotonic()
    for i in range(3):
        writer.add(token=f"t{i}", answers=valid_answers(), model_version_id=trained.version_id,
                   top_specialization="operations_supply_chain", channel="api")  # fmt: skip
    deadline = started + 20
    while writer.dropped < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    elapsed = time.monotonic() - started
    assert writer.dropped == 3 and writer.pending == 0
    deferred = [r.detail for r in caplog.records if getattr(r, "event", "") == "submissions_deferred"]
    assert [(d["attempt"], d["retry_in_seconds"]) for d in deferred] == [(1, 0.05), (2, 0.1), (3, 0.2)]
    assert elapsed >= 0.05 + 0.05 + 0.1 + 0.2 - 0.02  # it waited between attempts, it did not spin
    (dropped,) = [r.detail for r in caplog.records if getattr(r, "event", "") == "submissions_dropped"]
    assert dropped["rows"] == 3 and "4 times" in dropped["why"]
    read_only.end()
    assert submissions(app) == 0


def test_rows_the_database_never_took_are_counted_in_the_log_at_shutdown(app, trained, read_only, caplog):
    writer = SubmissionWriter(app, mode="background", flush_seconds=3600)
    read_only.start()
    for i in range(7):
        writer.add(token=f"t{i}", answers=valid_answers(), model_version_id=trained.version_id,
                   top_specialization="operations_supply_chain", channel="api")  # fmt: skip
    caplog.set_level(logging.ERROR, logger="recommender.services.submissions")
    assert writer.close() == 7
    (lost,) = [r.detail for r in caplog.records if getattr(r, "event", "") == "submissions_lost"]
    assert lost == {"rows": 7}
    read_only.end()


def test_one_bad_row_does_not_sink_the_good_ones_beside_it(app, trained):
    writer = SubmissionWriter(app, mode="background", flush_seconds=3600)
    for version in (trained.version_id, "no-such-version", trained.version_id):
        writer.add(token="t", answers=valid_answers(), model_version_id=version,
                   top_specialization="operations_supply_chain", channel="api")  # fmt: skip
    assert writer.flush() == 2
    assert writer.dropped == 1 and submissions(app) == 2


# ----------------------------------------------------------------------------- a corrupt SQLite file


def corrupt_in_place(app) -> bytes:
    """Write garbage over every page but the schema page (what a bad disk or a stray write does);
    returns the good bytes, to put back."""
    with app.app_context():
        db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.session.remove()
        db.engine.dispose()
        path = Path(db.engine.url.database)
    good = path.read_bytes()
    page = 4096
    with path.open("r+b") as file:
        file.seek(page)
        file.write(os.urandom(len(good) - page))
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return good


@pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="a corrupt file is a SQLite matter")
def test_a_corrupt_sqlite_file_answers_503_everywhere_and_readiness_says_corrupt(app, trained):
    admin = admin_client(app)
    assert admin.get("/admin/").status_code == 200
    good = corrupt_in_place(app)
    public = app.test_client()
    ready = public.get("/readyz")
    assert ready.status_code == 503 and ready.get_json()["checks"]["database"] == "corrupt", ready.get_json()
    assert "corrupt" in ready.get_json()["reason"]
    for path in ("/admin/", "/admin/versions", f"/admin/versions/{trained.version_id}", "/admin/audit"):
        page = admin.get(path, headers={"Accept": "text/html"})
        assert_clear_503(page)
        assert "<html" in page.get_data(as_text=True).lower()
    api = public.post("/api/v1/recommendations", json=valid_answers())
    assert_clear_503(api)
    assert api.get_json()["errors"]["_body"]
    # Restored from the backup, the same process serves and writes again: nothing stayed poisoned.
    with app.app_context():
        Path(db.engine.url.database).write_bytes(good)
    assert [public.get("/readyz").status_code for _ in range(2)][-1] == 200
    assert public.post("/api/v1/recommendations", json=valid_answers()).status_code == 200
    assert admin.get("/admin/").status_code == 200


@pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="SQLite's single writer lock")
def test_a_sqlite_database_busy_with_another_writer_is_still_ready_and_readiness_does_not_hang(app, client):
    with app.app_context():
        path = db.engine.url.database
    client.get("/readyz")  # the model is loaded before the lock is taken
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        started = time.monotonic()
        ready = client.get("/readyz")
        waited = time.monotonic() - started
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert ready.status_code == 200, ready.get_json()
    assert waited < 5  # the probe's own 2 s wait, not the app's 15 s
    with app.app_context(), db.engine.connect() as first, db.engine.connect() as second:
        # Both pooled connections (the probe's among them) wait the app's own 15 s again.
        waits = [c.exec_driver_sql("PRAGMA busy_timeout").scalar() for c in (first, second)]
    assert waits == [15000, 15000]
