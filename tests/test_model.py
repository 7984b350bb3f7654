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
from recommender.app import registry_of
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
def test_programs_come_in_fit_groups_meets_unknown_misses(trained, a):
    rec = trained.recommender.recommend(a, limit=50)
    order = [("meets", "unknown", "misses").index(p.fit) for p in rec.programs]
    assert order == sorted(order)
    misses, unknown = trained.recommender.fit_tables(a)
    assert rec.fit_counts["meets"] == int((~misses.any(axis=1) & ~unknown.any(axis=1)).sum())
    assert rec.fit_counts["misses"] == int(misses.any(axis=1).sum())
    assert sum(rec.fit_counts.values()) == len(trained.recommender.programs)
    assert len(rec.specializations) == 8


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
    # With the goal weighing most, it is the answer that separates the first two.
    assert "“Systems engineer” points more strongly to Systems Engineering" in rec.runner_up_note


def test_program_reasons_quote_the_track_that_matches_the_best_specialization(trained):
    rec = trained.recommender.recommend(answers(interests=("analyzing_data",), goal="data_science_manager"), limit=50)
    assert rec.specializations[0].specialization.id == "data_analytics"
    duke = next(m for m in rec.programs if m.program.id == "duke-mem-online")
    assert duke.reasons[0] == (
        "Its track “Data Analytics and Machine Learning” fits Engineering Analytics & Data Science, your best match."
    )
    assert duke.band == "strong" and not duke.general


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
    scores = np.zeros(recommender.n_specs + len(recommender.programs), dtype=np.float32)
    _, order, *_ = recommender._rank(answers(), scores, limit=10)
    # With every score equal, grounding levels and breadth still lead; then programs sort by id.
    top = recommender.top_specializations(np.arange(8), scores[:8])
    levels, breadth = recommender.grounding_levels(top), recommender.breadth(top)
    expected = sorted(
        range(len(recommender.programs)), key=lambda i: (-levels[i], -breadth[i], recommender.programs[i].id)
    )[:10]
    assert order.tolist() == expected


def test_training_is_deterministic(programs_file, catalogs, trained):
    again = train(programs_file, catalogs)
    for name, array in trained.fitted.arrays.items():
        np.testing.assert_array_equal(array, again.fitted.arrays[name], err_msg=name)
    assert again.metrics == trained.metrics


def test_inferred_specializations_only_where_the_file_names_none(trained):
    rec = trained.recommender.recommend(answers(), limit=50)
    for match in rec.programs:
        if match.program.specializations:
            assert match.inferred_specializations == ()
        else:
            named = {spec for spec, kind, _ in match.evidence if kind in ("name", "track", "course")}
            assert set(match.inferred_specializations) == named


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
            domains="example.edu",
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
    assert rec.programs[0].reasons[0].startswith("Its description mentions “construction management of infrastructure”")
    assert rec.programs[1].reasons == ("A general program: it names no construction track or course.",)
    rec = version.recommender.recommend(answers())
    assert rec.programs[0].program.id == "a"


def test_answer_keys_cover_every_match_value():
    keys = set(features.answer_keys())
    assert keys == set(features.ANSWER_TEXT)
    assert len(keys) == 8 + 14 + 8 + 8
