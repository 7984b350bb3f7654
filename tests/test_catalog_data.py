"""Data tests: every bundled catalogue is complete, consistent and traceable to its sources."""

from __future__ import annotations

import csv
import datetime as dt
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from recommender.domain import quiz
from recommender.domain.catalog import SPECIALIZATION_IDS, load_programs

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
DATA = ROOT / "data"
# Pages that are a source of facts, never the program's own page (issue 8): FAQs, catalogues and
# bulletins, news, blogs, rankings, tuition pages and document mirrors.
MIRROR = re.compile(
    r"docplayer|fdocuments|fdokumen|studylib|scribd|yumpu|paperzz|docslib|documents\.pub|vdocuments|1library|readkong"
)
NOT_A_PROGRAM_PAGE = re.compile(
    r"faq|frequently-asked|catalog|bulletin|handbook|calendar\.|courses\.|prog-crs|studieordninger|educationguide|"
    r"/kurser/|programme-information|/news/|//news\.|blog|rank|tuition|" + MIRROR.pattern,
    re.IGNORECASE,
)
# Words in a program's own name or concentrations that show each specialization.
SPECIALIZATION_WORDS = {
    "project_management": re.compile(r"project", re.I),
    "operations_supply_chain": re.compile(r"supply chain|logistics|operations|production", re.I),
    "systems_engineering": re.compile(r"system", re.I),
    "product_innovation": re.compile(r"product|design|innovation", re.I),
    "data_analytics": re.compile(r"analytics|machine learning", re.I),
    "entrepreneurship": re.compile(r"entrepreneur|technopreneur", re.I),
    "energy_sustainability": re.compile(r"energy|sustainab|environment", re.I),
    "construction_management": re.compile(r"construction", re.I),
}
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
def test_programs_file_is_a_fresh_build_of_the_research(tmp_path):
    built = tmp_path / "programs.csv"
    subprocess.run(
        [sys.executable, "data/build_programs.py", "--output", str(built)], cwd=ROOT, check=True, capture_output=True
    )
    assert built.read_bytes() == (DATA / "programs.csv").read_bytes()


def test_programs_file_sources_and_ids():
    programs = load_programs().programs
    assert len({p.id for p in programs}) == len(programs)
    assert all(p.sources and all(s.startswith(("http://", "https://")) for s in p.sources) for p in programs)
    assert {p.region for p in programs} <= set(quiz.REGIONS) - {"any"}


def test_ids_of_earlier_programs_are_stable(programs_file):
    by_id = {p.id: (p.university, p.program) for p in programs_file.programs}
    assert by_id["duke-mem-campus"] == ("Duke University", "Master of Engineering Management (Campus)")
    assert by_id["mit-sdm"] == ("Massachusetts Institute of Technology", "System Design and Management (SDM) master's")
    assert by_id["uvu-ms-etm"][0] == "Utah Valley University"


def _on(host: str, domains: tuple[str, ...]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


@needs_research
def test_every_program_names_domains_backed_by_its_addresses_or_the_notes(programs_file):
    research = {(r["university"], r["program_name"]): r for r in rows(SHARED / "programs_research.csv")}
    notes = (DATA / "NOTES.md").read_text(encoding="utf-8")
    general = notes[notes.index("### Domains") : notes.index("### url and source")]
    for p in programs_file.programs:
        assert p.domains, p.id
        r = research[(p.university, p.program)]
        hosts = {_host(a) for a in [r["url"], *r["source"].split(";")] if a.strip()}
        for domain in p.domains:
            recorded = f"`{p.id}`: `{domain}`" in general
            assert any(_on(h, (domain,)) for h in hosts) or recorded, (p.id, domain)


def test_program_page_is_https_on_its_domains_and_not_a_source_page(programs_file):
    kept = [p for p in programs_file.programs if p.url]
    assert len(kept) >= 30  # the rule must not simply empty every url
    for p in kept:
        assert p.url.startswith("https://"), p.id
        assert _on(_host(p.url), p.domains), p.id
        assert not NOT_A_PROGRAM_PAGE.search(p.url), (p.id, p.url)


def test_document_mirrors_and_rankings_are_third_party_sources(programs_file):
    listed = [(p, s) for p in programs_file.programs for s in p.to_dict()["sources"]]
    assert all(s["kind"] in ("official", "third-party") and s["host"] == _host(s["url"]) for _, s in listed)
    mirrors = [s for _, s in listed if MIRROR.search(s["host"])]
    assert mirrors and all(s["kind"] == "third-party" for s in mirrors)
    for p, s in listed:
        assert (s["kind"] == "official") == _on(s["host"], p.domains), (p.id, s["url"])


def test_coverage_reports_the_source_kinds(programs_file):
    kinds = Counter(s["kind"] for p in programs_file.programs for s in p.source_list())
    done = subprocess.run([sys.executable, "data/coverage.py"], cwd=ROOT, check=True, capture_output=True, text=True)
    report = done.stdout.splitlines()
    assert kinds["official"] > 0 and kinds["third-party"] > 0
    assert f"| official (on the program's domains) | {kinds['official']} |" in report
    assert f"| third-party | {kinds['third-party']} |" in report
    assert f"| domains | {len(programs_file.programs)} | 100% |" in report


@needs_research
def test_tuition_sources_are_row_sources_and_third_party_figures_say_so(programs_file):
    research = {(r["university"], r["program_name"]): r for r in rows(SHARED / "programs_research.csv")}
    by_id = {p.id: p for p in programs_file.programs}
    for p in programs_file.programs:
        if p.tuition_source:
            assert p.tuition_usd is not None and p.tuition_source in p.sources, p.id
        if p.tuition_usd is not None and "third-party" in research[(p.university, p.program)]["tuition_year"]:
            assert p.tuition_source_kind == "third-party", p.id
    for program_id in ("duke-mem-campus", "usc-ms-em", "ohio-u-mem-online"):
        assert by_id[program_id].tuition_source_kind == "third-party", program_id
    for program_id in ("stanford-ms-mse", "duke-mem-online", "jhu-msem-residential"):
        assert by_id[program_id].tuition_source_kind == "official", program_id
        assert _on(_host(by_id[program_id].tuition_source), by_id[program_id].domains)


def test_every_figure_keeps_its_age(programs_file):
    by_id = {p.id: p for p in programs_file.programs}
    today = dt.date(2026, 12, 1)
    assert by_id["ohio-u-mem-online"].tuition_age(today) == 13 and by_id["ohio-u-mem-online"].tuition_stale(today)
    assert by_id["duke-mem-campus"].tuition_age(today) == 1 and not by_id["duke-mem-campus"].tuition_stale(today)
    assert by_id["gwu-ms-em-online"].tuition_usd == 43200 and by_id["gwu-ms-em-online"].newest_fact_age(today) is None
    assert all(p.tuition_year == "" or p.tuition_usd is not None for p in programs_file.programs)


def test_specializations_are_named_by_the_program_itself(programs_file):
    for p in programs_file.programs:
        own_words = " ".join([p.program, *p.concentrations])
        for spec in p.specializations:
            assert SPECIALIZATION_WORDS[spec].search(own_words), (p.id, spec)
        if re.search(r"construction (management|science)", p.program, re.I):
            assert "construction_management" in p.specializations, p.id
    assert sum("construction_management" in p.specializations for p in programs_file.programs) >= 5


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
