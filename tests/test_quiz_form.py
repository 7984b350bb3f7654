"""The quiz page: the form, its validation (shared with the API), CSRF, and the redirect to results."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from recommender.domain import quiz
from recommender.extensions import db
from recommender.orm import Submission
from recommender.web.forms import (
    BUDGET_STEPS,
    EXPERIENCE_RANGES,
    budget_choices,
    experience_choices,
    posted_answers,
)
from tests.conftest import csrf_token_from, valid_answers
from tests.test_pages_helpers import checked, form_answers, inputs, labelled_ids, quiz_inputs, visible_text

MAX_FIRST_LOAD_BYTES = 60 * 1024


def submissions(app) -> list[Submission]:
    with app.app_context():
        return list(db.session.scalars(select(Submission).order_by(Submission.id)))


def post_quiz(client, answers=None, *, token=None, **overrides):
    """Post the quiz as a browser would, from a freshly loaded quiz page."""
    token = token or csrf_token_from(client.get("/").text)
    data = form_answers(answers or valid_answers(**overrides), token)
    return client.post("/", data=data)


# ----------------------------------------------------------------------------- the page


def test_quiz_asks_the_nine_contract_questions_by_their_keys(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.text
    fields = {i.name for i in quiz_inputs(html)} - {"csrf_token"}
    assert fields == set(quiz.FIELDS)
    kinds = {i.name: i.type for i in quiz_inputs(html) if i.name != "csrf_token"}
    assert kinds.pop("interests") == "checkbox"
    assert set(kinds.values()) == {"radio"}  # single clicks, nothing to type
    assert html.count("<fieldset") == 9 and html.count("<legend>") == 9
    offered = {i.value for i in quiz_inputs(html) if i.name == "interests"}
    assert offered == set(quiz.INTERESTS)
    assert {i.value for i in quiz_inputs(html) if i.name == "goal"} == set(quiz.GOALS)


def test_every_choice_has_its_own_label(client):
    html = client.get("/").text
    choice_ids = [i.id for i in quiz_inputs(html) if i.type in ("radio", "checkbox")]
    assert choice_ids and len(set(choice_ids)) == len(choice_ids)
    assert set(choice_ids) <= labelled_ids(html)


def test_constraints_default_to_any_and_no_budget_limit(client):
    chosen = checked(client.get("/").text)
    assert chosen == {
        "industry": ["any"],
        "format": ["any"],
        "pace": ["any"],
        "max_budget_usd": [""],
        "region": ["any"],
    }


def test_experience_is_asked_as_ranges_posting_whole_years(client):
    html = client.get("/").text
    values = [i.value for i in quiz_inputs(html) if i.name == "experience_years"]
    assert values == [str(low) for low, _, _ in EXPERIENCE_RANGES]
    assert {quiz.experience_stage(int(v)) for v in values} == {"entry", "mid", "senior", "executive"}


def test_budget_choices_map_to_dollar_caps_or_no_limit(client):
    html = client.get("/").text
    assert [i.value for i in quiz_inputs(html) if i.name == "max_budget_usd"] == [*map(str, BUDGET_STEPS), ""]
    text = visible_text(html)
    assert "No limit" in text and "Up to $20,000" in text and "Up to $150,000" in text
    assert "Whole-program tuition in US dollars" in text


def test_budget_steps_cover_20k_to_150k_in_even_steps_and_each_is_a_contract_value():
    assert BUDGET_STEPS[0] == 20_000 and BUDGET_STEPS[-1] == 150_000
    gaps = [b - a for a, b in itertools.pairwise(BUDGET_STEPS)]
    assert set(gaps) <= {10_000, 15_000, 25_000}, gaps  # no jump a person would not expect
    assert gaps == sorted(gaps), "steps only widen as the amounts grow"
    for value in budget_choices():
        posted = form_answers(valid_answers(), "t")
        posted.setlist("max_budget_usd", [value])
        answers, errors = posted_answers(posted)
        assert errors == {} and answers.max_budget_usd == (int(value) if value else None)


def test_page_has_no_inline_script_or_style_and_only_local_assets(client):
    html = client.get("/").text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script> is refused by the CSP"
    assert "<style" not in html and " style=" not in html
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/static/") for a in assets), assets


def test_first_load_is_at_most_60_kb(client):
    page = client.get("/")
    total = len(page.data)
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page.text)
    for url in assets:
        asset = client.get(url)
        assert asset.status_code == 200, url
        total += len(asset.data)
        asset.close()
    assert total <= MAX_FIRST_LOAD_BYTES, f"first load is {total:,} bytes"


def test_statement_and_onet_credit_are_on_the_quiz(client):
    text = visible_text(client.get("/").text)
    assert "No sign-up, no paid placement, nothing sold." in text
    assert (
        "includes information from O*NET OnLine by the U.S. Department of Labor, Employment and Training "
        "Administration (USDOL/ETA), used under the CC BY 4.0 license" in text
    )


# ----------------------------------------------------------------------------- submitting


def test_good_answers_are_stored_and_redirected_to_their_permanent_link(app, client):
    response = post_quiz(client)
    assert response.status_code == 303
    assert re.fullmatch(r"/results/[^/]+", response.headers["Location"])
    [stored] = submissions(app)
    assert stored.channel == "web"
    assert stored.answers == quiz.parse_answers(valid_answers()).to_dict()
    assert stored.token == response.headers["Location"].rsplit("/", 1)[1]
    assert client.get(response.headers["Location"]).status_code == 200


def test_no_limit_posts_null_budget_and_a_cap_posts_dollars(app, client):
    post_quiz(client, max_budget_usd=None)
    post_quiz(client, max_budget_usd=50_000)
    assert [s.answers["max_budget_usd"] for s in submissions(app)] == [None, 50_000]


def test_web_and_api_rank_the_same_answers_the_same_way(client):
    location = post_quiz(client).headers["Location"]
    api = client.post("/api/v1/recommendations", json=valid_answers()).get_json()
    assert api["result_url"] == location


def test_four_interests_re_render_with_the_message_and_every_other_answer_kept(app, client):
    answers = valid_answers(
        interests=["leading_projects", "improving_operations", "analyzing_data", "sustainability"],
        format="online",
        max_budget_usd=75_000,
        region="us_west",
    )
    response = post_quiz(client, answers)
    assert response.status_code == 422
    html = response.text
    assert "Choose 1 to 3 interests (got 4)." in html
    # the message sits in the interests group and is tied to it for screen readers
    group = re.search(r'<fieldset[^>]*aria-describedby="([^"]*)"[^>]*>\s*<legend>What you enjoy most', html)
    assert group and "interests-error" in group.group(1).split()
    assert re.search(r'id="interests-error"[^>]*>.*?Choose 1 to 3 interests', html, flags=re.S)
    assert re.search(r'role="alert"[^>]*>.*?href="#interests-0"', html, flags=re.S)  # the summary links to it
    assert html.count('aria-invalid="true"') == len(quiz.INTERESTS)
    assert checked(html) == {
        "background": ["industrial"],
        "experience_years": ["4"],
        "goal": ["supply_chain_manager"],
        "interests": ["leading_projects", "improving_operations", "analyzing_data", "sustainability"],
        "industry": ["manufacturing"],
        "format": ["online"],
        "pace": ["any"],
        "max_budget_usd": ["75000"],
        "region": ["us_west"],
    }
    assert submissions(app) == []


def test_a_missing_answer_is_named_and_the_rest_kept(client):
    token = csrf_token_from(client.get("/").text)
    data = form_answers(valid_answers(), token)
    del data["goal"]
    response = client.post("/", data=data)
    assert response.status_code == 422
    assert re.search(r'id="goal-error"[^>]*>.*?Please choose an answer\.', response.text, flags=re.S)
    kept = checked(response.text)
    assert "goal" not in kept and kept["background"] == ["industrial"]
    assert response.text.count('class="field-error"') == 1


def test_no_interest_at_all_is_refused(client):
    response = post_quiz(client, interests=[])
    assert response.status_code == 422
    assert "Choose 1 to 3 interests (got 0)." in response.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("goal", "astronaut", "Unknown value 'astronaut'"),
        ("experience_years", "ten", "Must be a whole number."),
        ("experience_years", "51", "Must be between 0 and 50."),
        ("max_budget_usd", "lots", "Must be a whole number."),
        ("experience_years", "٣", "Must be a whole number."),  # Arabic-Indic three: digits are 0-9
        ("max_budget_usd", "٣٠٠٠٠", "Must be a whole number."),
        ("max_budget_usd", "３００００", "Must be a whole number."),
        ("interests", ["analyzing_data", "analyzing_data"], "Each interest may be chosen once."),
    ],
)
def test_bad_values_are_refused_next_to_their_field(client, field, value, message):
    token = csrf_token_from(client.get("/").text)
    data = form_answers(valid_answers(), token)
    data.setlist(field, value if isinstance(value, list) else [value])
    response = client.post("/", data=data)
    assert response.status_code == 422
    error = re.search(rf'id="{field}-error"[^>]*>(.*?)</p>', response.text, flags=re.S)
    assert error and message in visible_text(error.group(1))


def test_two_answers_to_a_one_answer_question_are_refused(client):
    token = csrf_token_from(client.get("/").text)
    data = form_answers(valid_answers(), token)
    data.add("region", "europe")
    response = client.post("/", data=data)
    assert response.status_code == 422
    assert re.search(r'id="region-error"[^>]*>.*?Choose one answer\.', response.text, flags=re.S)


def test_posted_text_is_escaped_when_shown_back(client):
    response = post_quiz(client, goal="<script>alert(1)</script>")
    assert response.status_code == 422
    assert "<script>alert(1)" not in response.text
    assert "&lt;script&gt;alert(1)" in response.text


def test_post_without_csrf_token_is_refused_and_keeps_the_answers(app, client):
    data = form_answers(valid_answers(region="europe"), "x")
    del data["csrf_token"]
    response = client.post("/", data=data)
    assert response.status_code == 400
    assert "Your form had expired" in response.text
    assert checked(response.text)["region"] == ["europe"]
    assert csrf_token_from(response.text)  # a fresh token, so one more press sends it
    assert submissions(app) == []


def test_post_with_a_forged_csrf_token_is_refused(app, client):
    client.get("/")
    response = client.post("/", data=form_answers(valid_answers(), "forged-token"))
    assert response.status_code == 400
    assert submissions(app) == []


def test_no_active_model_keeps_the_answers_and_answers_503(bare_app):
    client = bare_app.test_client()
    page = client.get("/")
    assert page.status_code == 200  # the quiz itself needs no model
    response = client.post("/", data=form_answers(valid_answers(region="canada"), csrf_token_from(page.text)))
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "try again" in response.text
    assert checked(response.text)["region"] == ["canada"]


# ----------------------------------------------------------------------------- choices for earlier answers


def test_an_exact_earlier_experience_is_kept_in_its_range():
    choices = experience_choices(7)
    assert choices["7"] == "5–8 years"
    assert "5" not in choices and "0" in choices and "16" in choices


def test_an_earlier_budget_that_is_not_a_step_is_offered_as_itself():
    steps = [str(b) for b in BUDGET_STEPS]
    assert list(budget_choices(65_000)) == [*steps[:5], "65000", *steps[5:], ""]
    assert budget_choices(65_000)["65000"] == "Up to $65,000 (your earlier answer)"
    assert list(budget_choices(50_000)) == [*steps, ""]


# ----------------------------------------------------------------------------- property


answers_or_junk = st.fixed_dictionaries(
    {},
    optional={
        "interests": st.lists(st.sampled_from([*quiz.INTERESTS, "x", ""]), max_size=5),
        "background": st.lists(st.sampled_from([*quiz.BACKGROUNDS, "", "é"]), max_size=2),
        "experience_years": st.lists(st.one_of(st.integers(-5, 80).map(str), st.text(max_size=6)), max_size=2),
        "goal": st.lists(st.sampled_from([*quiz.GOALS, "ceo"]), max_size=2),
        "industry": st.lists(st.sampled_from(list(quiz.INDUSTRIES)), max_size=2),
        "format": st.lists(st.sampled_from(list(quiz.FORMATS)), max_size=2),
        "pace": st.lists(st.sampled_from(list(quiz.PACES)), max_size=2),
        "max_budget_usd": st.lists(
            st.one_of(st.just(""), st.integers(-1, 600_000).map(str), st.text(max_size=4)), max_size=2
        ),
        "region": st.lists(st.sampled_from(list(quiz.REGIONS)), max_size=2),
        "extra": st.lists(st.text(max_size=5), max_size=2),
    },
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=answers_or_junk)
def test_any_post_is_ranked_or_refused_never_a_server_error(client, body):
    data = MultiDict({"csrf_token": csrf_token_from(client.get("/").text)})
    for name, values in body.items():
        for value in values:
            data.add(name, value)
    response = client.post("/", data=data)
    assert response.status_code in (303, 422)
    if response.status_code == 422:
        assert 'class="field-error"' in response.text or "Please check" in response.text


def test_inputs_helper_sees_the_form(client):
    # Guards the helpers the other tests rely on: a page without the quiz yields no quiz inputs.
    assert quiz_inputs("<p>no form</p>") == []
    assert len(inputs(client.get("/").text)) > 50
