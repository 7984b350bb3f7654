"""Background training: an upload becomes a job that trains off the request, followed by its page.

The job's state lives in the database (`TrainingJob`), so any worker can show it; the training
itself runs on a one-thread pool inside the process that took the upload, within an app context
of its own, so no web request ever waits for scikit-learn.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from recommender.extensions import db
from recommender.orm import ProgramUpload, TrainingJob, utcnow
from recommender.services import catalog_import, versions

log = logging.getLogger(__name__)
# A job still queued or running after this long belongs to a worker that stopped (restart, OOM).
STALE_AFTER = dt.timedelta(minutes=30)
FINISHED = ("succeeded", "failed")


class JobRunner:
    """A one-thread pool per process; re-made after a fork so a preloading server stays safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._pid: int | None = None
        self._futures: dict[int, Future[None]] = {}

    def submit(self, app: Flask, job_id: int) -> Future[None]:
        """Run the job soon, in this process, off the request thread."""
        with self._lock:
            if self._executor is None or self._pid != os.getpid():
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="memmatch-train")
                self._pid = os.getpid()
                self._futures.clear()
            future = self._executor.submit(run_job, app, job_id)
            self._futures[job_id] = future
            future.add_done_callback(lambda _f: self._futures.pop(job_id, None))
            return future

    def wait(self, job_id: int, timeout: float | None = None) -> None:
        """Block until a job submitted here finishes (the CLI and tests; never a web request)."""
        future = self._futures.get(job_id)
        if future is not None:
            future.result(timeout=timeout)


def runner_of(app: Flask) -> JobRunner:
    """This app's job runner, made on first use."""
    return app.extensions.setdefault("memmatch.jobs", JobRunner())


def start(session: Session, app: Flask, upload: ProgramUpload, *, actor: str) -> TrainingJob:
    """Queue training for an accepted upload; commits the upload, its audit row and the job together."""
    job = TrainingJob(actor=actor, source_name=upload.source_name, status="queued", error="", upload_id=upload.id)
    session.add(job)
    session.commit()
    runner_of(app).submit(app, job.id)
    return job


def run_job(app: Flask, job_id: int) -> None:
    """Train the job's upload and record the outcome; runs on the pool thread."""
    with app.app_context():
        session = db.session
        job = session.get(TrainingJob, job_id)
        if job is None or job.status != "queued":
            return
        job.status = "running"
        session.commit()
        try:
            upload = session.get(ProgramUpload, job.upload_id) if job.upload_id is not None else None
            if upload is None:
                raise RuntimeError("the job's upload is missing")
            # Re-checked rather than handed over in memory: the job works from what was stored.
            programs_file = catalog_import.check_file(upload.content, upload.source_name)
            outcome = versions.train_version(
                session,
                programs_file,
                app.extensions["memmatch.catalogs"],
                actor=job.actor,
                source_name=upload.source_name,
                models_dir=Path(app.config["MODELS_DIR"]),
                floor=app.config["MODEL_ACCURACY_FLOOR"],
            )
        except Exception as exc:  # anything at all: the page must say the job failed, not spin forever
            session.rollback()
            log.exception("training job failed", extra={"event": "training_failed", "target": str(job_id)})
            job = session.get(TrainingJob, job_id)
            if job is not None:
                job.status, job.finished_at = "failed", utcnow()
                job.error = f"{type(exc).__name__}: {exc}"[:2000]
                versions.audit(session, actor=job.actor, action="train_failed", target=f"job {job_id}",
                               error=job.error[:500])  # fmt: skip
                session.commit()
            return
        job.status, job.finished_at, job.version_id = "succeeded", utcnow(), outcome.version.id
        session.commit()


def get(session: Session, job_id: int) -> TrainingJob | None:
    """A job as it stands; one left unfinished by a stopped worker is marked failed on sight."""
    job = session.get(TrainingJob, job_id, populate_existing=True)
    if job is not None and job.status not in FINISHED and utcnow() - job.created_at > STALE_AFTER:
        job.status, job.finished_at = "failed", utcnow()
        job.error = "interrupted: the worker running this job stopped; upload the file again"
        session.commit()
    return job


def recent(session: Session, limit: int = 10) -> list[TrainingJob]:
    """The latest jobs, newest first."""
    return list(session.scalars(select(TrainingJob).order_by(TrainingJob.id.desc()).limit(limit)))


def to_dict(job: TrainingJob) -> dict[str, object]:
    """The job's status for the JSON poller."""
    return {
        "id": job.id,
        "status": job.status,
        "finished": job.status in FINISHED,
        "source_name": job.source_name,
        "version_id": job.version_id,
        "error": job.error or None,
        "created_at": job.created_at.isoformat(timespec="seconds"),
        "finished_at": job.finished_at.isoformat(timespec="seconds") if job.finished_at else None,
    }
