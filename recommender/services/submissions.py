"""Storing submissions for analytics without putting a database commit on every request.

In "background" mode (production default) each process queues submissions and one thread writes
them in batches, every `SUBMISSION_FLUSH_SECONDS` or `BATCH` rows. A submission is analytics, not
state the user depends on (the permanent link carries its answers), so a crash can lose at most
the last moments' rows; graceful shutdown flushes. A batch the database refuses is retried with
exponential backoff, at most `SUBMISSION_MAX_ATTEMPTS` times, then dropped; every row dropped or
lost at shutdown is counted in an error log line. In "inline" mode (tests, and for anyone who
prefers it) each submission is committed before the response.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections import deque
from typing import Any

from flask import Flask
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from recommender.extensions import db
from recommender.orm import Submission, utcnow

log = logging.getLogger(__name__)
BATCH = 500
MAX_PENDING = 50_000
BACKOFF_CAP_SECONDS = 60.0
SHUTDOWN_ATTEMPTS = 2


class SubmissionWriter:
    """Queues submission rows and writes them; one per process (re-created after a fork)."""

    def __init__(self, app: Flask, *, mode: str, flush_seconds: float, max_attempts: int = 8):
        if mode not in ("background", "inline"):
            raise ValueError(f"SUBMISSION_WRITE_MODE must be background or inline, got {mode!r}")
        if max_attempts < 1:
            raise ValueError(f"SUBMISSION_MAX_ATTEMPTS must be at least 1, got {max_attempts}")
        self.app = app
        self.mode = mode
        self.flush_seconds = flush_seconds
        self.max_attempts = max_attempts
        self._pending: deque[dict[str, Any]] = deque()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._pid: int | None = None
        self._thread: threading.Thread | None = None
        self._failures = 0  # consecutive refused writes of the rows at the head of the queue
        self._retry_at = 0.0  # monotonic time before which the thread does not try again
        self.dropped = 0

    def add(self, **row: Any) -> None:
        """Record one submission (answers, version, top specialization, channel, token)."""
        row.setdefault("created_at", utcnow())
        if self.mode == "inline":
            db.session.add(Submission(**row))
            db.session.commit()
            return
        self._ensure_thread()
        with self._lock:
            if len(self._pending) >= MAX_PENDING:
                self._pending.popleft()  # the database has been away for long: keep the newest
                self._drop(1, "the queue is full")
            self._pending.append(row)
            if len(self._pending) >= BATCH and not self._wake.is_set():
                self._wake.set()  # once: setting a set event again only takes its lock

    def flush(self) -> int:
        """Write everything queued now; returns the rows written (0 if the database refused)."""
        with self._lock:
            rows = list(self._pending)
            self._pending.clear()
        if not rows:
            return 0
        try:
            written = self._insert(rows)
        except SQLAlchemyError as exc:
            self._refused(rows, exc)
            return 0
        with self._lock:
            self._failures, self._retry_at = 0, 0.0
        return written

    def _insert(self, rows: list[dict[str, Any]]) -> int:
        with self.app.app_context():
            try:
                db.session.execute(Submission.__table__.insert(), rows)
                db.session.commit()
                return len(rows)
            except IntegrityError:
                db.session.rollback()
            # A row the database will never accept (a version id it does not hold) must not block
            # or sink the ones beside it: write them one by one and drop only the refused ones.
            written = 0
            for row in rows:
                try:
                    db.session.execute(Submission.__table__.insert(), [row])
                    db.session.commit()
                    written += 1
                except IntegrityError as exc:
                    db.session.rollback()
                    with self._lock:
                        self._drop(1, f"refused by the database: {str(exc)[:200]}")
            return written

    def _refused(self, rows: list[dict[str, Any]], exc: SQLAlchemyError) -> None:
        with self._lock:
            self._failures += 1
            if self._failures >= self.max_attempts:
                self._drop(len(rows), f"the database refused them {self._failures} times: {str(exc)[:200]}")
                self._failures, self._retry_at = 0, 0.0
                return
            self._pending.extendleft(reversed(rows))
            delay = min(self.flush_seconds * 2 ** (self._failures - 1), BACKOFF_CAP_SECONDS)
            self._retry_at = time.monotonic() + delay
        log.warning("submissions not written yet; will retry", extra={"event": "submissions_deferred",
                    "detail": {"rows": len(rows), "attempt": self._failures, "retry_in_seconds": round(delay, 2),
                               "error": str(exc)[:200]}})  # fmt: skip

    def _drop(self, count: int, why: str) -> None:
        # Called with the lock held.
        self.dropped += count
        log.error("submissions dropped", extra={"event": "submissions_dropped",
                  "detail": {"rows": count, "why": why, "dropped_total": self.dropped}})  # fmt: skip

    def close(self) -> int:
        """At shutdown: write what is queued (briefly retrying); log the count of any rows lost."""
        for attempt in range(SHUTDOWN_ATTEMPTS):
            self.flush()
            if not self._pending:
                return 0
            if attempt + 1 < SHUTDOWN_ATTEMPTS:
                time.sleep(1.0)
        with self._lock:
            lost = len(self._pending)
            self._pending.clear()
            self.dropped += lost
        log.error("submissions lost at shutdown: the database did not take them",
                  extra={"event": "submissions_lost", "detail": {"rows": lost}})  # fmt: skip
        return lost

    @property
    def pending(self) -> int:
        """Rows queued and not written yet."""
        return len(self._pending)

    def _ensure_thread(self) -> None:
        # After a fork the parent's thread does not exist in the child: start one per process.
        if self._pid == os.getpid() and self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._pid == os.getpid() and self._thread is not None and self._thread.is_alive():
                return
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="submission-writer", daemon=True)
            self._thread.start()
            atexit.register(self.close)

    def _run(self) -> None:
        while True:
            self._wake.wait(max(self.flush_seconds, self._retry_at - time.monotonic()))
            self._wake.clear()
            if time.monotonic() < self._retry_at:
                continue  # backing off: a full batch waits for its turn too
            try:
                self.flush()
            except Exception:  # the writer must outlive any surprise, or the queue never drains
                log.exception("submission writer error", extra={"event": "submissions_writer_error"})


def init_app(app: Flask) -> None:
    """Attach this process's writer to the app."""
    app.extensions["memmatch.submissions"] = SubmissionWriter(
        app,
        mode=app.config["SUBMISSION_WRITE_MODE"],
        flush_seconds=app.config["SUBMISSION_FLUSH_SECONDS"],
        max_attempts=app.config["SUBMISSION_MAX_ATTEMPTS"],
    )


def writer_of(app: Flask) -> SubmissionWriter:
    """The app's submission writer."""
    return app.extensions["memmatch.submissions"]
