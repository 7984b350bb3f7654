"""Liveness (/healthz) and readiness (/readyz) for load balancers and orchestrators."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from recommender.extensions import db
from recommender.services.registry import NoActiveModel
from recommender.services.state import registry_of

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
    """Ready to serve: the database answers and a model version is loaded."""
    registry = registry_of(current_app)
    checks = {"database": "ok", "model": "ok"}
    try:
        db.session.execute(text("SELECT 1"))
        registry.active(db.session)
    except SQLAlchemyError:
        db.session.rollback()
        checks["database"] = "unavailable"
    except NoActiveModel:
        checks["model"] = "not loaded"
    ready = all(v == "ok" for v in checks.values())
    body = {"status": "ready" if ready else "not ready", "checks": checks, "model_version": registry.active_id}
    return jsonify(body), 200 if ready else 503
