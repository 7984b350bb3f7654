"""Model versions: the list, one version compared with the active one, promote, roll back, discard."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from recommender.extensions import db
from recommender.ml.artifacts import ArtifactError
from recommender.orm import ModelVersion
from recommender.services import catalog_edits, dashboard, versions
from recommender.services.registry import UnknownVersion
from recommender.services.state import catalogs_of, registry_of
from recommender.web.admin.blueprint import actor, bp, checked_version_id


def _version_or_404(version_id: str) -> ModelVersion:
    found = db.session.get(ModelVersion, checked_version_id(version_id))
    if found is None:
        abort(404)
    return found


def _floor() -> float:
    return current_app.config["MODEL_ACCURACY_FLOOR"]


@bp.get("/versions")
def version_list():
    """Every version, newest first, with what can be done to each."""
    rows = versions.list_versions(db.session)
    gates = {v.id: versions.gate(db.session, v, floor=_floor()) for v in rows if v.status in ("candidate", "retired")}
    return render_template("admin/versions.html", versions=rows, gates=gates)


@bp.get("/versions/<version_id>")
def version_detail(version_id: str):
    """A version's persona metrics and how it differs from the active version."""
    version = _version_or_404(version_id)
    active = versions.active_version(db.session)
    registry = registry_of(current_app)
    comparison, problem = None, None
    try:
        mine = registry.get(db.session, version.id)
        theirs = registry.get(db.session, active.id) if active is not None else None
        comparison = dashboard.compare(
            mine, version.metrics, theirs, active.metrics if active else None, catalogs_of(current_app).personas
        )
    except (ArtifactError, UnknownVersion, ValueError) as exc:
        problem = f"this version cannot be loaded: {exc}"
    decision = None
    if version.status in ("candidate", "retired"):
        decision = versions.gate(db.session, version, floor=_floor())
    names = {s.id: s.name for s in catalogs_of(current_app).specializations}
    diff = None
    if active is not None and active.id != version.id:
        diff = catalog_edits.diff_against_active(db.session, version.programs_csv, version.source_name)
    return render_template(
        "admin/version.html",
        diff=diff,
        version=version,
        active=active,
        comparison=comparison,
        problem=problem,
        decision=decision,
        names=names,
        show_all=request.args.get("all") == "1",
    )


@bp.post("/versions/<version_id>/activate")
def activate(version_id: str):
    """Promote a candidate or roll back to an earlier version, if the gate allows it."""
    version = _version_or_404(version_id)
    was = version.status
    try:
        decision = versions.activate(
            db.session, version_id, actor=actor(), floor=_floor(), catalogs=catalogs_of(current_app)
        )
    except versions.VersionError as exc:
        flash(f"Not activated: {exc}.", "error")
        return redirect(url_for("admin.version_detail", version_id=version_id))
    except ArtifactError as exc:
        db.session.rollback()
        flash(f"Not activated: the artifact does not verify ({exc}). Nothing was changed.", "error")
        return redirect(url_for("admin.version_detail", version_id=version_id))
    if not decision.allowed:
        flash(f"Not activated: the gate {decision.reason}. The active version is unchanged.", "error")
        return redirect(url_for("admin.version_detail", version_id=version_id))
    # This worker switches on its next request; the others follow the database within seconds.
    registry_of(current_app).forget_active()
    verb = "Rolled back to" if was == "retired" else "Promoted"
    flash(f"{verb} {version_id}; every worker serves it within seconds.", "success")
    return redirect(url_for("admin.version_detail", version_id=version_id))


@bp.post("/versions/<version_id>/discard")
def discard(version_id: str):
    """Discard a candidate that should never be served."""
    _version_or_404(version_id)
    try:
        versions.discard(db.session, version_id, actor=actor(), reason=request.form.get("reason", "")[:500].strip())
    except versions.VersionError as exc:
        flash(f"Not discarded: {exc}.", "error")
    else:
        flash(f"Discarded {version_id}.", "success")
    return redirect(url_for("admin.version_detail", version_id=version_id))
