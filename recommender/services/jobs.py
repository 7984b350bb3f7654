"""Training jobs: a catalogue revision becomes one job, run off the request and followed by its page.

The job's state lives in the database (`TrainingJob`), so any web process shows it. Where it runs
depends on JOB_QUEUE_URL: set, the job is put on an RQ queue and `flask --app wsgi worker` runs it
(`services/job_queue.py`), so the web process never trains; unset (the embedded default), it runs
on a one-thread pool inside the web process that took it. Either way the process running a job
writes a heartbeat; a running job whose heartbeat stopped (its process was killed) is marked failed
with that reason when anyone looks at it, and can be retried from its page.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from recommender.extensions import db
from recommender.orm import ProgramUpload, TrainingJob, utcnow
from recommender.services import catalog_import, job_queue, versions
from recommender.services.state import catalogs_of

log = logging.getLogger(__name__)
# In the embedded mode a queued job lives only in its web process's memory: one still queued
# after this long belongs to a process that stopped (a restart), so it is reported failed.
STALE_AFTER = dt.timedelta(minutes=30)
FINISHED = ("succeeded", "failed")


class JobRunner:
    """A one-thread pool per process; re-made after a fork so a preloading server stays safe."""

    def __init__(self) -> None:
        # Re-entrant: a future that is already done runs its callback inside submit(), under the lock.
        self._lock = threading.RLock()
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
            future.add_done_callback(lambda done: self._forget(job_id, done))
            return future

    def _forget(self, job_id: int, done: Future[None]) -> None:
        # A retried job is submitted again under the same id: only its own entry may be removed.
        with self._lock:
            if self._futures.get(job_id) is done:
                del self._futures[job_id]

    def wait(self, job_id: int, timeout: float | None = None) -> None:
        """Block until a job submitted here finishes (the CLI and tests; never a web request)."""
        future = self._futures.get(job_id)
        if future is not None:
            future.result(timeout=timeout)


def runner_of(app: Flask) -> JobRunner:
    """This app's job runner, made on first use."""
    return app.extensions.setdefault("memmatch.jobs", JobRunner())


def start(session: Session, app: Flask, upload: ProgramUpload, *, actor: str) -> tuple[TrainingJob, bool]:
    """Make sure the upload's revision has a training job, and dispatch it if it is new.

    The upload and its audit row are committed first; then the job, unique per revision. Returns
    (job, created): a revision submitted before (a double click, the same file again) gets the
    job it already has, and nothing is trained twice.
    """
    session.commit()
    existing = session.scalar(select(TrainingJob).where(TrainingJob.revision_sha256 == upload.sha256))
    if existing is not None:
        return existing, False
    job = TrainingJob(
        actor=actor, source_name=upload.source_name, status="queued", error="", upload_id=upload.id,
        revision_sha256=upload.sha256,
    )  # fmt: skip
    session.add(job)
    try:
        session.flush()
    except IntegrityError:  # the same revision submitted at the same moment by another request
        session.rollback()
        found = session.scalar(select(TrainingJob).where(TrainingJob.revision_sha256 == upload.sha256))
        if found is None:
            raise
        return found, False
    why = upload.reason or f"{'edited' if upload.kind == 'edit' else 'uploaded'} {upload.source_name}"
    versions.audit(session, actor=actor, action="job_queued", target=f"job {job.id}", reason=why, upload=upload.id,
                   revision=upload.sha256, queue="rq" if job_queue.enabled(app) else "embedded")  # fmt: skip
    session.commit()
    dispatch(app, job.id, revision_sha256=upload.sha256)
    return job, True


def dispatch(app: Flask, job_id: int, *, revision_sha256: str, force: bool = False) -> None:
    """Hand a queued job to the RQ queue, or to this process's thread when there is no queue."""
    if job_queue.enabled(app):
        try:
            job_queue.enqueue(app, job_id, revision_sha256, force=force)
        except job_queue.QueueUnavailable as exc:
            # The job row is committed: the next worker to start, or its page, puts it on the queue.
            log.warning("job not queued yet", extra={"event": "job_enqueue_deferred", "target": str(job_id),
                        "detail": {"error": str(exc)[:200]}})  # fmt: skip
        return
    runner_of(app).submit(app, job_id)


def retry(session: Session, app: Flask, job_id: int, *, actor: str) -> bool:
    """Queue a failed job again; False when it is not failed (already retried, or still running).

    One conditional update decides, so two clicks (or two admins) retry it once.
    """
    found = session.get(TrainingJob, job_id, populate_existing=True)
    previous = found.error if found is not None else ""
    result = session.execute(
        update(TrainingJob)
        .where(TrainingJob.id == job_id, TrainingJob.status == "failed")
        .values(status="queued", error="", finished_at=None, heartbeat_at=None, worker="")
    )
    if result.rowcount != 1:
        session.rollback()
        return False
    job = session.get(TrainingJob, job_id, populate_existing=True)
    versions.audit(session, actor=actor, action="job_retry", target=f"job {job_id}", attempts=job.attempts,
                   reason=f"retried after: {previous}"[:500])  # fmt: skip
    session.commit()
    dispatch(app, job_id, revision_sha256=job.revision_sha256 or "", force=True)
    return True


def perform(job_id: int) -> None:
    """The RQ entry point: run one job inside the worker's app."""
    run_job(current_app._get_current_object(), job_id)


def worker_name() -> str:
    """This process as a job's page names it: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"[:255]


def run_job(app: Flask, job_id: int) -> None:
    """Train the job's revision and record the outcome (on the pool thread, or in an RQ worker)."""
    with app.app_context():
        session = db.session
        # queued -> running in one conditional update: of two processes handed the same job, one runs it.
        claimed = session.execute(
            update(TrainingJob)
            .where(TrainingJob.id == job_id, TrainingJob.status == "queued")
            .values(status="running", worker=worker_name(), heartbeat_at=utcnow(), attempts=TrainingJob.attempts + 1)
        )
        session.commit()
        if claimed.rowcount != 1:
            return
        job = session.get(TrainingJob, job_id, populate_existing=True)
        attempt = job.attempts
        stop = threading.Event()
        beat = threading.Thread(
            target=_heartbeat, args=(app, job_id, stop), name=f"job-{job_id}-heartbeat", daemon=True
        )
        beat.start()
        try:
            upload = session.get(ProgramUpload, job.upload_id) if job.upload_id is not None else None
            if upload is None:
                raise RuntimeError("the job's upload is missing")
            # Re-checked rather than handed over in memory: the job works from what was stored.
            programs_file = catalog_import.check_file(upload.content, upload.source_name)
            outcome = versions.train_version(
                session,
                programs_file,
                catalogs_of(app),
                actor=job.actor,
                source_name=upload.source_name,
                models_dir=Path(app.config["MODELS_DIR"]),
                floor=app.config["MODEL_ACCURACY_FLOOR"],
            )
        except Exception as exc:  # anything at all: the page must say the job failed, not spin forever
            stop.set()
            session.rollback()
            log.exception("training job failed", extra={"event": "training_failed", "target": str(job_id)})
            error = f"{type(exc).__name__}: {exc}"[:2000]
            _finish(session, job_id, attempt, status="failed", error=error)
            versions.audit(session, actor=job.actor, action="train_failed", target=f"job {job_id}",
                           reason=error[:500], worker=worker_name())  # fmt: skip
            session.commit()
            return
        finally:
            stop.set()
            beat.join(timeout=5)
        _finish(session, job_id, attempt, status="succeeded", version_id=outcome.version.id)
        versions.audit(session, actor=job.actor, action="job_succeeded", target=f"job {job_id}",
                       reason=f"trained candidate {outcome.version.id}", version=outcome.version.id, attempts=attempt,
                       worker=worker_name())  # fmt: skip
        session.commit()


def _finish(session: Session, job_id: int, attempt: int, **values: object) -> None:
    # Only this attempt's outcome is written: a job that was retried meanwhile belongs to the retry.
    session.execute(
        update(TrainingJob)
        .where(TrainingJob.id == job_id, TrainingJob.attempts == attempt)
        .values(finished_at=utcnow(), **values)
    )


def _heartbeat(app: Flask, job_id: int, stop: threading.Event) -> None:
    """Say every JOB_HEARTBEAT_SECONDS that this job's process is alive (its own connection)."""
    interval = app.config["JOB_HEARTBEAT_SECONDS"]
    with app.app_context():
        while not stop.wait(interval):
            try:
                db.session.execute(
                    update(TrainingJob)
                    .where(TrainingJob.id == job_id, TrainingJob.status == "running")
                    .values(heartbeat_at=utcnow())
                )
                db.session.commit()
            except Exception:  # a missed beat is retried next time; the job itself goes on
                db.session.rollback()
                log.warning("job heartbeat not written", exc_info=True)
        db.session.remove()


def reconcile(session: Session, app: Flask, job: TrainingJob) -> TrainingJob:
    """Bring an unfinished job's row in line with what really happened to it, and return it.

    A running job without a heartbeat for JOB_STALE_SECONDS was killed with its process; with a
    queue, a queued job the queue does not hold (lost between commit and enqueue) is queued again,
    and one RQ itself failed (e.g. abandoned) is marked failed with RQ's reason.
    """
    if job.status in FINISHED:
        return job
    now = utcnow()
    reason = None
    stale = dt.timedelta(seconds=app.config["JOB_STALE_SECONDS"])
    if job.status == "running" and (job.heartbeat_at is None or now - job.heartbeat_at > stale):
        since = job.heartbeat_at.strftime("%H:%M:%S UTC") if job.heartbeat_at else "it started"
        reason = (f"interrupted: the worker running this job ({job.worker or 'unknown'}) stopped; no heartbeat "
                  f"since {since}. Retry it")  # fmt: skip
    elif job_queue.enabled(app):
        try:
            state, rq_reason = job_queue.state_of(app, job.revision_sha256 or "")
        except job_queue.QueueUnavailable:
            return job
        if state == "failed":
            reason = f"the queue reported it failed: {rq_reason}. Retry it"
        elif state == "missing" and job.status == "queued":
            dispatch(app, job.id, revision_sha256=job.revision_sha256 or "")
    elif job.status == "queued" and now - job.created_at > STALE_AFTER:
        reason = "interrupted: the web process holding this job stopped before it ran. Retry it"
    if reason is None:
        return job
    result = session.execute(
        update(TrainingJob)
        .where(TrainingJob.id == job.id, TrainingJob.status == job.status, TrainingJob.attempts == job.attempts)
        .values(status="failed", finished_at=now, error=reason)
    )
    if result.rowcount == 1:
        versions.audit(session, actor="system", action="job_abandoned", target=f"job {job.id}", reason=reason,
                       worker=job.worker)  # fmt: skip
    session.commit()
    return session.get(TrainingJob, job.id, populate_existing=True)


def reconcile_unfinished(session: Session, app: Flask) -> int:
    """Reconcile every unfinished job (a worker does this as it starts); returns how many it saw."""
    unfinished = list(session.scalars(select(TrainingJob).where(TrainingJob.status.in_(("queued", "running")))))
    for job in unfinished:
        reconcile(session, app, job)
    return len(unfinished)


def get(session: Session, job_id: int) -> TrainingJob | None:
    """A job as it stands, reconciled with its process and queue."""
    job = session.get(TrainingJob, job_id, populate_existing=True)
    if job is None:
        return None
    return reconcile(session, current_app._get_current_object(), job)


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
        "attempts": job.attempts,
        "worker": job.worker or None,
        "created_at": job.created_at.isoformat(timespec="seconds"),
        "finished_at": job.finished_at.isoformat(timespec="seconds") if job.finished_at else None,
    }
