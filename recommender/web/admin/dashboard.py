"""The dashboard (submissions, feedback, version history), the audit log and the submissions export."""

from __future__ import annotations

import datetime as dt

from flask import Response, current_app, render_template, request, stream_with_context
from sqlalchemy import select

from recommender.extensions import db
from recommender.ml.ranking import Recommender
from recommender.orm import AuditEvent
from recommender.services import dashboard, versions
from recommender.services.registry import NoActiveModel
from recommender.services.state import catalogs_of, registry_of
from recommender.web.admin.blueprint import actor, bp, page_number

AUDIT_PAGE = 50


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
    page = db.paginate(query, page=page_number(request.args.get("page")), per_page=AUDIT_PAGE, error_out=False)
    actions = db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()
    return render_template("admin/audit.html", page=page, action=action, actions=actions)


@bp.get("/submissions.csv")
def export_submissions():
    """Every submission as CSV; cells that a spreadsheet would run as formulas are made text."""
    versions.audit(db.session, actor=actor(), action="export_submissions", target="submissions.csv")
    db.session.commit()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    body = stream_with_context(dashboard.csv_chunks(dashboard.submission_rows(db.session)))
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="submissions-{stamp}.csv"'},
    )
