"""Every upload, edit, revision, job, promotion and discard is in the audit log with actor, target and
reason (issue 11, §5)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.security import generate_password_hash
from werkzeug.test import encode_multipart

from recommender.extensions import db
from recommender.orm import AuditEvent, ModelVersion
from recommender.services import accounts, jobs
from tests.conftest import csrf_token_from
from tests.test_admin import FAST_SCRYPT, admin_client
from tests.test_admin_uploads import job_id_of, smaller_programs
from tests.test_catalog_editor import edit, without_tuition

ACTOR = "admin@example.org"


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch):
    monkeypatch.setattr(accounts, "hash_password", lambda password: generate_password_hash(password, FAST_SCRYPT))


def events(app) -> list[AuditEvent]:
    with app.app_context():
        found = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
        for e in found:
            db.session.expunge(e)
        return found


def test_each_step_of_a_revision_is_audited_with_actor_target_and_reason(app):
    client = admin_client(app)
    token = csrf_token_from(client.get("/admin/upload").get_data(as_text=True))
    fields = {"csrf_token": token, "reason": "Spring data refresh",
              "file": FileStorage(io.BytesIO(smaller_programs()), "spring.csv")}  # fmt: skip
    boundary, body = encode_multipart(MultiDict(fields))
    uploaded = client.post("/admin/upload", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    jobs.runner_of(app).wait(job_id_of(uploaded), timeout=120)
    edited = edit(client, without_tuition(), verified=True, reason="Checked the program page")
    jobs.runner_of(app).wait(job_id_of(edited), timeout=120)
    with app.app_context():
        candidate = db.session.scalars(select(ModelVersion).where(ModelVersion.status == "candidate")).first()
    token = csrf_token_from(client.get(f"/admin/versions/{candidate.id}").get_data(as_text=True))
    client.post(f"/admin/versions/{candidate.id}/discard", data={"csrf_token": token, "reason": "Superseded"})

    by_action: dict[str, list[AuditEvent]] = {}
    for e in events(app):
        by_action.setdefault(e.action, []).append(e)
    for action in ("upload", "job_queued", "train", "job_succeeded", "catalog_edit", "discard"):
        assert action in by_action, (action, sorted(by_action))
        for e in by_action[action]:
            assert e.actor == ACTOR and e.target and e.detail.get("reason"), (action, e.target, e.detail)
    assert by_action["upload"][0].detail["reason"] == "Spring data refresh"
    assert by_action["job_queued"][0].detail["reason"] == "Spring data refresh"
    assert by_action["catalog_edit"][0].detail["reason"] == "Checked the program page"
    assert by_action["discard"][0].detail["reason"] == "Superseded"
    assert by_action["discard"][0].target == candidate.id
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Checked the program page" in page and "Superseded" in page
