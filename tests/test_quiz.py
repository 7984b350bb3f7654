"""The quiz contract and the compact answer code behind permanent links."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recommender.domain import quiz
from tests.conftest import valid_answers
from tests.test_model import answers_strategy


def test_interests_are_kept_in_canonical_order():
    a = quiz.parse_answers(valid_answers(interests=["sustainability", "leading_projects"]))
    b = quiz.parse_answers(valid_answers(interests=["leading_projects", "sustainability"]))
    assert a == b and a.interests == ("leading_projects", "sustainability")
    assert a.canonical_json() == b.canonical_json()


def test_whole_number_floats_are_accepted_but_fractions_are_not():
    assert quiz.parse_answers(valid_answers(experience_years=4.0)).experience_years == 4
    with pytest.raises(quiz.AnswersError) as info:
        quiz.parse_answers(valid_answers(experience_years=4.5))
    assert list(info.value.errors) == ["experience_years"]


def test_budget_null_means_no_limit():
    assert quiz.parse_answers(valid_answers(max_budget_usd=None)).max_budget_usd is None
    assert quiz.parse_answers(valid_answers(max_budget_usd=0)).max_budget_usd == 0


@given(answers=answers_strategy)
def test_the_link_code_round_trips_every_valid_answer(answers):
    code = quiz.encode_answers(answers)
    assert quiz.decode_answers(code) == answers
    assert len(code) <= 20 and code.replace("-", "").replace("_", "").isalnum()


@given(code=st.text(max_size=60))
def test_any_other_code_is_refused_cleanly(code):
    try:
        answers = quiz.decode_answers(code)
    except quiz.AnswersError as exc:
        assert "_token" in exc.errors
    else:
        assert quiz.encode_answers(answers) == code


@pytest.mark.parametrize(
    "raw",
    [
        bytes([2, 1, 0, 0, 0, 0, 0, 0, 5, 255, 255, 255, 255]),  # unknown code version
        bytes([1, 0, 0, 0, 0, 0, 0, 0, 5, 255, 255, 255, 255]),  # no interests
        bytes([1, 15, 0, 0, 0, 0, 0, 0, 5, 255, 255, 255, 255]),  # four interests
        bytes([1, 1, 9, 0, 0, 0, 0, 0, 5, 255, 255, 255, 255]),  # background out of range
        bytes([1, 1, 0, 0, 0, 0, 0, 0, 51, 255, 255, 255, 255]),  # 51 years
        bytes([1, 1, 0, 0, 0, 0, 0, 0, 5, 0, 9, 0, 0]),  # budget over 500,000
    ],
)
def test_codes_of_invalid_answers_are_refused(raw):
    import base64

    with pytest.raises(quiz.AnswersError):
        quiz.decode_answers(base64.urlsafe_b64encode(raw).decode().rstrip("="))


def test_experience_stages_follow_the_seed_ladder():
    assert [quiz.experience_stage(y) for y in (0, 4, 5, 8, 9, 15, 16)] == [
        "entry", "entry", "mid", "mid", "senior", "senior", "executive"
    ]  # fmt: skip
