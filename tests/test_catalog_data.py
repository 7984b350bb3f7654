"""Data tests: every bundled catalogue is complete, consistent and traceable to its sources."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest

from recommender.domain import quiz
from recommender.domain.catalog import SPECIALIZATION_IDS, load_programs

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
DATA = ROOT / "data"
needs_research = pytest.mark.skipif(
    not SHARED.exists(), reason="../shared/data (the researched facts) is not beside the repo"
)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@needs_research
def test_every_researched_program_is_in_the_catalogue(programs_file):
    research = rows(SHARED / "programs_research.csv")
    programs = programs_file.programs
    assert len(programs) == 120
    assert sorted((p.university, p.program) for p in programs) == sorted(
        (r["university"], r["program_name"]) for r in research
    )


@needs_research
def test_program_facts_match_the_research_and_nothing_is_invented(programs_file):
    research = {(r["university"], r["program_name"]): r for r in rows(SHARED / "programs_research.csv")}
    for p in programs_file.programs:
        r = research[(p.university, p.program)]
        raw_tuition = r["tuition_total_usd"].strip()
        if p.tuition_usd is not None:
            assert raw_tuition == str(p.tuition_usd), p.id  # only plain whole-program figures
        else:
            assert not raw_tuition.isdigit(), p.id
        researched = {s.strip() for s in r["source"].split(";") if s.strip()}
        # A research url that is not the program's own page joins the sources; nothing else does.
        assert researched <= set(p.sources) <= researched | {r["url"].strip()}, p.id
        assert p.url in ("", r["url"].strip()), p.id
        assert set(p.formats) == {f.strip().replace("-", "_") for f in r["format"].split(";") if f.strip()}, p.id
        assert ("part_time" in p.paces) == (r["part_time_available"] == "yes"), p.id
        if p.duration_months is not None:
            assert r["duration_months"].startswith(str(p.duration_months)), p.id


@needs_research
def test_programs_file_is_reproducible_from_the_research(tmp_path):
    before = (DATA / "programs.csv").read_bytes()
    subprocess.run([sys.executable, "data/build_programs.py"], cwd=ROOT, check=True, capture_output=True)
    assert (DATA / "programs.csv").read_bytes() == before


def test_programs_file_sources_and_ids():
    programs = load_programs().programs
    assert len({p.id for p in programs}) == len(programs)
    assert all(p.sources and all(s.startswith(("http://", "https://")) for s in p.sources) for p in programs)
    assert all(not p.url or p.url.startswith("https://") for p in programs)
    assert {p.region for p in programs} <= set(quiz.REGIONS) - {"any"}


def test_specializations_catalogue(catalogs):
    specs = catalogs.specializations
    assert [s.id for s in specs] == list(SPECIALIZATION_IDS)
    for spec in specs:
        assert spec.description and len(spec.keywords) >= 5 and spec.roles and spec.certifications
    # Every interest leads somewhere, and each leads first of all to one specialization.
    for interest in quiz.INTERESTS:
        assert sum(interest in s.interests for s in specs) >= 1, interest
    for goal in quiz.GOALS:
        assert any(goal in s.goals for s in specs), goal


def test_roles_cover_the_ladder_and_every_goal(catalogs):
    roles = catalogs.roles_by_id
    assert set(quiz.GOALS) <= set(roles)
    for ladder in ("project_engineer", "engineering_manager", "engineering_director", "cto"):
        assert ladder in roles
    assert [roles[r].ladder_step for r in ("project_engineer", "engineering_manager", "cto")] == [1, 3, 4]


@needs_research
def test_role_pay_comes_only_from_the_occupations_data(catalogs):
    occupations = rows(SHARED / "occupations.csv")
    by_code = {o["onet_soc_code"]: o for o in occupations}
    for role in catalogs.roles:
        if role.median_pay_usd is None:
            assert role.pay_note, f"{role.id}: an unknown pay must say why"
            continue
        assert role.pay_source and role.pay_year == "2025"
        occupation = by_code[role.onet_soc_code]
        assert int(occupation["median_pay_usd"]) == role.median_pay_usd, role.id
        assert role.onet_url == occupation["onet_url"]
    # No SOC code exists for these titles: the product says so rather than borrowing a number.
    for unknown in ("product_manager", "systems_engineer", "founder"):
        assert catalogs.roles_by_id[unknown].median_pay_usd is None


def test_certifications_are_the_ones_the_seed_names(catalogs):
    assert {c.abbreviation or c.id for c in catalogs.certifications} >= {"PMP", "CSM", "EIT", "CPE"}
    assert any("Six Sigma" in c.name for c in catalogs.certifications)
    cert_ids = {c.id for c in catalogs.certifications}
    assert all(set(s.certifications) <= cert_ids for s in catalogs.specializations)


def test_persona_set_is_large_and_covers_the_quiz(catalogs):
    personas = catalogs.personas
    assert len(personas) >= 40
    assert len({p.id for p in personas}) == len(personas)
    assert {e for p in personas for e in p.expected} == set(SPECIALIZATION_IDS)
    assert {p.answers.goal for p in personas} == set(quiz.GOALS)
    assert {p.answers.background for p in personas} == set(quiz.BACKGROUNDS)
    assert {p.answers.industry for p in personas} == set(quiz.INDUSTRIES)


def test_no_catalogue_cell_would_run_as_a_formula():
    for path in DATA.glob("*.csv"):
        for row in rows(path):
            for column, cell in row.items():
                assert not re.match(r"^[=+@\t\r]", cell or ""), f"{path.name} {column}: {cell[:30]}"
