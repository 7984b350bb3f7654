"""Training on RQ with a real Redis and real `flask --app wsgi worker` processes (issue 11, §3).

Set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/4) to run these; each test uses a queue of its own
and deletes its keys afterwards.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from redis import Redis
from rq import Queue
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from recommender.extensions import db
from recommender.orm import AuditEvent, ModelVersion, ProgramUpload, TrainingJob
from recommender.services import accounts
from tests.conftest import csrf_token_from, make_app, seed_version
from tests.test_admin import FAST_SCRYPT, admin_client
from tests.test_admin_uploads import job_id_of, program_rows, smaller_programs, to_csv, upload

ROOT = Path(__file__).resolve().parents[1]
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
pytestmark = pytest.mark.skipif(not TEST_REDIS_URL, reason="set TEST_REDIS_URL to a real Redis to test the RQ queue")


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch):
    monkeypatch.setattr(accounts, "hash_password", lambda password: generate_password_hash(password, FAST_SCRYPT))


def queue_config(queue_name: str) -> dict[str, object]:
    return {
        "JOB_QUEUE_URL": TEST_REDIS_URL,
        "JOB_QUEUE_NAME": queue_name,
        "JOB_HEARTBEAT_SECONDS": 0.3,
        "JOB_STALE_SECONDS": 3.0,
    }


@pytest.fixture
def queue_name() -> Iterator[str]:
    name = f"memmatch-test-{uuid.uuid4().hex[:10]}"
    yield name
    redis = Redis.from_url(TEST_REDIS_URL)
    keys = list(redis.scan_iter(match=f"*{name}*"))
    if keys:
        redis.delete(*keys)
    for registry in ("rq:queues", "rq:workers"):
        members = [m for m in redis.smembers(registry) if name.encode() in m]
        if members:
            redis.srem(registry, *members)


@pytest.fixture
def queue_app(database_url, tmp_path: Path, trained, queue_name) -> Iterator[Flask]:
    app = make_app(database_url, tmp_path, **queue_config(queue_name))
    seed_version(app, trained)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def subprocess_database_url(database_url: tuple[str, dict]) -> str:
    url, options = database_url
    search_path = options.get("connect_args", {}).get("options", "")
    return f"{url}?options={search_path.replace('=', '%3D')}" if search_path else url


def start_worker(database_url, tmp_path: Path, queue_name: str, *, burst: bool) -> subprocess.Popen:
    """`flask --app wsgi worker` as a deployment runs it, sharing the test's database and queue."""
    env = dict(os.environ)
    env.update(
        MEMMATCH_ENV="development",
        SECRET_KEY="x" * 40,
        DATABASE_URL=subprocess_database_url(database_url),
        MODELS_DIR=str(tmp_path / "worker-models"),
        MEMMATCH_BOOTSTRAP="0",
        LOG_LEVEL="WARNING",
        **{k: str(v) for k, v in queue_config(queue_name).items()},
    )
    name = f"{queue_name}-w{time.monotonic_ns()}"  # so the fixture finds and deletes its keys
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--name", name] + (
        ["--burst"] if burst else []
    )
    with (tmp_path / f"worker-{time.monotonic_ns()}.log").open("wb") as log:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


def job_row(app: Flask, job_id: int) -> TrainingJob:
    with app.app_context():
        job = db.session.get(TrainingJob, job_id)
        db.session.expunge(job)
        return job


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def big_catalogue(copies: int) -> bytes:
    """The bundled programs repeated under new ids: valid, and slow enough to kill mid-training."""
    rows = program_rows()
    out = []
    for n in range(copies):
        for row in rows:
            out.append({**row, "id": f"{row['id']}-c{n}"})
    return to_csv(out)


def test_an_upload_is_queued_not_trained_by_the_web_and_a_worker_runs_it(queue_app, database_url, tmp_path, queue_name):
    client = admin_client(queue_app)
    job_id = job_id_of(upload(client, smaller_programs()))
    assert Queue(queue_name, connection=Redis.from_url(TEST_REDIS_URL)).count == 1
    time.sleep(1.0)  # the embedded runner would have started by now
    assert job_row(queue_app, job_id).status == "queued"
    page = client.get(f"/admin/jobs/{job_id}").get_data(as_text=True)
    assert "the job queue (a worker process)" in page and 'http-equiv="refresh"' in page

    # The web server restarts before any worker picks the job up: a new app, the same database.
    with queue_app.app_context():
        db.engine.dispose()
    restarted = make_app(database_url, tmp_path, **queue_config(queue_name))
    worker = start_worker(database_url, tmp_path, queue_name, burst=True)
    assert worker.wait(timeout=180) == 0
    fresh = admin_client_for(restarted)
    status = fresh.get(f"/admin/jobs/{job_id}.json").get_json()
    assert status["status"] == "succeeded", status
    assert status["worker"].endswith(f":{worker.pid}")
    with restarted.app_context():
        version = db.session.get(ModelVersion, status["version_id"])
        assert version.status == "candidate" and version.programs_csv == smaller_programs()


def admin_client_for(app: Flask):
    client = app.test_client()
    from tests.test_admin import login

    assert login(client).status_code == 302
    return client


def test_a_revision_submitted_twice_is_one_job_on_the_queue(queue_app, queue_name):
    client = admin_client(queue_app)
    first = job_id_of(upload(client, smaller_programs()))
    second = upload(client, smaller_programs(), name="the-same-again.csv")
    assert job_id_of(second) == first
    assert "submitted before, as job #" in client.get(f"/admin/jobs/{first}").get_data(as_text=True)
    assert Queue(queue_name, connection=Redis.from_url(TEST_REDIS_URL)).count == 1
    with queue_app.app_context():
        assert len(db.session.scalars(select(TrainingJob)).all()) == 1


def test_a_worker_killed_mid_job_marks_it_failed_with_the_reason_and_it_can_be_retried(
    queue_app, database_url, tmp_path, queue_name
):
    client = admin_client(queue_app)
    job_id = job_id_of(upload(client, big_catalogue(30), name="big.csv"))
    worker = start_worker(database_url, tmp_path, queue_name, burst=False)
    try:
        wait_for(lambda: job_row(queue_app, job_id).status == "running", 60, "the worker to start the job")
        time.sleep(0.5)
        assert job_row(queue_app, job_id).status == "running", "the job finished before it could be killed"
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)

    status = wait_for(
        lambda: (s := client.get(f"/admin/jobs/{job_id}.json").get_json())["finished"] and s, 20, "the job to fail"
    )
    assert status["status"] == "failed"
    assert "stopped" in status["error"] and str(worker.pid) in status["error"]
    page = client.get(f"/admin/jobs/{job_id}").get_data(as_text=True)
    assert "Retry this job" in page and 'http-equiv="refresh"' not in page
    with queue_app.app_context():
        abandoned = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "job_abandoned")).all()
        assert [a.target for a in abandoned] == [f"job {job_id}"]

    token = csrf_token_from(page)
    assert client.post(f"/admin/jobs/{job_id}/retry", data={"csrf_token": token}).status_code == 302
    # A second click on a stale page retries nothing more.
    assert client.post(f"/admin/jobs/{job_id}/retry", data={"csrf_token": token}).status_code == 302
    assert Queue(queue_name, connection=Redis.from_url(TEST_REDIS_URL)).count == 1
    again = start_worker(database_url, tmp_path, queue_name, burst=True)
    assert again.wait(timeout=300) == 0
    status = client.get(f"/admin/jobs/{job_id}.json").get_json()
    assert (status["status"], status["attempts"]) == ("succeeded", 2), status
    with queue_app.app_context():
        assert len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "job_retry")).all()) == 1


def test_a_job_committed_but_never_enqueued_is_picked_up_when_a_worker_starts(
    queue_app, database_url, tmp_path, queue_name
):
    raw = smaller_programs(drop=7)
    with queue_app.app_context():
        import hashlib

        digest = hashlib.sha256(raw).hexdigest()
        revision = ProgramUpload(actor="a@example.org", source_name="lost.csv", size_bytes=len(raw), sha256=digest,
                                 status="accepted", error_count=0, content=raw)  # fmt: skip
        db.session.add(revision)
        db.session.flush()
        job = TrainingJob(actor="a@example.org", source_name="lost.csv", status="queued", error="",
                          upload_id=revision.id, revision_sha256=digest)  # fmt: skip
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    assert Queue(queue_name, connection=Redis.from_url(TEST_REDIS_URL)).count == 0
    worker = start_worker(database_url, tmp_path, queue_name, burst=True)
    assert worker.wait(timeout=180) == 0
    assert job_row(queue_app, job_id).status == "succeeded"
