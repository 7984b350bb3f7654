"""Liveness (/healthz) and readiness (/readyz) for load balancers and orchestrators."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError

from recommender.app import registry_of
from recommender.dbfaults import fault_kind, write_probe
from recommender.extensions import db
from recommender.services.registry import NoActiveModel

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """The process is alive; names the version it serves (as of its last look at the database)."""
    registry = registry_of(current_app)
    try:
        version = registry.active(db.session).version_id
    except (NoActiveModel, SQLAlchemyError):
        db.session.rollback()
        version = registry.active_id
    return jsonify({"status": "ok", "model_version": version})


@bp.get("/readyz")
def readyz():
    """Ready to serve: the database takes a write (probed, then rolled back) and a model is loaded.

    Not ready answers 503 with `reason`; a database that answers reads but refuses writes (read-only
    file, a standby, a corrupt file) is not ready, since submissions, feedback and admin need it.
    """
    registry = registry_of(current_app)
    checks = {"database": "ok", "model": "ok"}
    reasons = []
    problem = write_probe(db.engine)
    if problem is not None:
        checks["database"], reason = problem  # "read-only", "corrupt" or "unavailable"
        reasons.append(reason)
    try:
        registry.active(db.session)
    except SQLAlchemyError as exc:
        db.session.rollback()
        checks["database"] = fault_kind(exc) or "unavailable"
        reasons.append(f"the database failed a read ({fault_kind(exc) or 'error'})")
    except NoActiveModel:
        checks["model"] = "not loaded"
        reasons.append("no model version is loaded yet")
    ready = not reasons
    body = {"status": "ready" if ready else "not ready", "checks": checks, "model_version": registry.active_id}
    if not ready:
        body["reason"] = "; ".join(dict.fromkeys(reasons))
    return jsonify(body), 200 if ready else 503
