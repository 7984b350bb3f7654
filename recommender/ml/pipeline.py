"""From a validated programs file to a versioned, evaluated, serialisable recommender."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from recommender.domain.catalog import Catalogs, ProgramsFile
from recommender.ml import artifacts
from recommender.ml.evaluation import PersonaMetrics, evaluate
from recommender.ml.features import Params
from recommender.ml.ranking import Recommender
from recommender.ml.training import Fitted, fit


@dataclass(frozen=True)
class TrainedVersion:
    """A freshly trained version: its id, artifact, loaded recommender and persona metrics."""

    version_id: str
    artifact: artifacts.Artifact
    recommender: Recommender
    metrics: PersonaMetrics
    fitted: Fitted


def train(
    programs_file: ProgramsFile,
    catalogs: Catalogs,
    params: Params | None = None,
    *,
    now: dt.datetime | None = None,
) -> TrainedVersion:
    """Fit, evaluate on the personas, and serialise one version."""
    params = params or Params()
    now = now or dt.datetime.now(dt.UTC)
    fitted = fit(programs_file.programs, catalogs.specializations, params)
    meta = {
        "created_at": now.isoformat(timespec="seconds"),
        "training_data_sha256": programs_file.sha256,
        "catalogs_sha256": catalogs.sha256(),
        "program_count": len(programs_file.programs),
        "libraries": artifacts.library_versions(),
        "params": params.to_dict(),
        "evidence": fitted.evidence,
    }
    # Metrics need a loaded recommender, and the recommender needs the metadata: evaluate first
    # under a provisional id, then record the metrics and derive the final, content-hashed id.
    provisional = Recommender("provisional", fitted.arrays, meta, programs_file.programs, catalogs)
    metrics = evaluate(provisional, catalogs.personas)
    meta["persona_metrics"] = metrics.to_dict()
    artifact = artifacts.dump(fitted.arrays, meta)
    version_id = f"{now:%Y%m%d-%H%M%S}-{artifact.sha256[:8]}"
    recommender = Recommender(version_id, fitted.arrays, meta, programs_file.programs, catalogs)
    return TrainedVersion(version_id, artifact, recommender, metrics, fitted)
