"""From a validated programs file to a versioned, evaluated, serialisable recommender."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from recommender.domain.catalog import Catalogs, ProgramsFile
from recommender.domain.catalog.programs import coverage as catalog_coverage
from recommender.ml import artifacts
from recommender.ml.evaluation import PersonaMetrics, ProgramMetrics, evaluate, evaluate_programs
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
    program_metrics: ProgramMetrics
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
    }
    # Metrics need a loaded recommender, and the recommender needs the metadata: evaluate first
    # under a provisional id, then record the metrics and derive the final, content-hashed id.
    provisional = Recommender("provisional", fitted.arrays, meta, programs_file.programs, catalogs)
    metrics = evaluate(provisional, catalogs.personas)
    program_metrics = evaluate_programs(provisional, catalogs.program_personas)
    meta["persona_metrics"] = metrics.to_dict()
    meta["program_metrics"] = program_metrics.to_dict()
    meta["catalog_coverage"] = catalog_coverage(programs_file.programs)
    artifact = artifacts.dump(fitted.arrays, meta)
    version_id = f"{now:%Y%m%d-%H%M%S}-{artifact.sha256[:8]}"
    recommender = Recommender(version_id, fitted.arrays, meta, programs_file.programs, catalogs)
    return TrainedVersion(version_id, artifact, recommender, metrics, program_metrics, fitted)
