"""Model versions: train, gate, activate, roll back, discard. Each operation commits once."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from recommender.domain.catalog import Catalogs, ProgramsFile
from recommender.ml.features import Params
from recommender.orm import ActiveModel, AuditEvent, ModelVersion, utcnow
from recommender.services.gate import judge
from recommender.services.loading import cache_artifact, load_recommender

if TYPE_CHECKING:
    from recommender.ml.pipeline import TrainedVersion

log = logging.getLogger(__name__)


class VersionError(Exception):
    """A version operation that cannot be done, with a message fit to show the person asking."""


class ActivationLost(VersionError):
    """Another activation moved the active pointer first; this one changed nothing."""


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


def active_id(session: Session) -> str | None:
    """The id the active pointer names now (read from the database, never from the session's cache)."""
    return session.scalar(select(ActiveModel.version_id).where(ActiveModel.id == 1))


def active_version(session: Session) -> ModelVersion | None:
    """The version every worker should serve, or None before the first training."""
    version_id = active_id(session)
    return session.get(ModelVersion, version_id) if version_id else None


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


def _make_active(session: Session, version: ModelVersion, actor: str, *, expected: str | None) -> None:
    """Move the pointer from `expected` to `version` in one conditional statement, then the statuses.

    The conditional write is the atomic step. On PostgreSQL it takes the pointer row's lock: a
    second activation waits for the first to commit, then finds the pointer moved and matches no
    row. On SQLite it is the transaction's first write, so it takes the database's write lock and
    reads the winner's commit. Statuses change only after it, in the same transaction, so no reader
    ever sees them disagree with the pointer. Raises `VersionError` (`ActivationLost` when beaten).
    """
    session.flush()
    now = utcnow()
    pointer = ActiveModel.__table__
    values = {"version_id": version.id, "activated_by": actor, "activated_at": now}
    if expected is None:  # the very first activation: two may try to create the row at once
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        statement = dialect.insert(pointer).values(id=1, **values).on_conflict_do_nothing(index_elements=["id"])
        # Whether a row comes back says who won: psycopg 3 reports rowcount -1 for this INSERT, which
        # read as lost, left the pointer written and the first version a "candidate" anyone could discard.
        won = session.execute(statement.returning(pointer.c.id)).first() is not None
    else:
        statement = update(pointer).where(pointer.c.id == 1, pointer.c.version_id == expected).values(**values)
        won = session.execute(statement).rowcount == 1
    if not won:
        raise ActivationLost(f"another activation won: {active_id(session)} is now active; nothing was changed")
    versions = ModelVersion.__table__
    became = session.execute(
        update(versions)
        .where(versions.c.id == version.id, versions.c.status != "discarded")
        .values(status="active", activated_at=now)
    )
    if became.rowcount != 1:  # discarded since this activation began
        raise VersionError(f"version {version.id} was discarded and cannot be served; nothing was changed")
    session.execute(
        update(versions).where(versions.c.status == "active", versions.c.id != version.id).values(status="retired")
    )
    # The rows changed behind the ORM's back: reload them when next read.
    session.expire_all()


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
        expected = active_id(session)
        decision = gate(session, version, floor=floor, force=force)
        if decision.allowed:
            try:
                _make_active(session, version, actor, expected=expected)
            except VersionError as exc:
                # A lost activation wrote nothing, so the version is stored all the same, as a candidate.
                decision = GateDecision(False, f"refused: {exc}")
                audit(session, actor=actor, action="activate_refused", target=version.id, reason=str(exc))
            else:
                audit(session, actor=actor, action="activate", target=version.id, reason=decision.reason,
                      forced=decision.forced)  # fmt: skip
    session.commit()
    cache_artifact(models_dir, version.id, trained.artifact)
    return TrainOutcome(version, trained, decision, bool(decision and decision.allowed))


def activate(
    session: Session, version_id: str, *, actor: str, floor: float, force: bool = False, catalogs: Catalogs
) -> GateDecision:
    """Make `version_id` the active version if the gate allows it (roll forward or back).

    The gate judges against the version active when this call began; if another activation
    commits first, this one changes nothing, is audited as refused and raises `ActivationLost`.
    """
    version = session.get(ModelVersion, version_id)
    if version is None:
        raise VersionError(f"no version {version_id!r}; see 'models list'")
    if version.status == "discarded":
        raise VersionError(f"version {version_id} was discarded and cannot be served")
    expected = active_id(session)
    # A version whose artifact no longer verifies is never made active, whatever the gate says.
    load_recommender(version, catalogs, models_dir=None)
    decision = gate(session, version, floor=floor, force=force)
    if not decision.allowed:
        audit(session, actor=actor, action="activate_refused", target=version_id, reason=decision.reason)
        session.commit()
        return decision
    was_retired = version.status == "retired"
    try:
        _make_active(session, version, actor, expected=expected)
    except VersionError as exc:
        session.rollback()
        audit(session, actor=actor, action="activate_refused", target=version_id, reason=str(exc))
        session.commit()
        raise
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
    """Discard a candidate that will not be served.

    One conditional statement, so a discard racing an activation of the same candidate either
    happens before it (the activation is refused) or finds the version active and is refused.
    """
    versions, pointer = ModelVersion.__table__, ActiveModel.__table__
    # Never the version the pointer names, whatever its status says: a first start on PostgreSQL
    # before the pointer fix left the active version a "candidate", and discarding it withdrew
    # every results link it had made while it went on serving.
    served = select(pointer.c.version_id).where(pointer.c.id == 1).scalar_subquery()
    changed = session.execute(
        update(versions)
        .where(versions.c.id == version_id, versions.c.status == "candidate", versions.c.id.is_distinct_from(served))
        .values(status="discarded")
    )
    if changed.rowcount != 1:
        session.rollback()
        status = session.scalar(select(ModelVersion.status).where(ModelVersion.id == version_id))
        if status is None:
            raise VersionError(f"no version {version_id!r}")
        if active_id(session) == version_id:
            raise VersionError(f"only candidates can be discarded, and {version_id} is the active version")
        raise VersionError(f"only candidates can be discarded; {version_id} is {status}")
    session.expire_all()
    audit(session, actor=actor, action="discard", target=version_id, reason=reason or "no reason given")
    session.commit()
