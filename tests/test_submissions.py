"""Submissions written behind the response: batched, retried when the database is away."""

from __future__ import annotations

import time

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from recommender.extensions import db
from recommender.orm import Submission
from recommender.services.submissions import SubmissionWriter, writer_of
from tests.conftest import valid_answers


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Submission))


def row(version_id: str, token: str = "t") -> dict:
    return dict(token=token, answers=valid_answers(), model_version_id=version_id,
                top_specialization="operations_supply_chain", channel="api")  # fmt: skip


def test_background_writer_batches_rows_and_flushes(app, trained):
    writer = SubmissionWriter(app, mode="background", flush_seconds=3600)
    for i in range(5):
        writer.add(**row(trained.version_id, token=f"t{i}"))
    assert count(app) == 0 and writer.pending == 5
    assert writer.flush() == 5
    assert count(app) == 5 and writer.pending == 0
    with app.app_context():
        tokens = db.session.scalars(select(Submission.token).order_by(Submission.id)).all()
    assert tokens == [f"t{i}" for i in range(5)]


def test_background_writer_flushes_on_its_own(app, trained):
    writer = SubmissionWriter(app, mode="background", flush_seconds=0.05)
    writer.add(**row(trained.version_id))
    deadline = time.monotonic() + 5
    while count(app) == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert count(app) == 1


def test_rows_wait_while_the_database_is_away(app, trained, monkeypatch):
    writer = SubmissionWriter(app, mode="background", flush_seconds=3600)
    writer.add(**row(trained.version_id))

    def database_down(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("connection refused"))

    with monkeypatch.context() as patch:
        patch.setattr(db.session, "execute", database_down)
        assert writer.flush() == 0
    assert writer.pending == 1 and count(app) == 0
    assert writer.flush() == 1 and count(app) == 1


def test_rows_the_database_will_never_accept_are_dropped_not_retried(app, trained):
    writer = SubmissionWriter(app, mode="background", flush_seconds=3600)
    writer.add(**row("no-such-version"))  # the foreign key refuses it
    assert writer.flush() == 0
    assert writer.pending == 0 and writer.dropped == 1 and count(app) == 0


def test_the_api_stores_inline_in_tests(app, client):
    assert writer_of(app).mode == "inline"
    client.post("/api/v1/recommendations", json=valid_answers())
    assert count(app) == 1
