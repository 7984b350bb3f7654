"""The gate sees program metrics and a collapsing catalogue, not only specialization accuracy."""

from __future__ import annotations

import pytest
from werkzeug.security import generate_password_hash

from recommender.services import accounts
from recommender.services.gate import judge
from tests.test_admin import FAST_SCRYPT, admin_client, state
from tests.test_admin_uploads import program_rows, to_csv
from tests.test_admin_versions import post_action, serving, train_candidate


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch):
    monkeypatch.setattr(accounts, "hash_password", lambda password: generate_password_hash(password, FAST_SCRYPT))


def metrics(top1=1.0, top3=1.0, p3=0.8, ndcg=0.8, grounded=1.0, programs=120, formats=0.5):
    return {
        "top1": top1,
        "top3": top3,
        "programs": {"precision_at_3": p3, "ndcg_at_10": ndcg, "grounded_share": grounded},
        "catalog": {"programs": float(programs), "formats": formats, "url": 0.3},
    }


def test_a_candidate_like_the_active_one_passes():
    verdict = judge(metrics(), floor=0.85, active=metrics(), active_id="v1", candidate=True)
    assert verdict.problems == ()
    assert "programs precision@3 80.0%" in verdict.summary


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        (metrics(p3=0.5), "program precision@3 50.0% is below the floor of 60.0%"),
        (metrics(ndcg=0.65), "program nDCG@10 65.0% is below the floor of 70.0%"),
        (metrics(grounded=0.9), "share of program reasons grounded in program text 90.0% is below the floor"),
        (metrics(p3=0.79), "program precision@3 79.0% is below the active version's 80.0%"),
        (metrics(programs=1), "the catalogue has 1 programs against 120 in the active version"),
        (metrics(formats=0.1), "field coverage fell against the active version: formats 50% → 10%"),
    ],
)
def test_the_gate_names_what_keeps_a_candidate_out(candidate, expected):
    verdict = judge(candidate, floor=0.85, active=metrics(), active_id="v1", candidate=True)
    assert any(expected in problem for problem in verdict.problems), verdict.problems


def test_a_version_served_before_is_judged_on_the_floors_alone():
    """Rolling back to a smaller, older catalogue stays possible while its own metrics meet the floors."""
    older = metrics(p3=0.7, programs=60, formats=0.2)
    assert judge(older, floor=0.85, active=metrics(), active_id="v1", candidate=False).problems == ()
    assert judge(metrics(p3=0.5), floor=0.85, active=metrics(), candidate=False).problems


def test_versions_trained_before_program_metrics_existed_are_judged_on_what_they_recorded():
    legacy = {"top1": 1.0, "top3": 1.0}
    assert judge(legacy, floor=0.85, active=metrics(), active_id="v1", candidate=True).problems == ()


def test_a_one_program_upload_is_refused_by_the_gate_and_cannot_be_promoted(app):
    """The collapse the attacker found: one program scored 100%/100% on personas and was promoted in one click."""
    client = admin_client(app)
    before = serving(client)
    candidate = train_candidate(app, to_csv(program_rows()[:1]))
    page = client.get(f"/admin/versions/{candidate}").get_data(as_text=True)
    assert "refused:" in page and "the catalogue has 1 programs against" in page
    before_state = state(app)
    response = post_action(client, candidate, "activate")
    assert response.status_code in (302, 409, 422)
    assert serving(client) == before and state(app) == before_state
