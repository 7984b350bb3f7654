"""Fit groups (contract v1.1): meets, unknown (a fact not published) or misses (a published fact shows it)."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.domain import quiz
from recommender.domain.catalog import Program
from tests.test_model import answers, answers_strategy

GRID = list(
    itertools.product(
        ("any", "online", "on_campus"),
        ("any", "part_time", "accelerated"),
        (None, 40_000, 80_000),
        ("any", "us_northeast", "europe"),
    )
)


def expected_fit(p: Program, a: quiz.Answers) -> tuple[set[str], set[str]]:
    """The known misses and the unknowns of one program, read straight from its own facts."""
    misses: set[str] = set()
    unknown: set[str] = set()
    if a.format != "any":
        if not p.formats:
            unknown.add("format")
        elif a.format not in p.formats:
            misses.add("format")
    if a.pace != "any":
        if a.pace == "accelerated":
            offered = "accelerated" in p.paces or (
                "full_time" in p.paces and p.duration_months is not None and p.duration_months <= 12
            )
            cannot_tell = not p.paces or ("full_time" in p.paces and p.duration_months is None)
        else:
            offered = a.pace in p.paces
            cannot_tell = not p.paces
        if not offered:
            (unknown if cannot_tell else misses).add("pace")
    if a.max_budget_usd is not None:
        if p.tuition_usd is None:
            unknown.add("budget")
        elif p.tuition_usd > a.max_budget_usd:
            misses.add("budget")
    if a.region != "any" and p.region != a.region:
        misses.add("region")
    return misses, unknown


def test_fit_groups_over_a_grid_match_each_programs_own_facts(trained):
    assert len(GRID) >= 81
    recommender = trained.recommender
    everything = len(recommender.programs)
    groups_seen = set()
    for fmt, pace, budget, region in GRID:
        a = answers(format=fmt, pace=pace, max_budget_usd=budget, region=region)
        rec = recommender.recommend(a, limit=min(everything, 50))
        counts = {"meets": 0, "unknown": 0, "misses": 0}
        for p in recommender.programs:
            misses, unknown = expected_fit(p, a)
            counts["misses" if misses else "unknown" if unknown else "meets"] += 1
        assert rec.fit_counts == counts, (fmt, pace, budget, region)
        for match in rec.programs:
            misses, unknown = expected_fit(match.program, a)
            assert set(match.constraint_misses) == misses, (match.program.id, fmt, pace, budget, region)
            assert set(match.constraint_unknowns) == unknown, (match.program.id, fmt, pace, budget, region)
            assert match.fit == ("misses" if misses else "unknown" if unknown else "meets")
            groups_seen.add(match.fit)
        order = [("meets", "unknown", "misses").index(m.fit) for m in rec.programs]
        assert order == sorted(order), (fmt, pace, budget, region)
    assert groups_seen == {"meets", "unknown", "misses"}


@settings(max_examples=150, deadline=None)
@given(a=answers_strategy)
def test_an_unpublished_tuition_is_never_a_budget_miss(trained, a):
    rec = trained.recommender.recommend(a, limit=50)
    for match in rec.programs:
        if match.program.tuition_usd is None:
            assert "budget" not in match.constraint_misses
            if a.max_budget_usd is not None:
                assert "budget" in match.constraint_unknowns
                assert "Cost not published — check with the program." in match.constraint_notes
    order = [("meets", "unknown", "misses").index(m.fit) for m in rec.programs]
    assert order == sorted(order)


@settings(max_examples=60, deadline=None)
@given(budget=st.integers(0, 500_000))
def test_known_tuition_over_the_budget_is_a_miss_and_says_the_figure(trained, budget):
    rec = trained.recommender.recommend(answers(max_budget_usd=budget), limit=50)
    for match in rec.programs:
        tuition = match.program.tuition_usd
        if tuition is not None:
            assert ("budget" in match.constraint_misses) == (tuition > budget)
            assert f"${tuition:,}" in " ".join(match.constraint_notes)


def test_hybrid_does_not_meet_online_and_an_unpublished_format_is_unknown(trained):
    rec = trained.recommender.recommend(answers(format="online"), limit=50)
    hybrid_only = [m for m in rec.programs if m.program.formats == ("hybrid",)]
    unpublished = [m for m in rec.programs if not m.program.formats]
    assert unpublished and all(m.fit == "unknown" for m in unpublished if not m.constraint_misses)
    assert all("format" in m.constraint_misses for m in hybrid_only)
    for m in unpublished:
        assert "Format not published — check with the program whether it is offered online." in m.constraint_notes


def test_the_pages_never_call_an_unpublished_cost_over_budget(client):
    from tests.conftest import valid_answers

    response = client.post("/api/v1/recommendations?limit=50", json=valid_answers(max_budget_usd=30_000))
    assert response.status_code == 200
    for program in response.get_json()["programs"]:
        if program["tuition_usd"] is None:
            assert "budget" not in program["constraint_misses"]
            assert "budget" in program["constraint_unknowns"]
            assert not any("over your" in r for r in program["reasons"])
