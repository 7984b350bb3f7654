"""The RQ side of training jobs: enqueue one RQ job per catalogue revision, read its fate, run workers.

Used only when JOB_QUEUE_URL is set. The RQ job id is derived from the revision's sha256, so a
revision is on the queue at most once however often it is submitted. Workers are RQ
`SimpleWorker`s: a job runs in the worker process itself, so a worker that is killed takes its job
with it (nothing trains on unsupervised), and the heartbeat it stops writing tells the job's page.
"""

from __future__ import annotations

import logging

from flask import Flask
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, SimpleWorker
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry

log = logging.getLogger(__name__)
ENTRY_POINT = "recommender.services.jobs.perform"
RESULT_TTL = 7 * 24 * 3600
LIVE = (JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED)


class QueueUnavailable(RuntimeError):
    """Redis could not be reached; the job row stays queued and is enqueued later."""


def enabled(app: Flask) -> bool:
    """Whether training goes through the RQ queue (JOB_QUEUE_URL is set)."""
    return bool(app.config.get("JOB_QUEUE_URL"))


def rq_job_id(queue_name: str, revision_sha256: str) -> str:
    """The RQ job id of a catalogue revision: the same revision, the same id."""
    return f"{queue_name}-{revision_sha256}"


def connection(app: Flask) -> Redis:
    """A Redis connection for the queue (short timeouts: a request never hangs on Redis)."""
    return Redis.from_url(app.config["JOB_QUEUE_URL"], socket_timeout=5, socket_connect_timeout=3)


def queue(app: Flask, conn: Redis | None = None) -> Queue:
    """The training queue."""
    return Queue(app.config["JOB_QUEUE_NAME"], connection=conn or connection(app))


def enqueue(app: Flask, job_id: int, revision_sha256: str, *, force: bool = False) -> None:
    """Put a job on the queue unless its revision is already there; `force` replaces a dead entry."""
    try:
        conn = connection(app)
        q = queue(app, conn)
        rq_id = rq_job_id(app.config["JOB_QUEUE_NAME"], revision_sha256)
        try:
            existing = Job.fetch(rq_id, connection=conn)
        except NoSuchJobError:
            existing = None
        if existing is not None:
            if existing.get_status() in LIVE and not force:
                return
            # A failed, finished or abandoned entry (the database says the job is queued again):
            # delete() also takes it out of whichever registry holds it.
            existing.delete()
        q.enqueue(
            ENTRY_POINT,
            job_id,
            job_id=rq_id,
            job_timeout=app.config["JOB_TIMEOUT_SECONDS"],
            result_ttl=RESULT_TTL,
            failure_ttl=RESULT_TTL,
            description=f"train job {job_id}",
        )
    except RedisError as exc:
        raise QueueUnavailable(str(exc)) from exc


def state_of(app: Flask, revision_sha256: str) -> tuple[str, str]:
    """What RQ knows of a revision's job: (`missing` | `live` | `failed` | `finished`, reason)."""
    try:
        conn = connection(app)
        q = queue(app, conn)
        # Moves entries whose worker stopped heartbeating into the failed registry (AbandonedJobError).
        StartedJobRegistry(queue=q).cleanup()
        try:
            job = Job.fetch(rq_job_id(app.config["JOB_QUEUE_NAME"], revision_sha256), connection=conn)
        except NoSuchJobError:
            return "missing", ""
        status = job.get_status()
    except RedisError as exc:
        raise QueueUnavailable(str(exc)) from exc
    if status in LIVE:
        return "live", ""
    if status in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
        result = job.latest_result()
        text = (result.exc_string if result is not None and result.exc_string else "") or status.value
        return "failed", text.strip().splitlines()[-1][:300]
    return "finished", ""


def run_worker(app: Flask, *, burst: bool = False, name: str | None = None) -> None:
    """Run one RQ worker on the training queue, in this process, until stopped (or empty, if burst)."""
    try:
        conn = connection(app)
        worker = SimpleWorker([queue(app, conn)], connection=conn, name=name)
        worker.work(burst=burst, with_scheduler=False, logging_level=app.config.get("LOG_LEVEL", "INFO"))
    except RedisError as exc:
        raise QueueUnavailable(str(exc)) from exc
