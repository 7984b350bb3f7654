"""The JSON API v1 contract: shape, determinism, storage, limits and clear errors."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from recommender.domain import quiz
from recommender.domain.catalog import SPECIALIZATION_IDS, load_programs
from recommender.extensions import db
from recommender.orm import Submission
from tests.conftest import valid_answers

URL = "/api/v1/recommendations"


def post(client, body, **kwargs):
    return client.post(URL, data=json.dumps(body), content_type="application/json", **kwargs)


def test_answers_with_ranked_results_in_contract_shape(client):
    response = post(client, valid_answers())
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) >= {"model_version", "specializations", "programs", "roles", "result_url"}
    assert [s["id"] for s in body["specializations"]] != list(SPECIALIZATION_IDS)  # ranked, not listed
    assert sorted(s["id"] for s in body["specializations"]) == sorted(SPECIALIZATION_IDS)
    scores = [s["score"] for s in body["specializations"]]
    assert scores == sorted(scores, reverse=True)
    assert all(s["reasons"] and 0 <= s["score"] <= 1 for s in body["specializations"])
    assert 1 <= len(body["programs"]) <= 10
    program = body["programs"][0]
    assert set(program) >= {
        "id",
        "university",
        "program",
        "url",
        "score",
        "formats",
        "paces",
        "region",
        "tuition_usd",
        "reasons",
        "constraint_misses",
    }
    assert program["url"] is None or program["url"].startswith("https://")
    assert {"fit", "constraint_unknowns", "band", "sources"} <= set(program)
    assert all(s["kind"] in ("official", "third-party") for s in program["sources"])
    assert body["roles"][0]["id"] == "supply_chain_manager"  # the user's own goal comes first
    assert set(body["roles"][0]) >= {"id", "title", "url", "median_pay_usd", "pay_source"}
    assert body["result_url"].startswith("/results/")


def test_industrial_engineer_wanting_supply_chains_gets_operations_first(client):
    body = post(client, valid_answers()).get_json()
    assert body["specializations"][0]["id"] == "operations_supply_chain"
    assert any("Supply chain manager" in r for r in body["specializations"][0]["reasons"])


def test_same_answers_same_version_same_response(client):
    first = post(client, valid_answers(format="online", max_budget_usd=60000)).get_json()
    second = post(client, valid_answers(format="online", max_budget_usd=60000)).get_json()
    assert first == second


def test_interest_order_does_not_change_the_answer(client):
    a = post(client, valid_answers(interests=["analyzing_data", "improving_operations"])).get_json()
    b = post(client, valid_answers(interests=["improving_operations", "analyzing_data"])).get_json()
    assert a == b


def test_each_recommendation_is_stored_as_a_submission(app, client):
    post(client, valid_answers())
    post(client, valid_answers(goal="founder", interests=["starting_ventures"]))
    with app.app_context():
        rows = db.session.scalars(select(Submission).order_by(Submission.id)).all()
        assert [r.top_specialization for r in rows] == ["operations_supply_chain", "entrepreneurship"]
        assert rows[0].answers["goal"] == "supply_chain_manager"
        assert rows[0].channel == "api"
        assert rows[0].model_version_id == client.get("/healthz").get_json()["model_version"]


def test_result_url_reproduces_the_ranking(client):
    body = post(client, valid_answers()).get_json()
    page = client.get(body["result_url"])
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    first, second = body["specializations"][0]["name"], body["specializations"][1]["name"]
    assert html.index(first.replace("&", "&amp;")) < html.index(second.replace("&", "&amp;"))


def test_limit_asks_for_more_programs(client):
    body = post(client, valid_answers(), query_string={"limit": 50}).get_json()
    assert len(body["programs"]) == 50


def test_programs_missing_a_constraint_never_rank_above_those_meeting_it(client):
    body = post(client, valid_answers(format="online", region="us_south"), query_string={"limit": 50}).get_json()
    groups = [("meets", "unknown", "misses").index(p["fit"]) for p in body["programs"]]
    assert groups == sorted(groups)
    assert groups[0] == 0 and groups[-1] == 2
    for program in body["programs"]:
        assert ("region" in program["constraint_misses"]) == (program["region"] != "us_south")
        assert ("format" in program["constraint_misses"]) == bool(
            program["formats"] and "online" not in program["formats"]
        )
        assert ("format" in program["constraint_unknowns"]) == (not program["formats"])
        assert program["fit"] == (
            "misses" if program["constraint_misses"] else "unknown" if program["constraint_unknowns"] else "meets"
        )


def test_unknown_cost_is_said_plainly_and_not_treated_as_cheap(client):
    body = post(client, valid_answers(max_budget_usd=60000), query_string={"limit": 50}).get_json()
    unknown = [p for p in body["programs"] if p["tuition_usd"] is None]
    assert unknown
    for program in unknown:
        assert "budget" not in program["constraint_misses"] and "budget" in program["constraint_unknowns"]
        assert "Cost not published — check with the program." in program["reasons"]
        assert program["cost"] == "not published"


def test_catalogue_endpoints(client):
    specs = client.get("/api/v1/specializations").get_json()
    assert [s["id"] for s in specs["specializations"]] == list(SPECIALIZATION_IDS)
    assert {c["id"] for c in specs["certifications"]} >= {"pmp", "csm", "lean_six_sigma", "eit", "cpe"}
    programs = client.get("/api/v1/programs").get_json()
    assert len(programs["programs"]) == len(load_programs().programs) and programs["model_version"]
    roles = {r["id"]: r for r in client.get("/api/v1/roles").get_json()["roles"]}
    assert set(quiz.GOALS) <= set(roles)
    assert roles["product_manager"]["median_pay_usd"] is None and roles["product_manager"]["pay_note"]
    assert roles["engineering_manager"]["median_pay_usd"] == 171270


def test_healthz_names_the_active_version(app, client, trained):
    assert client.get("/healthz").get_json() == {"status": "ok", "model_version": trained.version_id}


def test_openapi_document_lists_the_contract(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    answers = doc["components"]["schemas"]["Answers"]
    assert set(answers["required"]) == set(quiz.FIELDS)
    assert answers["properties"]["goal"]["enum"] == list(quiz.GOALS)
    assert "/api/v1/recommendations" in doc["paths"]


BAD_BODIES = [
    ("missing interests", {k: v for k, v in valid_answers().items() if k != "interests"}, "interests"),
    ("no interests", valid_answers(interests=[]), "interests"),
    ("four interests", valid_answers(interests=list(quiz.INTERESTS)[:4]), "interests"),
    ("unknown interest", valid_answers(interests=["juggling"]), "interests"),
    ("interest repeated", valid_answers(interests=["sustainability", "sustainability"]), "interests"),
    ("interests not a list", valid_answers(interests="sustainability"), "interests"),
    ("interest not a string", valid_answers(interests=[7]), "interests"),
    ("unknown background", valid_answers(background="wizardry"), "background"),
    ("background null", valid_answers(background=None), "background"),
    ("experience negative", valid_answers(experience_years=-1), "experience_years"),
    ("experience too large", valid_answers(experience_years=51), "experience_years"),
    ("experience a string", valid_answers(experience_years="5"), "experience_years"),
    ("experience a boolean", valid_answers(experience_years=True), "experience_years"),
    ("experience a fraction", valid_answers(experience_years=2.5), "experience_years"),
    ("unknown goal", valid_answers(goal="astronaut"), "goal"),
    ("missing goal", {k: v for k, v in valid_answers().items() if k != "goal"}, "goal"),
    ("unknown industry", valid_answers(industry="fishing"), "industry"),
    ("unknown format", valid_answers(format="carrier_pigeon"), "format"),
    ("unknown pace", valid_answers(pace="leisurely"), "pace"),
    ("budget negative", valid_answers(max_budget_usd=-5), "max_budget_usd"),
    ("budget too large", valid_answers(max_budget_usd=500001), "max_budget_usd"),
    ("budget a string", valid_answers(max_budget_usd="50000"), "max_budget_usd"),
    ("budget missing", {k: v for k, v in valid_answers().items() if k != "max_budget_usd"}, "max_budget_usd"),
    ("region any-case", valid_answers(region="ANY"), "region"),
    ("unknown field", valid_answers(email="me@example.com"), "email"),
    ("body is a list", [valid_answers()], "_body"),
    ("body is a string", "hello", "_body"),
    ("body is null", None, "_body"),
]


@pytest.mark.parametrize(("case", "body", "field"), BAD_BODIES, ids=[c[0] for c in BAD_BODIES])
def test_bad_input_is_refused_naming_the_field(client, case, body, field):
    response = post(client, body)
    assert response.status_code == 400, case
    errors = response.get_json()["errors"]
    assert field in errors and all(isinstance(m, str) and m for m in errors[field])


def test_every_bad_field_is_named_at_once(client):
    response = post(client, valid_answers(goal="x", region="y", experience_years=99))
    assert set(response.get_json()["errors"]) == {"goal", "region", "experience_years"}


@pytest.mark.parametrize(
    ("data", "content_type", "status", "field"),
    [
        ("{not json", "application/json", 400, "_body"),
        ("", "application/json", 400, "_body"),
        ('{"interests": ["leading_projects"]', "application/json", 400, "_body"),
        ("[" * 5000 + "]" * 5000, "application/json", 400, "_body"),
        ("interests=leading_projects", "application/x-www-form-urlencoded", 415, "_body"),
        ("{}", "text/plain", 415, "_body"),
    ],
    ids=["malformed", "empty", "truncated", "deeply nested", "form encoded", "text/plain"],
)
def test_unreadable_bodies_answer_4xx_json(client, data, content_type, status, field):
    response = client.post(URL, data=data, content_type=content_type)
    assert response.status_code == status
    assert field in response.get_json()["errors"]


def _with(body: str, key: str, value: str) -> str:
    return body[:-1] + f', "{key}": {value}}}'


@pytest.mark.parametrize(
    ("key", "value", "named"),
    [
        ("interests", '["analyzing_data"]', ["interests"]),  # two answers to one question
        ("max_budget_usd", "60000", ["max_budget_usd"]),
        ("goal", '"founder"', ["goal"]),
    ],
)
def test_a_field_given_twice_is_named_not_silently_the_last_one(client, key, value, named):
    """orjson keeps the last of repeated keys: `"interests"` twice ranked whichever came last, where
    the form refuses the same answers ("Choose one answer.")."""
    body = _with(json.dumps(valid_answers()), key, value)
    response = client.post(URL, data=body, content_type="application/json")
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert sorted(response.get_json()["errors"]) == named
    nested = json.dumps({**valid_answers(), "interests": [{"a": 1}]}).replace('{"a": 1}', '{"a": 1, "a": 2}')
    assert list(client.post(URL, data=nested, content_type="application/json").get_json()["errors"]) == ["_body"]
    escaped = json.dumps({**valid_answers(), "goal": 'a"b\\'})  # quotes and backslashes inside strings
    assert list(client.post(URL, data=escaped, content_type="application/json").get_json()["errors"]) == ["goal"]


def test_body_over_16_kib_is_413(client):
    body = valid_answers()
    body["padding"] = "x" * (16 * 1024)
    response = post(client, body)
    assert response.status_code == 413
    assert "16 KiB" in response.get_json()["errors"]["_body"][0]


@pytest.mark.parametrize("limit", ["0", "51", "-1", "ten", "1.5", ""])
def test_bad_limit_is_refused(client, limit):
    response = post(client, valid_answers(), query_string={"limit": limit})
    assert response.status_code == 400
    assert "limit" in response.get_json()["errors"]


def test_wrong_method_and_unknown_path_answer_json(client):
    assert client.get(URL).status_code == 405
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and "errors" in missing.get_json()


def test_bad_input_is_not_stored(app, client):
    post(client, valid_answers(goal="astronaut"))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 0


def test_no_active_model_answers_503_not_500(bare_app):
    response = post(bare_app.test_client(), valid_answers())
    assert response.status_code == 503
    assert response.get_json()["errors"]["_body"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=20,
)
answer_like = st.fixed_dictionaries(
    {},
    optional={
        "interests": st.one_of(st.lists(st.sampled_from(list(quiz.INTERESTS)), max_size=4), json_values),
        "background": st.one_of(st.sampled_from(list(quiz.BACKGROUNDS)), json_values),
        "experience_years": st.one_of(st.integers(-5, 60), json_values),
        "goal": st.one_of(st.sampled_from(list(quiz.GOALS)), json_values),
        "industry": st.one_of(st.sampled_from(list(quiz.INDUSTRIES)), json_values),
        "format": st.one_of(st.sampled_from(list(quiz.FORMATS)), json_values),
        "pace": st.one_of(st.sampled_from(list(quiz.PACES)), json_values),
        "max_budget_usd": st.one_of(st.none(), st.integers(-10, 600_000), json_values),
        "region": st.one_of(st.sampled_from(list(quiz.REGIONS)), json_values),
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(answer_like, json_values))
def test_no_json_body_yields_a_server_error(client, body):
    response = post(client, body)
    assert response.status_code in (200, 400, 413)
    if response.status_code == 200:
        assert len(response.get_json()["specializations"]) == 8
    else:
        assert response.get_json()["errors"]
