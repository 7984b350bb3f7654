"""Storing submissions for analytics without putting a database commit on every request.

In "background" mode (production default) each process queues submissions and one thread writes
them in batches, every `SUBMISSION_FLUSH_SECONDS` or `BATCH` rows. A submission is analytics, not
state the user depends on (the permanent link carries its answers), so a crash can lose at most
the last moments' rows; graceful shutdown flushes. In "inline" mode (tests, and for anyone who
prefers it) each submission is committed before the response.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections import deque
from typing import Any

from flask import Flask
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from recommender.extensions import db
from recommender.orm import Submission, utcnow

log = logging.getLogger(__name__)
BATCH = 500
MAX_PENDING = 50_000


class SubmissionWriter:
    """Queues submission rows and writes them; one per process (re-created after a fork)."""

    def __init__(self, app: Flask, *, mode: str, flush_seconds: float):
        if mode not in ("background", "inline"):
            raise ValueError(f"SUBMISSION_WRITE_MODE must be background or inline, got {mode!r}")
        self.app = app
        self.mode = mode
        self.flush_seconds = flush_seconds
        self._pending: deque[dict[str, Any]] = deque()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._pid: int | None = None
        self._thread: threading.Thread | None = None
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
                self.dropped += 1
            self._pending.append(row)
            if len(self._pending) >= BATCH:
                self._wake.set()

    def flush(self) -> int:
        """Write everything queued now; returns the rows written (0 if the database refused)."""
        with self._lock:
            rows = list(self._pending)
            self._pending.clear()
        if not rows:
            return 0
        try:
            with self.app.app_context():
                db.session.execute(Submission.__table__.insert(), rows)
                db.session.commit()
        except IntegrityError as exc:
            # A row the database will never accept must not block the ones behind it forever.
            log.error("submissions refused by the database; dropped", extra={"event": "submissions_dropped",
                      "detail": {"rows": len(rows), "error": str(exc)[:200]}})  # fmt: skip
            self.dropped += len(rows)
            return 0
        except SQLAlchemyError as exc:
            with self._lock:
                self._pending.extendleft(reversed(rows))
            log.warning("submissions not written yet; will retry", extra={"event": "submissions_deferred",
                        "detail": {"rows": len(rows), "error": str(exc)[:200]}})  # fmt: skip
            return 0
        return len(rows)

    @property
    def pending(self) -> int:
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
            atexit.register(self.flush)

    def _run(self) -> None:
        while True:
            self._wake.wait(self.flush_seconds)
            self._wake.clear()
            self.flush()


def init_app(app: Flask) -> None:
    """Attach this process's writer to the app."""
    app.extensions["memmatch.submissions"] = SubmissionWriter(
        app,
        mode=app.config["SUBMISSION_WRITE_MODE"],
        flush_seconds=app.config["SUBMISSION_FLUSH_SECONDS"],
    )


def writer_of(app: Flask) -> SubmissionWriter:
    """The app's submission writer."""
    return app.extensions["memmatch.submissions"]
