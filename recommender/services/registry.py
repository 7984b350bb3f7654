"""The per-process view of model versions: which is active, and loaded recommenders.

The active version lives in the database; each worker re-reads the pointer at most every
MODEL_REFRESH_SECONDS, so all workers on all machines serve a new version within seconds, without
a restart. A version that fails to load is refused and the worker keeps serving what it had; the
failure is remembered for a short while, so a link to a broken version is not re-read and
re-hashed on every request. A permanent link to a discarded version is refused (410).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from recommender.domain.catalog import Catalogs
from recommender.ml.artifacts import CACHE_MAX_BYTES, ArtifactError
from recommender.ml.ranking import Recommender
from recommender.orm import ActiveModel, ModelVersion
from recommender.services.loading import load_recommender

log = logging.getLogger(__name__)
CACHED_VERSIONS = 4
# A version that failed to load is not tried again for this long (an operator may restore it)...
BROKEN_TTL_SECONDS = 60.0
# ...and at most this many failures are remembered, so hostile links cannot grow the memory.
BROKEN_REMEMBERED = 64
# Statuses after which a version can never be discarded: discard applies to candidates only.
NEVER_DISCARDED = frozenset({"active", "retired"})


class NoActiveModel(RuntimeError):
    """No version has been trained and activated yet (or none could be loaded)."""


class UnknownVersion(LookupError):
    """A version id that the database does not hold."""


class VersionUnavailable(ArtifactError):
    """A stored version that cannot be loaded now: its artifact fails verification."""


class VersionWithdrawn(LookupError):
    """A discarded version: it was never served, and its links show nothing."""


class ModelRegistry:
    """Loaded recommenders by version id, and the active one, refreshed from the database."""

    def __init__(
        self, catalogs: Catalogs, models_dir: Path, refresh_seconds: float, *, cache_max_bytes: int = CACHE_MAX_BYTES
    ):
        self.catalogs = catalogs
        self.models_dir = models_dir
        self.refresh_seconds = refresh_seconds
        self.cache_max_bytes = cache_max_bytes
        self._lock = threading.Lock()
        self._loaded: OrderedDict[str, Recommender] = OrderedDict()
        self._broken: OrderedDict[str, tuple[float, str]] = OrderedDict()  # id -> (retry after, why)
        self._status: dict[str, tuple[float, str]] = {}  # id -> (checked at, status), for links
        self._active_id: str | None = None
        self._checked_at = float("-inf")
        self._refused: str | None = None

    @property
    def active_id(self) -> str | None:
        """The version this process serves now (as of its last check)."""
        return self._active_id

    def active(self, session: Session) -> Recommender:
        """The active recommender, re-checking the database pointer when the last check is stale."""
        if time.monotonic() - self._checked_at >= self.refresh_seconds:
            self.refresh(session)
        if self._active_id is None:
            raise NoActiveModel("no model version is active yet")
        return self._loaded[self._active_id]

    def refresh(self, session: Session) -> None:
        """Follow the database's active pointer; keep the current version if the new one fails."""
        with self._lock:
            try:
                pointer = session.get(ActiveModel, 1, populate_existing=True)
            except SQLAlchemyError:
                session.rollback()
                # Leave _checked_at alone so the next request tries again; the caller's own queries
                # will fail loudly if the database is really gone.
                raise
            self._checked_at = time.monotonic()
            if pointer is None or pointer.version_id in (self._active_id, self._refused):
                # A refused version is not reloaded (and re-logged) every few seconds: version rows
                # are never rewritten, so it cannot have become valid.
                return
            try:
                self._load(session, pointer.version_id)
            except (ArtifactError, UnknownVersion, ValueError) as exc:
                self._refused = pointer.version_id
                log.error(
                    "new active version refused; still serving the previous one",
                    extra={
                        "event": "version_refused",
                        "target": pointer.version_id,
                        "detail": {"error": str(exc), "serving": self._active_id},
                    },
                )
                return
            log.info(
                "serving version",
                extra={
                    "event": "version_switch",
                    "target": pointer.version_id,
                    "detail": {"previous": self._active_id},
                },
            )
            self._active_id = pointer.version_id

    def get(self, session: Session, version_id: str) -> Recommender:
        """A specific version, whatever its status (the admin area compares any of them)."""
        with self._lock:
            return self._load(session, version_id)

    def for_link(self, session: Session, version_id: str) -> Recommender:
        """The version behind a permanent link; raises `VersionWithdrawn` when it was discarded.

        A candidate's status is re-read at most every refresh interval (it may be discarded on
        another machine); active and retired versions can never be discarded, so are not re-read.
        """
        with self._lock:
            if self._status_of(session, version_id) == "discarded":
                self._loaded.pop(version_id, None)
                raise VersionWithdrawn(version_id)
            return self._load(session, version_id)

    def _status_of(self, session: Session, version_id: str) -> str:
        known = self._status.get(version_id)
        if known is not None and (
            known[1] in NEVER_DISCARDED or known[1] == "discarded" or time.monotonic() - known[0] < self.refresh_seconds
        ):
            return known[1]
        status = session.scalar(select(ModelVersion.status).where(ModelVersion.id == version_id))
        if status is None:
            raise UnknownVersion(version_id)
        self._status[version_id] = (time.monotonic(), status)
        return status

    def _load(self, session: Session, version_id: str) -> Recommender:
        if version_id in self._loaded:
            self._loaded.move_to_end(version_id)
            return self._loaded[version_id]
        broken = self._broken.get(version_id)
        if broken is not None and time.monotonic() < broken[0]:
            raise VersionUnavailable(broken[1])
        version = session.get(ModelVersion, version_id)
        if version is None:
            raise UnknownVersion(version_id)
        try:
            recommender = load_recommender(
                version, self.catalogs, models_dir=self.models_dir, cache_max_bytes=self.cache_max_bytes
            )
        except (ArtifactError, ValueError) as exc:  # ValueError: a stored programs file that no longer parses
            self._broken[version_id] = (time.monotonic() + BROKEN_TTL_SECONDS, str(exc)[:500])
            self._broken.move_to_end(version_id)
            while len(self._broken) > BROKEN_REMEMBERED:
                self._broken.popitem(last=False)
            raise VersionUnavailable(str(exc)[:500]) from exc
        self._broken.pop(version_id, None)
        self._loaded[version_id] = recommender
        while len(self._loaded) > CACHED_VERSIONS:
            oldest = next(iter(self._loaded))
            if oldest == self._active_id:
                self._loaded.move_to_end(oldest)
                continue
            del self._loaded[oldest]
        return recommender

    def forget_active(self) -> None:
        """Make the next request re-read the pointer at once (after this process activates one)."""
        self._checked_at = float("-inf")
