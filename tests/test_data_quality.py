"""The data-quality page and `flask catalog report` (issue 11, §1): coverage, the most shown programs
lacking cost/format/pace, stale tuition, program pages off their domains, third-party-only sources."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from recommender.domain.catalog import load_programs
from recommender.domain.catalog.quality import missing_facts, report
from recommender.extensions import db
from recommender.orm import Submission, utcnow
from recommender.services import accounts, catalog_edits, catalog_quality
from tests.conftest import valid_answers
from tests.test_admin import FAST_SCRYPT, admin_client


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch):
    monkeypatch.setattr(accounts, "hash_password", lambda password: generate_password_hash(password, FAST_SCRYPT))


def add_submission(app, shown, *, days_ago: float = 0, version_id: str) -> None:
    with app.app_context():
        db.session.add(Submission(token="t", answers={}, model_version_id=version_id, top_specialization="x",
                                  channel="api", created_at=utcnow() - dt.timedelta(days=days_ago),
                                  shown_program_ids=shown))  # fmt: skip
        db.session.commit()


def test_a_submission_records_the_programs_it_showed(app):
    client = app.test_client()
    body = client.post("/api/v1/recommendations", json=valid_answers(), query_string={"limit": 7}).get_json()
    with app.app_context():
        row = db.session.scalars(select(Submission)).one()
        assert row.shown_program_ids == [p["id"] for p in body["programs"]] and len(row.shown_program_ids) == 7


def test_programs_lacking_facts_are_ranked_by_times_shown_in_the_last_30_days(app, trained):
    programs = load_programs().programs
    gaps = [p for p in programs if missing_facts(p)]
    complete = next(p for p in programs if not missing_facts(p))
    a, b = gaps[0], gaps[1]
    for _ in range(3):
        add_submission(app, [b.id, complete.id], version_id=trained.version_id)
    add_submission(app, [a.id, b.id], version_id=trained.version_id)
    for _ in range(5):  # older than the window: not counted
        add_submission(app, [a.id], days_ago=31, version_id=trained.version_id)
    add_submission(app, None, version_id=trained.version_id)  # an older row without the column
    with app.app_context():
        counts = catalog_quality.shown_counts(db.session, utcnow() - dt.timedelta(days=30))
        assert (counts[b.id], counts[a.id], counts[complete.id]) == (4, 1, 3)
        found = catalog_quality.shown_gaps(db.session, programs)
    assert [(g.program.id, g.times_shown) for g in found] == [(b.id, 4), (a.id, 1)]
    assert found[0].missing == missing_facts(b)

    page = admin_client(app).get("/admin/catalogue/quality").get_data(as_text=True)
    gaps_table = page.split('class="gaps"')[1].split("</table>")[0]
    assert gaps_table.index(b.id) < gaps_table.index(a.id) and complete.id not in gaps_table
    assert f"/admin/catalogue/programs/{b.id}/edit" in gaps_table


def test_coverage_counts_the_programs_that_state_each_column():
    programs = load_programs().programs
    by_column = {c.column: c for c in report(programs).coverage}
    assert by_column["tuition_usd"].known == sum(p.tuition_usd is not None for p in programs)
    assert by_column["formats"].known == sum(bool(p.formats) for p in programs)
    assert by_column["id"].known == len(programs) == by_column["id"].total


def test_stale_tuition_off_domain_pages_and_third_party_only_sources_are_found():
    base = next(p for p in load_programs().programs if p.tuition_usd is not None and p.domains)
    stale = dataclasses.replace(base, id="stale", tuition_year="2019-20")
    off = dataclasses.replace(base, id="off", url="https://www.rankings.example.com/mem")
    third = dataclasses.replace(base, id="third", sources=("https://www.rankings.example.com/a",), tuition_source="")
    found = report([base, stale, off, third], today=dt.date(2026, 12, 1))
    assert [(p.id, age) for p, age in found.stale] == [("stale", 7)]
    assert [p.id for p in found.off_domain] == ["off"]
    assert [p.id for p in found.third_party_only] == ["third"]


def test_the_report_command_prints_each_section_and_strict_fails_on_an_off_domain_page(app, monkeypatch):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["catalog", "report", "--strict"])
    assert result.exit_code == 0, result.output
    for line in ("coverage:", "tuition_usd", "program pages off their domains: 0", "only third-party sources:"):
        assert line in result.output
    programs = load_programs().programs
    bad = dataclasses.replace(programs[0], url="https://elsewhere.example.org/page")
    real = catalog_edits.active_catalogue

    def with_a_bad_page(session):
        version, _ = real(session)
        return version, (bad, *programs[1:])

    monkeypatch.setattr(catalog_edits, "active_catalogue", with_a_bad_page)
    assert runner.invoke(args=["catalog", "report"]).exit_code == 0
    strict = runner.invoke(args=["catalog", "report", "--strict"])
    assert strict.exit_code != 0 and "elsewhere.example.org" in strict.output


def test_the_report_command_reads_a_file_and_names_its_problems(app, tmp_path):
    good = tmp_path / "programs.csv"
    good.write_bytes(load_programs().raw)
    result = app.test_cli_runner().invoke(args=["catalog", "report", "--data", str(good)])
    assert result.exit_code == 0 and "programs.csv" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("id,university\nx,y\n")
    refused = app.test_cli_runner().invoke(args=["catalog", "report", "--data", str(bad)])
    assert refused.exit_code != 0 and "required column is missing" in refused.output
