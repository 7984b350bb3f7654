"""Model versions: train, gate, activate, roll back, discard. Each operation commits once."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from recommender.domain.catalog import Catalogs, ProgramsFile, parse_programs
from recommender.ml import artifacts
from recommender.ml.features import Params
from recommender.ml.ranking import Recommender
from recommender.orm import ActiveModel, AuditEvent, ModelVersion, utcnow
from recommender.services.gate import judge

if TYPE_CHECKING:
    from recommender.ml.pipeline import TrainedVersion

log = logging.getLogger(__name__)


class VersionError(Exception):
    """A version operation that cannot be done, with a message fit to show the person asking."""


@dataclass(frozen=True, slots=True)
class GateDecision:
    """Whether a version may become active, and why."""

    allowed: bool
    reason: str
    forced: bool = False


@dataclass(frozen=True)
class TrainOutcome:
    """A stored version, and what happened when activation was asked for."""

    version: ModelVersion
    trained: TrainedVersion
    gate: GateDecision | None
    activated: bool


def audit(session: Session, *, actor: str, action: str, target: str = "", **detail: Any) -> None:
    """Add an audit row to the caller's unit of work (committed with it, or not at all)."""
    session.add(AuditEvent(actor=actor, action=action, target=target, detail=detail))
    log.info("audit", extra={"event": action, "actor": actor, "target": target, "detail": detail})


def active_version(session: Session) -> ModelVersion | None:
    """The version every worker should serve, or None before the first training."""
    pointer = session.get(ActiveModel, 1)
    return session.get(ModelVersion, pointer.version_id) if pointer else None


def list_versions(session: Session) -> list[ModelVersion]:
    """Every version, newest first."""
    return list(session.scalars(select(ModelVersion).order_by(ModelVersion.created_at.desc(), ModelVersion.id)))


def gate(session: Session, version: ModelVersion, *, floor: float, force: bool = False) -> GateDecision:
    """Decide whether `version` may be served, by the rules in `services.gate`; `force` overrides and says so."""
    current = active_version(session)
    verdict = judge(
        version.metrics,
        floor=floor,
        active=current.metrics if current is not None and current.id != version.id else None,
        active_id=current.id if current is not None else "",
        candidate=version.status == "candidate",
    )
    if not verdict.problems:
        return GateDecision(True, f"passes the gate ({verdict.summary}, floor {floor:.1%})")
    reason = "; ".join(verdict.problems)
    if force:
        return GateDecision(True, f"FORCED past the gate: {reason}", forced=True)
    return GateDecision(False, f"refused: {reason}")


def _make_active(session: Session, version: ModelVersion, actor: str) -> None:
    pointer = session.get(ActiveModel, 1)
    if pointer is None:
        session.add(ActiveModel(id=1, version_id=version.id, activated_by=actor, activated_at=utcnow()))
    else:
        previous = session.get(ModelVersion, pointer.version_id)
        if previous is not None and previous.id != version.id:
            previous.status = "retired"
        pointer.version_id, pointer.activated_by, pointer.activated_at = version.id, actor, utcnow()
    version.status, version.activated_at = "active", utcnow()


def train_version(
    session: Session,
    programs_file: ProgramsFile,
    catalogs: Catalogs,
    *,
    actor: str,
    source_name: str,
    models_dir: Path,
    floor: float,
    activate: bool = False,
    force: bool = False,
    params: Params | None = None,
) -> TrainOutcome:
    """Train a version from a validated programs file, store it, and activate it if asked and allowed.

    The version row, its audit rows and any activation are one commit: all or nothing.
    """
    # Imported here so that a web worker which only serves never loads scikit-learn at all.
    from recommender.ml.pipeline import train

    trained = train(programs_file, catalogs, params)
    version = ModelVersion(
        id=trained.version_id,
        created_by=actor,
        source_name=source_name[:255],
        programs_csv=programs_file.raw,
        programs_sha256=programs_file.sha256,
        program_count=len(programs_file.programs),
        artifact_npz=trained.artifact.npz,
        artifact_meta=trained.artifact.meta_json,
        artifact_sha256=trained.artifact.sha256,
        metrics={
            **trained.metrics.to_dict(),
            "programs": trained.program_metrics.to_dict(),
            "catalog": trained.recommender.meta["catalog_coverage"],
        },
        status="candidate",
    )
    session.add(version)
    session.flush()
    audit(
        session,
        actor=actor,
        action="train",
        target=version.id,
        reason=f"trained from {source_name}",
        source=source_name,
        programs=len(programs_file.programs),
        top1=trained.metrics.top1,
        top3=trained.metrics.top3,
        program_precision_at_3=trained.program_metrics.precision_at_3,
        program_ndcg_at_10=trained.program_metrics.ndcg_at_10,
        grounded_share=trained.program_metrics.grounded_share,
    )
    decision = None
    if activate:
        decision = gate(session, version, floor=floor, force=force)
        if decision.allowed:
            _make_active(session, version, actor)
            audit(
                session,
                actor=actor,
                action="activate",
                target=version.id,
                reason=decision.reason,
                forced=decision.forced,
            )
    session.commit()
    _cache(models_dir, version.id, trained.artifact)
    return TrainOutcome(version, trained, decision, bool(decision and decision.allowed))


def activate(
    session: Session, version_id: str, *, actor: str, floor: float, force: bool = False, catalogs: Catalogs
) -> GateDecision:
    """Make `version_id` the active version if the gate allows it (roll forward or back)."""
    version = session.get(ModelVersion, version_id)
    if version is None:
        raise VersionError(f"no version {version_id!r}; see 'models list'")
    if version.status == "discarded":
        raise VersionError(f"version {version_id} was discarded and cannot be served")
    # A version whose artifact no longer verifies is never made active, whatever the gate says.
    load_recommender(version, catalogs, models_dir=None)
    decision = gate(session, version, floor=floor, force=force)
    if not decision.allowed:
        audit(session, actor=actor, action="activate_refused", target=version_id, reason=decision.reason)
        session.commit()
        return decision
    was_retired = version.status == "retired"
    _make_active(session, version, actor)
    audit(
        session,
        actor=actor,
        action="rollback" if was_retired else "activate",
        target=version_id,
        reason=decision.reason,
        forced=decision.forced,
    )
    session.commit()
    return decision


def discard(session: Session, version_id: str, *, actor: str, reason: str = "") -> None:
    """Discard a candidate that will not be served; the reason goes to the audit log."""
    version = session.get(ModelVersion, version_id)
    if version is None:
        raise VersionError(f"no version {version_id!r}")
    if version.status != "candidate":
        raise VersionError(f"only candidates can be discarded; {version_id} is {version.status}")
    version.status = "discarded"
    audit(session, actor=actor, action="discard", target=version_id, reason=reason or "no reason given")
    session.commit()


def _cache(models_dir: Path | None, version_id: str, artifact: artifacts.Artifact) -> None:
    if models_dir is None:
        return
    try:
        artifacts.write_cache(models_dir, version_id, artifact)
    except OSError as exc:  # a read-only disk must not fail a training that is already committed
        log.warning("could not cache artifact %s: %s", version_id, exc)


def load_recommender(version: ModelVersion, catalogs: Catalogs, *, models_dir: Path | None) -> Recommender:
    """Load a version, verifying its artifact against the hash recorded at training.

    The local copy under models/ is used when it verifies; otherwise the database copy is. Raises
    `artifacts.ArtifactError` when neither verifies.
    """
    candidates = []
    if models_dir is not None:
        cached = artifacts.read_cache(models_dir, version.id)
        if cached is not None:
            candidates.append(("cache", cached))
    candidates.append(("database", artifacts.Artifact(version.artifact_npz, version.artifact_meta)))
    problems = []
    for where, artifact in candidates:
        try:
            arrays, meta = artifacts.load(artifact, version.artifact_sha256)
        except artifacts.ArtifactError as exc:
            problems.append(f"{where}: {exc}")
            log.warning(
                "artifact refused",
                extra={
                    "event": "artifact_refused",
                    "target": version.id,
                    "detail": {"where": where, "error": str(exc)},
                },
            )
            continue
        programs = parse_programs(version.programs_csv, source=version.source_name).programs
        if where == "database":
            _cache(models_dir, version.id, artifact)
        return Recommender(version.id, arrays, meta, programs, catalogs)
    raise artifacts.ArtifactError(f"version {version.id}: " + "; ".join(problems))
