"""Oversight: the dashboard's figures and SVG charts, the audit log, and the submissions export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from werkzeug.security import generate_password_hash

from recommender.extensions import db
from recommender.orm import AuditEvent, Feedback, Submission, utcnow
from recommender.services import accounts, dashboard
from tests.conftest import valid_answers
from tests.test_admin import FAST_SCRYPT, actions, admin_client


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch):
    monkeypatch.setattr(accounts, "hash_password", lambda password: generate_password_hash(password, FAST_SCRYPT))


def recommend(client, **answers) -> dict:
    response = client.post(
        "/api/v1/recommendations", data=json.dumps(valid_answers(**answers)), content_type="application/json"
    )
    assert response.status_code == 200
    return response.get_json()


def add_submission(app, *, days_ago: int, top: str = "project_management", **cells) -> None:
    with app.app_context():
        version = db.session.scalars(db.select(Submission.model_version_id)).first()
        db.session.add(
            Submission(
                token=cells.get("token", f"t{days_ago}{top}"),
                answers=cells.get("answers", valid_answers()),
                model_version_id=version,
                top_specialization=top,
                channel="web",
                created_at=utcnow() - dt.timedelta(days=days_ago),
            )
        )
        db.session.commit()


def vote(app, kind: str, item: str, useful: bool, times: int = 1) -> None:
    with app.app_context():
        db.session.add_all(Feedback(token="t", item_kind=kind, item_id=item, useful=useful) for _ in range(times))
        db.session.commit()


def test_submissions_per_day_count_each_utc_day_and_fill_the_gaps(app):
    client = admin_client(app)
    recommend(client)
    recommend(client, goal="project_manager", interests=["leading_projects"])
    add_submission(app, days_ago=3)
    add_submission(app, days_ago=40)  # outside the window
    with app.app_context():
        days = dashboard.submissions_per_day(db.session, days=30)
    assert len(days) == 30 and days[-1] == (utcnow().date(), 2)
    assert dict(days)[utcnow().date() - dt.timedelta(days=3)] == 1
    assert sum(n for _, n in days) == 3


def test_the_dashboard_draws_usage_top_specializations_feedback_and_versions(app, trained):
    client = admin_client(app)
    body = recommend(client)
    top = body["specializations"][0]["id"]
    vote(app, "specialization", top, True, 3)
    vote(app, "specialization", top, False, 1)
    vote(app, "program", body["programs"][0]["id"], False, 2)
    page = client.get("/admin/").get_data(as_text=True)
    assert page.count("<svg") == 4  # per day, top specializations, two feedback charts
    assert page.count('<rect class="bar"') == 30 + 1
    assert "1 submission in the last 30 days" in page
    assert "Operations &amp; Supply Chain Management" in page
    spec_row = page.split("Feedback per specialization", 1)[1].split("</tr>", 2)[1]
    assert "Operations &amp; Supply Chain Management" in spec_row and "75.0%" in spec_row
    program_row = page.split("Feedback per program", 1)[1].split("</tr>", 2)[1]
    assert body["programs"][0]["university"] in program_row and "0.0%" in program_row
    assert trained.version_id in page and "active" in page
    assert "Download every submission (CSV)" in page


def test_an_empty_dashboard_renders(app):
    page = admin_client(app).get("/admin/").get_data(as_text=True)
    assert "No submissions yet." in page and "No votes yet." in page


def test_chart_geometry_scales_to_the_largest_value():
    chart = dashboard.column_chart([("a", 1), ("b", 4), ("c", 0)], width=300, height=100)
    assert [b.height for b in chart.bars] == [25, 100, 0]
    assert [b.y for b in chart.bars] == [75, 0, 100]
    assert chart.bars[1].x == 101 and chart.max_value == 4
    bars = dashboard.bar_chart([("x", 2), ("y", 1)], width=400, label_width=100)
    assert bars.bars[0].width == 240 and bars.bars[1].width == 120 and bars.height == 48
    rate = dashboard.FeedbackRate("s", "S", useful=3, not_for_me=1)
    split = dashboard.split_chart([rate], width=400, label_width=100)
    assert [(b.kind, b.width) for b in split.bars] == [("useful", 180), ("not-for-me", 60)]
    assert dashboard.column_chart([]).bars == () and dashboard.bar_chart([]).height == 24


# ----------------------------------------------------------------------------- export


def test_the_submissions_export_has_every_answer_and_formula_safe_cells(app):
    client = admin_client(app)
    recommend(client)
    hostile = valid_answers(background="=1+1", goal="@SUM(A1)", industry="-2+3", region="+cmd", pace="\tx")
    add_submission(app, days_ago=1, top="=HYPERLINK(1)", token="=evil", answers=hostile)
    response = client.get("/admin/submissions.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="submissions-')
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 2
    first, second = rows
    assert first["interests"] == "improving_operations;analyzing_data"
    assert first["max_budget_usd"] == "" and first["experience_years"] == "4" and first["channel"] == "api"
    assert second["token"] == "'=evil" and second["top_specialization"] == "'=HYPERLINK(1)"
    assert (second["background"], second["goal"], second["industry"], second["region"], second["pace"]) == (
        "'=1+1", "'@SUM(A1)", "'-2+3", "'+cmd", "'\tx",
    )  # fmt: skip
    assert actions(app)[-1] == "export_submissions"


def test_formula_safe_leaves_plain_values_alone():
    assert [dashboard.formula_safe(v) for v in ("=x", "+x", "-x", "@x", "\tx", "\rx", "x", "", 5, -5, None)] == [
        "'=x", "'+x", "'-x", "'@x", "'\tx", "'\rx", "x", "", 5, -5, None,
    ]  # fmt: skip
    chunks = list(dashboard.csv_chunks(([i, f"={i}"] for i in range(1200)), batch=500))
    assert len(chunks) == 3 and "".join(chunks).count("'=") == 1200


# ----------------------------------------------------------------------------- audit log


def test_the_audit_log_pages_and_filters(app):
    client = admin_client(app)
    with app.app_context():
        db.session.add_all(AuditEvent(actor="cli", action="train", target=f"v{i}", detail={"n": i}) for i in range(60))
        db.session.commit()
    first = client.get("/admin/audit").get_data(as_text=True)
    assert "Page 1 of 2" in first and "Older" in first and "v59" in first and "v0<" not in first
    second = client.get("/admin/audit?page=2").get_data(as_text=True)
    assert "v0<" in second and "Newer" in second
    logins = client.get("/admin/audit?action=login").get_data(as_text=True)
    assert "admin@example.org" in logins and "v59" not in logins
    assert "Nothing recorded for nothing-like-this" in client.get("/admin/audit?action=nothing-like-this").get_data(
        as_text=True
    )
