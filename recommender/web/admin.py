"""The admin area (issue 4): log in, upload and retrain, compare, promote or roll back, oversee.

Every route but the login page requires an admin session: browsers are sent to log in (with a
local-only `next`), JSON clients get 401. Sessions are signed cookies renewed at login and carry
their login time and the account's session epoch, so they expire and logging out ends them.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from flask_limiter.util import get_remote_address
from sqlalchemy import select

from recommender.app import catalogs_of, registry_of
from recommender.extensions import db
from recommender.ml.artifacts import ArtifactError
from recommender.ml.ranking import Recommender
from recommender.orm import AdminUser, AuditEvent, ModelVersion, ProgramUpload
from recommender.services import accounts, catalog_import, dashboard, jobs, versions
from recommender.services.registry import NoActiveModel, UnknownVersion
from recommender.web import errors, login_guard
from recommender.web.admin_forms import LoginForm, UploadForm
from recommender.web.security import safe_next

bp = Blueprint("admin", __name__, url_prefix="/admin")

PUBLIC_ENDPOINTS = frozenset({"admin.login"})
LOGIN_FAILED = "That e-mail and password do not match an admin account."
TOO_MANY_LOGINS = "Too many login attempts. Please wait a few minutes and try again."
ERRORS_SHOWN = 50
AUDIT_PAGE = 50


# ----------------------------------------------------------------------------- sessions and access


def _start_session(user: AdminUser) -> None:
    # A fresh session at login: whatever the browser brought (a planted cookie) is dropped whole.
    session.clear()
    session["admin"] = {
        "id": user.id,
        "epoch": user.session_epoch,
        "at": int(time.time()),
        "sid": secrets.token_urlsafe(16),
    }


def current_admin() -> AdminUser | None:
    """The admin of this request's session, if it is valid, unexpired and not logged out."""
    data = session.get("admin")
    if not isinstance(data, dict):
        return None
    try:
        user_id, epoch, at = int(data["id"]), int(data["epoch"]), int(data["at"])
    except (KeyError, TypeError, ValueError):
        return None
    age = time.time() - at
    if age < -60 or age > current_app.config["ADMIN_SESSION_MINUTES"] * 60:
        g.admin_session_expired = True
        return None
    user = db.session.get(AdminUser, user_id)
    if user is None or user.session_epoch != epoch:
        return None
    return user


@bp.before_request
def require_login() -> Response | None:
    """Refuse anonymous requests before any admin view runs."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    user = current_admin()
    if user is not None:
        g.admin = user
        return None
    if g.get("admin_session_expired"):
        session.pop("admin", None)
    if errors.wants_json():
        return errors.error_response(401)
    if request.path.endswith(".json"):  # a script polling a status endpoint, whatever it accepts
        refusal = jsonify({"errors": {"_body": [errors.MESSAGES[401]]}})
        refusal.status_code = 401
        return refusal
    if g.get("admin_session_expired"):
        flash("Your admin session expired. Please log in again.", "info")
    # Only a page can be returned to; a POST (an action) is not repeated after logging in.
    query = request.query_string.decode("utf-8", "replace")
    back = request.path + (f"?{query}" if query else "") if request.method in ("GET", "HEAD") else None
    return redirect(url_for("admin.login", next=safe_next(back)))


@bp.after_request
def no_store(response: Response) -> Response:
    """Admin pages hold private data and one-time tokens: never cached."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _actor() -> str:
    return g.admin.email


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
# Per client, per account, and per known device (see login_guard).
@login_guard.guarded(_login_limit, TOO_MANY_LOGINS)
def login():
    """The login form; failures answer the same whether or not the account exists."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
        if current_admin() is not None:
            return redirect(safe_next(form.next.data) or url_for("admin.dashboard"))
    error = None
    if form.validate_on_submit():
        user = accounts.authenticate(db.session, form.email.data or "", form.password.data or "")
        ip = get_remote_address() or ""
        if user is None:
            g.login_failed = True
            accounts.record_login_failure(db.session, form.email.data or "", ip=ip)
            error = LOGIN_FAILED
        else:
            _start_session(user)
            accounts.record_login(db.session, user, ip=ip)
            return login_guard.remember_device(
                redirect(safe_next(form.next.data) or url_for("admin.dashboard")), user.id
            )
    return render_template("admin/login.html", form=form, error=error)


@bp.post("/logout")
def logout():
    """End this admin's sessions (POST only, with a CSRF token)."""
    accounts.end_sessions(db.session, g.admin)
    session.clear()
    flash("You have logged out.", "info")
    return redirect(url_for("admin.login"))


# ----------------------------------------------------------------------------- dashboard and audit


def _active_recommender() -> Recommender | None:
    try:
        return registry_of(current_app).active(db.session)
    except NoActiveModel:
        return None


@bp.get("/", endpoint="dashboard")
def dashboard_page():
    """Submissions over time, top specializations, feedback rates and the version history."""
    names = {s.id: s.name for s in catalogs_of(current_app).specializations}
    active = _active_recommender()
    program_labels = {p.id: f"{p.university} — {p.program}" for p in active.programs} if active else {}
    per_day = dashboard.submissions_per_day(db.session)
    top = dashboard.top_specializations(db.session, names)
    spec_rates = dashboard.feedback_rates(db.session, "specialization", names)
    program_rates = dashboard.feedback_rates(db.session, "program", program_labels)
    return render_template(
        "admin/dashboard.html",
        per_day=per_day,
        per_day_chart=dashboard.column_chart([(d.isoformat(), n) for d, n in per_day]),
        total_recent=sum(n for _, n in per_day),
        top=top,
        top_chart=dashboard.bar_chart([(name, n) for _, name, n in top]),
        spec_rates=spec_rates,
        spec_chart=dashboard.split_chart(spec_rates),
        program_rates=program_rates[:20],
        program_chart=dashboard.split_chart(program_rates[:20]),
        versions=versions.list_versions(db.session),
    )


@bp.get("/audit")
def audit_log():
    """Who uploaded, trained, promoted, rolled back or logged in, and when; newest first."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    action = request.args.get("action", "")
    if action:
        query = query.where(AuditEvent.action == action[:32])
    page = db.paginate(query, page=request.args.get("page", 1, type=int), per_page=AUDIT_PAGE, error_out=False)
    actions = db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()
    return render_template("admin/audit.html", page=page, action=action, actions=actions)


@bp.get("/submissions.csv")
def export_submissions():
    """Every submission as CSV; cells that a spreadsheet would run as formulas are made text."""
    versions.audit(db.session, actor=_actor(), action="export_submissions", target="submissions.csv")
    db.session.commit()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    body = stream_with_context(dashboard.csv_chunks(dashboard.submission_rows(db.session)))
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="submissions-{stamp}.csv"'},
    )


# ----------------------------------------------------------------------------- upload and training


@bp.route("/upload", methods=["GET", "POST"])
def upload():
    """Upload a programs file: refused whole with every problem named, or trained in the background."""
    form = UploadForm()
    if form.validate_on_submit():
        storage = form.file.data
        raw = storage.read()
        try:
            accepted, _ = catalog_import.receive(
                db.session, raw, source_name=storage.filename or "upload.csv", actor=_actor()
            )
        except catalog_import.ImportRefused as refused:
            return render_template(
                "admin/upload.html",
                form=UploadForm(formdata=None),
                refused=refused,
                shown=refused.errors[:ERRORS_SHOWN],
                recent=jobs.recent(db.session),
            ), 422
        job = jobs.start(db.session, current_app._get_current_object(), accepted, actor=_actor())
        return redirect(url_for("admin.job", job_id=job.id))
    status = 400 if form.errors else 200
    return render_template("admin/upload.html", form=form, refused=None, recent=jobs.recent(db.session)), status


@bp.errorhandler(413)
def upload_too_large(error):
    """An upload over the request limit: the upload page says why, and the refusal is recorded."""
    user = current_admin() if request.endpoint == "admin.upload" else None
    if user is None:
        return errors.error_response(413)
    size = request.content_length or current_app.config["MAX_CONTENT_LENGTH"] + 1
    refused = catalog_import.refuse_unread(db.session, size=size, actor=user.email)
    return render_template(
        "admin/upload.html",
        form=UploadForm(formdata=None),
        refused=refused,
        shown=refused.errors,
        recent=jobs.recent(db.session),
    ), 413


@bp.get("/uploads/<int:upload_id>/report.csv")
def upload_report(upload_id: int):
    """The full list of a refused upload's problems, as CSV (formula-safe)."""
    found = db.session.get(ProgramUpload, upload_id)
    if found is None or found.status != "refused":
        abort(404)
    rows = [("line", "column", "problem")] + [(e.line, e.column, e.message) for e in catalog_import.report(found)]
    stem = found.source_name.rsplit(".", 1)[0][:60] or "upload"
    safe_stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in stem)
    return Response(
        "".join(dashboard.csv_chunks(rows)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{safe_stem}-problems.csv"'},
    )


@bp.get("/jobs/<int:job_id>")
def job(job_id: int):
    """A training job; the page reloads itself until the job has finished."""
    found = jobs.get(db.session, job_id)
    if found is None:
        abort(404)
    return render_template("admin/job.html", job=found, finished=found.status in jobs.FINISHED)


@bp.get("/jobs/<int:job_id>.json")
def job_status(job_id: int):
    """A training job's status, for scripts and pollers."""
    found = jobs.get(db.session, job_id)
    if found is None:
        abort(404)
    return jsonify(jobs.to_dict(found))


# ----------------------------------------------------------------------------- versions


def _version_or_404(version_id: str) -> ModelVersion:
    found = db.session.get(ModelVersion, version_id)
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
    return render_template(
        "admin/version.html",
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
            db.session, version_id, actor=_actor(), floor=_floor(), catalogs=catalogs_of(current_app)
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
        versions.discard(db.session, version_id, actor=_actor())
    except versions.VersionError as exc:
        flash(f"Not discarded: {exc}.", "error")
    else:
        flash(f"Discarded {version_id}.", "success")
    return redirect(url_for("admin.version_detail", version_id=version_id))
