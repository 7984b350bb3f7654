"""The per-process view of model versions: which is active, and loaded recommenders.

The active version lives in the database; each worker re-reads the pointer at most every
MODEL_REFRESH_SECONDS, so all workers on all machines serve a new version within seconds, without
a restart. A version that fails to load is refused and the worker keeps serving what it had.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from recommender.domain.catalog import Catalogs
from recommender.ml.artifacts import ArtifactError
from recommender.ml.ranking import Recommender
from recommender.orm import ActiveModel, ModelVersion
from recommender.services.loading import load_recommender

log = logging.getLogger(__name__)
CACHED_VERSIONS = 4


class NoActiveModel(RuntimeError):
    """No version has been trained and activated yet (or none could be loaded)."""


class UnknownVersion(LookupError):
    """A version id that the database does not hold."""


class ModelRegistry:
    """Loaded recommenders by version id, and the active one, refreshed from the database."""

    def __init__(self, catalogs: Catalogs, models_dir: Path, refresh_seconds: float):
        self.catalogs = catalogs
        self.models_dir = models_dir
        self.refresh_seconds = refresh_seconds
        self._lock = threading.Lock()
        self._loaded: OrderedDict[str, Recommender] = OrderedDict()
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
        """A specific version (for a results page made by an earlier version)."""
        with self._lock:
            return self._load(session, version_id)

    def _load(self, session: Session, version_id: str) -> Recommender:
        if version_id in self._loaded:
            self._loaded.move_to_end(version_id)
            return self._loaded[version_id]
        version = session.get(ModelVersion, version_id)
        if version is None:
            raise UnknownVersion(version_id)
        recommender = load_recommender(version, self.catalogs, models_dir=self.models_dir)
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
