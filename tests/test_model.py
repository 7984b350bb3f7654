"""The model: answers to vector, one-product ranking, constraints, reasons and determinism."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.domain import quiz
from recommender.domain.catalog import Program, ProgramsFile, parse_programs
from recommender.ml import features
from recommender.ml.pipeline import train
from recommender.ml.training import sklearn_query

ROOT = Path(__file__).resolve().parents[1]

answers_strategy = st.builds(
    quiz.Answers,
    # Canonical order, as parse_answers always gives it.
    interests=st.lists(st.sampled_from(list(quiz.INTERESTS)), min_size=1, max_size=3, unique=True).map(
        lambda chosen: tuple(sorted(chosen, key=list(quiz.INTERESTS).index))
    ),
    background=st.sampled_from(list(quiz.BACKGROUNDS)),
    experience_years=st.integers(0, 50),
    goal=st.sampled_from(list(quiz.GOALS)),
    industry=st.sampled_from(list(quiz.INDUSTRIES)),
    format=st.sampled_from(list(quiz.FORMATS)),
    pace=st.sampled_from(list(quiz.PACES)),
    max_budget_usd=st.one_of(st.none(), st.integers(0, 500_000)),
    region=st.sampled_from(list(quiz.REGIONS)),
)


def answers(**overrides) -> quiz.Answers:
    base = dict(
        interests=("improving_operations",),
        background="industrial",
        experience_years=4,
        goal="supply_chain_manager",
        industry="manufacturing",
        format="any",
        pace="any",
        max_budget_usd=None,
        region="any",
    )
    base.update(overrides)
    return quiz.Answers(**base)


@settings(max_examples=300, deadline=None)
@given(a=answers_strategy)
def test_fast_path_equals_the_scikit_learn_path(trained, a):
    fast = trained.recommender.query_vector(a)
    slow = sklearn_query(trained.fitted, a)
    np.testing.assert_allclose(fast, slow, atol=1e-5)
    np.testing.assert_allclose(trained.recommender.scores(a), trained.recommender.items @ slow, atol=1e-5)


def test_query_is_a_unit_vector_built_from_the_answers(trained):
    q = trained.recommender.query_vector(answers())
    assert np.linalg.norm(q) == pytest.approx(1.0, abs=1e-5)
    other = trained.recommender.query_vector(answers(interests=("starting_ventures",), goal="founder"))
    assert not np.allclose(q, other)


def test_one_matrix_product_scores_every_specialization_and_program(trained):
    scores = trained.recommender.scores(answers())
    assert scores.shape == (8 + len(trained.recommender.programs),)


SERVE_ONE_REQUEST = """
import json, sys
from recommender import create_app
from recommender.services.state import registry_of
from recommender.domain import quiz
from recommender.extensions import db
url, options, models, answers = json.loads(sys.argv[1])
app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url,
                  "SQLALCHEMY_ENGINE_OPTIONS": options, "MODELS_DIR": models, "BOOTSTRAP": False})
with app.app_context():
    registry_of(app).active(db.session).recommend(quiz.parse_answers(answers))
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("sklearn", "recommender"))))
"""


def test_request_path_never_imports_scikit_learn(app, tmp_path):
    """A fresh process loads the active version from the database and serves one request."""
    from tests.conftest import valid_answers

    args = [
        app.config["SQLALCHEMY_DATABASE_URI"],
        app.config["SQLALCHEMY_ENGINE_OPTIONS"],
        str(tmp_path / "models"),
        valid_answers(),
    ]
    out = subprocess.run(
        [sys.executable, "-c", SERVE_ONE_REQUEST, json.dumps(args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert "recommender.ml.ranking" in loaded
    assert [m for m in loaded if m.startswith("sklearn")] == []
    assert "recommender.ml.training" not in loaded


@settings(max_examples=150, deadline=None)
@given(a=answers_strategy)
def test_a_program_missing_a_constraint_never_outranks_one_meeting_them(trained, a):
    rec = trained.recommender.recommend(a, limit=50)
    misses = [len(p.constraint_misses) for p in rec.programs]
    assert misses == sorted(misses)
    assert rec.programs_meeting_constraints == int((~trained.recommender.misses(a).any(axis=1)).sum())
    assert rec.programs_meeting_constraints >= sum(1 for m in misses if m == 0)
    assert len(rec.specializations) == 8


def test_hybrid_does_not_meet_online(trained):
    rec = trained.recommender.recommend(answers(format="online"), limit=65)
    for match in rec.programs:
        p = match.program
        assert ("format" in match.constraint_misses) == ("online" not in p.formats)
    hybrid_only = [m for m in rec.programs if m.program.formats == ("hybrid",)]
    assert hybrid_only and all("format" in m.constraint_misses for m in hybrid_only)


def test_unknown_format_never_meets_a_format_constraint(trained):
    rec = trained.recommender.recommend(answers(format="on_campus"), limit=65)
    unknown = [m for m in rec.programs if not m.program.formats]
    assert unknown and all("format" in m.constraint_misses for m in unknown)
    assert all("Format not stated" in " ".join(m.reasons) for m in unknown)


def test_accelerated_means_full_time_within_twelve_months(trained):
    rec = trained.recommender.recommend(answers(pace="accelerated"), limit=65)
    for match in rec.programs:
        p = match.program
        meets = "accelerated" in p.paces or ("full_time" in p.paces and (p.duration_months or 99) <= 12)
        assert ("pace" in match.constraint_misses) != meets, p.id


def test_budget_counts_known_costs_and_says_unknown_ones(trained):
    rec = trained.recommender.recommend(answers(max_budget_usd=50_000), limit=65)
    for match in rec.programs:
        tuition = match.program.tuition_usd
        assert ("budget" in match.constraint_misses) == (tuition is None or tuition > 50_000)
        if tuition is None:
            assert "Cost not known, so it cannot be checked against your budget." in match.reasons
    cheap = [m for m in rec.programs if not m.constraint_misses]
    assert cheap and all(m.program.tuition_usd <= 50_000 for m in cheap)


def test_region_constraint(trained):
    rec = trained.recommender.recommend(answers(region="canada"), limit=65)
    meeting = [m.program.id for m in rec.programs if not m.constraint_misses]
    assert meeting and all(
        trained.recommender.programs[[p.id for p in trained.recommender.programs].index(i)].region == "canada"
        for i in meeting
    )
    assert rec.programs[0].program.region == "canada"


def test_specialization_reasons_quote_the_users_answers(trained):
    rec = trained.recommender.recommend(
        answers(
            interests=("designing_systems",),
            goal="systems_engineer",
            industry="aerospace_defense",
            background="electrical",
        )
    )
    top = rec.specializations[0]
    assert top.specialization.id == "systems_engineering"
    text = " ".join(top.reasons)
    assert "Designing systems" in text and "Systems engineer" in text
    second = rec.specializations[1].specialization.name
    assert rec.runner_up_note.startswith(f"{second} came second")
    assert "“Designing systems” points more strongly to Systems Engineering" in rec.runner_up_note


def test_program_reasons_come_from_contributions_and_name_the_track(trained):
    rec = trained.recommender.recommend(answers(interests=("analyzing_data",), goal="data_science_manager"), limit=65)
    duke = next(m for m in rec.programs if m.program.id == "duke-mem-online")
    assert duke.reasons[:2] == (
        "Your goal is “Data science manager”; its “Data Analytics and Machine Learning” track matches.",
        "You chose “Analyzing data”; its “Data Analytics and Machine Learning” track matches.",
    )


def test_contributions_add_up_to_the_score(trained):
    rec = trained.recommender.recommend(answers(interests=("leading_projects", "sustainability")))
    for match in rec.specializations:
        raw = float(
            trained.recommender.scores(answers(interests=("leading_projects", "sustainability")))[
                [s.id for s in trained.recommender.specializations].index(match.specialization.id)
            ]
        )
        assert sum(match.contributions.values()) == pytest.approx(raw, abs=1e-5)


def test_roles_start_with_the_goal_and_follow_the_top_specializations(trained):
    rec = trained.recommender.recommend(answers(goal="construction_manager", interests=("building_infrastructure",)))
    assert rec.roles[0].id == "construction_manager"
    assert set(rec.specializations[0].specialization.roles) <= {r.id for r in rec.roles}


def test_ties_break_by_program_id(trained):
    recommender = trained.recommender
    scores = np.zeros(len(recommender.programs))
    order = recommender._order_programs(scores, np.zeros(len(scores), dtype=int), limit=10)
    ids = [recommender.programs[i].id for i in order]
    assert ids == sorted(p.id for p in recommender.programs)[:10]


def test_training_is_deterministic(programs_file, catalogs, trained):
    again = train(programs_file, catalogs)
    for name, array in trained.fitted.arrays.items():
        np.testing.assert_array_equal(array, again.fitted.arrays[name], err_msg=name)
    assert again.metrics == trained.metrics


def test_inferred_specializations_only_where_the_file_names_none(trained):
    by_id = {p.id: p for p in trained.recommender.programs}
    rec = trained.recommender.recommend(answers(), limit=65)
    for match in rec.programs:
        if by_id[match.program.id].specializations:
            assert match.inferred_specializations == ()
        else:
            assert match.inferred_specializations


def _tiny(programs: list[Program]) -> ProgramsFile:
    import csv
    import io

    from recommender.domain.catalog import PROGRAM_COLUMNS

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=PROGRAM_COLUMNS)
    writer.writeheader()
    for p in programs:
        d = {k: "" for k in PROGRAM_COLUMNS}
        d.update(
            id=p.id,
            university=p.university,
            program=p.program,
            country=p.country,
            region=p.region,
            source=";".join(p.sources),
            description=p.description,
            formats=";".join(p.formats),
        )
        writer.writerow(d)
    return parse_programs(out.getvalue().encode())


def test_trains_on_a_two_program_file(catalogs):
    base = Program(
        id="a",
        university="U",
        program="MEM",
        country="USA",
        region="us_west",
        sources=("https://example.edu",),
        description="supply chain logistics operations",
    )
    other = dataclasses.replace(base, id="b", description="construction management of infrastructure")
    version = train(_tiny([base, other]), catalogs)
    rec = version.recommender.recommend(answers(interests=("building_infrastructure",), goal="construction_manager"))
    assert [m.program.id for m in rec.programs] == ["b", "a"]
    rec = version.recommender.recommend(answers())
    assert rec.programs[0].program.id == "a"


def test_answer_keys_cover_every_match_value():
    keys = set(features.answer_keys())
    assert keys == set(features.ANSWER_TEXT)
    assert len(keys) == 8 + 14 + 8 + 8
