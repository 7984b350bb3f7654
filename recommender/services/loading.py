"""Loading a stored version into a recommender: the node's cache under models/, else the database copy.

Both copies are verified against the sha256 recorded at training. The cache is only a convenience:
a cache file that is missing, not a regular file, too large or corrupt is passed over (and the
reason logged), and the database copy is used and written back to the cache.
"""

from __future__ import annotations

import logging
from pathlib import Path

from recommender.domain.catalog import Catalogs, parse_programs
from recommender.ml import artifacts
from recommender.ml.ranking import Recommender
from recommender.orm import ModelVersion

log = logging.getLogger(__name__)


def cache_artifact(models_dir: Path | None, version_id: str, artifact: artifacts.Artifact) -> None:
    """Write a version's artifact to the node's cache; a disk that refuses is logged, never fatal."""
    if models_dir is None:
        return
    try:
        artifacts.write_cache(models_dir, version_id, artifact)
    except OSError as exc:  # a read-only disk must not fail a training that is already committed
        log.warning("could not cache artifact %s: %s", version_id, exc)


def _refused(version_id: str, where: str, error: str) -> None:
    log.warning(
        "artifact refused",
        extra={"event": "artifact_refused", "target": version_id, "detail": {"where": where, "error": error}},
    )


def load_recommender(
    version: ModelVersion,
    catalogs: Catalogs,
    *,
    models_dir: Path | None,
    cache_max_bytes: int = artifacts.CACHE_MAX_BYTES,
) -> Recommender:
    """Load a version, verifying its artifact against the hash recorded at training.

    The local copy under models/ is used when it verifies; otherwise the database copy is. Raises
    `artifacts.ArtifactError` when neither verifies.
    """
    candidates = []
    if models_dir is not None:
        try:
            cached = artifacts.read_cache(models_dir, version.id, max_bytes=cache_max_bytes)
        except artifacts.CacheRefused as exc:
            _refused(version.id, "cache", f"{exc}; using the database copy")
        else:
            if cached is not None:
                candidates.append(("cache", cached))
    candidates.append(("database", artifacts.Artifact(version.artifact_npz, version.artifact_meta)))
    problems = []
    for where, artifact in candidates:
        try:
            arrays, meta = artifacts.load(artifact, version.artifact_sha256)
        except artifacts.ArtifactError as exc:
            problems.append(f"{where}: {exc}")
            _refused(version.id, where, str(exc))
            continue
        programs = parse_programs(version.programs_csv, source=version.source_name).programs
        if where == "database":
            cache_artifact(models_dir, version.id, artifact)
        return Recommender(version.id, arrays, meta, programs, catalogs)
    raise artifacts.ArtifactError(f"version {version.id}: " + "; ".join(problems))
