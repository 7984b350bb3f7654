"""Training jobs without a queue (the embedded default): one job per revision, heartbeats, retry."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from recommender.extensions import db
from recommender.orm import AuditEvent, ModelVersion, TrainingJob, utcnow
from recommender.services import accounts, jobs
from tests.conftest import csrf_token_from, make_app, seed_version
from tests.test_admin import FAST_SCRYPT, admin_client
from tests.test_admin_uploads import job_id_of, smaller_programs, upload


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch):
    monkeypatch.setattr(accounts, "hash_password", lambda password: generate_password_hash(password, FAST_SCRYPT))


def finished_job(app, client, raw=None) -> int:
    job_id = job_id_of(upload(client, raw or smaller_programs()))
    jobs.runner_of(app).wait(job_id, timeout=120)
    return job_id


def test_the_same_revision_uploaded_twice_trains_once(app):
    client = admin_client(app)
    first = finished_job(app, client)
    again = upload(client, smaller_programs(), name="renamed.csv")
    assert job_id_of(again) == first
    with app.app_context():
        assert len(db.session.scalars(select(TrainingJob)).all()) == 1
        assert len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "train")).all()) == 1


def test_a_running_job_whose_heartbeat_stopped_is_failed_with_the_reason_then_retried(app):
    client = admin_client(app)
    job_id = finished_job(app, client)
    with app.app_context():
        job = db.session.get(TrainingJob, job_id)
        # As a worker killed mid-job leaves it: running, no version stored, its last heartbeat a minute ago.
        db.session.delete(db.session.get(ModelVersion, job.version_id))
        job.status, job.version_id, job.finished_at = "running", None, None
        job.worker, job.heartbeat_at = "node-7:4242", utcnow() - dt.timedelta(minutes=1)
        db.session.commit()
    status = client.get(f"/admin/jobs/{job_id}.json").get_json()
    assert status["status"] == "failed" and "node-7:4242" in status["error"] and "stopped" in status["error"]
    page = client.get(f"/admin/jobs/{job_id}").get_data(as_text=True)
    assert "Retry this job" in page
    token = csrf_token_from(page)
    assert client.post(f"/admin/jobs/{job_id}/retry", data={"csrf_token": token}).status_code == 302
    jobs.runner_of(app).wait(job_id, timeout=120)
    status = client.get(f"/admin/jobs/{job_id}.json").get_json()
    assert status["status"] == "succeeded" and status["attempts"] == 2


def test_a_fresh_heartbeat_keeps_a_running_job_running(app):
    client = admin_client(app)
    with app.app_context():
        job = TrainingJob(actor="a", source_name="p.csv", status="running", error="", worker="w:1",
                          heartbeat_at=utcnow(), attempts=1)  # fmt: skip
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    assert client.get(f"/admin/jobs/{job_id}.json").get_json()["status"] == "running"


def test_retry_only_retries_a_failed_job_and_only_once(app):
    client = admin_client(app)
    job_id = finished_job(app, client)
    token = csrf_token_from(client.get("/admin/upload").get_data(as_text=True))
    response = client.post(f"/admin/jobs/{job_id}/retry", data={"csrf_token": token}, follow_redirects=True)
    assert "only a failed job can be" in response.get_data(as_text=True)
    with app.app_context():
        db.session.get(TrainingJob, job_id).status = "failed"
        db.session.commit()
        assert jobs.retry(db.session, app, job_id, actor="a") is True
        assert jobs.retry(db.session, app, job_id, actor="b") is False
    jobs.runner_of(app).wait(job_id, timeout=120)


def test_retry_needs_a_csrf_token_and_a_real_job(app):
    client = admin_client(app)
    job_id = finished_job(app, client)
    assert client.post(f"/admin/jobs/{job_id}/retry").status_code == 400
    token = csrf_token_from(client.get("/admin/upload").get_data(as_text=True))
    assert client.post("/admin/jobs/99999/retry", data={"csrf_token": token}).status_code == 404
    assert client.post("/admin/jobs/99999999999999999999/retry", data={"csrf_token": token}).status_code == 404


def test_an_unreachable_queue_keeps_the_job_queued_without_an_error(database_url, tmp_path, trained):
    app = make_app(database_url, tmp_path, JOB_QUEUE_URL="redis://127.0.0.1:1/0")
    seed_version(app, trained)
    client = admin_client(app)
    job_id = job_id_of(upload(client, smaller_programs()))
    page = client.get(f"/admin/jobs/{job_id}")
    assert page.status_code == 200 and "queued" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(TrainingJob, job_id).status == "queued"
        db.session.remove()
        db.engine.dispose()


def test_the_worker_command_refuses_to_run_without_a_queue(app):
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code != 0 and "JOB_QUEUE_URL is not set" in result.output


def test_two_requests_submitting_one_revision_at_once_make_one_job(app, monkeypatch):
    import threading

    from recommender.orm import ProgramUpload

    raw = smaller_programs()
    import hashlib

    digest = hashlib.sha256(raw).hexdigest()
    dispatched: list[int] = []
    monkeypatch.setattr(jobs, "dispatch", lambda _app, job_id, **_kw: dispatched.append(job_id))
    barrier = threading.Barrier(2)
    results: list[int] = []

    def submit():
        with app.app_context():
            revision = ProgramUpload(actor="a", source_name="p.csv", size_bytes=len(raw), sha256=digest,
                                     status="accepted", error_count=0, content=raw)  # fmt: skip
            db.session.add(revision)
            db.session.commit()
            barrier.wait()
            job, _created = jobs.start(db.session, app, revision, actor="a")
            results.append(job.id)
            db.session.remove()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(results) == 2 and len(set(results)) == 1
    assert dispatched == results[:1]
    with app.app_context():
        assert len(db.session.scalars(select(TrainingJob)).all()) == 1
