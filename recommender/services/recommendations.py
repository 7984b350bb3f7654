"""Recommending: rank with the active version, store the submission, and shape the API answer."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from recommender.domain import quiz
from recommender.ml.ranking import Recommendation, tuition_text
from recommender.orm import Feedback, Submission
from recommender.services.registry import ModelRegistry

DEFAULT_LIMIT = 10
MAX_LIMIT = 50


def result_token(answers: quiz.Answers, version_id: str) -> str:
    """The permanent-link token: the same answers and version always give the same link.

    Deriving it from the content (not at random) keeps API answers identical for identical
    requests; the answers hold nothing personal, so a guessable link reveals nothing.
    """
    digest = hashlib.sha256(f"{version_id}\n{answers.canonical_json()}".encode()).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def recommend(
    session: Session, registry: ModelRegistry, answers: quiz.Answers, *, limit: int, channel: str
) -> tuple[Recommendation, str]:
    """Recommend for `answers` with the active version and store the submission."""
    recommendation = registry.active(session).recommend(answers, limit=limit)
    token = result_token(answers, recommendation.model_version)
    session.add(
        Submission(
            token=token,
            answers=answers.to_dict(),
            model_version_id=recommendation.model_version,
            top_specialization=recommendation.specializations[0].specialization.id,
            channel=channel,
        )
    )
    session.commit()
    return recommendation, token


def find_result(
    session: Session, registry: ModelRegistry, token: str, *, limit: int = DEFAULT_LIMIT
) -> Recommendation | None:
    """Reproduce what a permanent link showed: its answers, ranked by the version that ranked them."""
    submission = session.scalars(select(Submission).where(Submission.token == token).limit(1)).first()
    if submission is None:
        return None
    answers = quiz.parse_answers(submission.answers)
    return registry.get(session, submission.model_version_id).recommend(answers, limit=limit)


def record_feedback(session: Session, token: str, item_kind: str, item_id: str, useful: bool) -> bool:
    """Store a "useful / not for me" vote for an item that the token's results really showed."""
    if not session.scalars(select(Submission.id).where(Submission.token == token).limit(1)).first():
        return False
    session.add(Feedback(token=token, item_kind=item_kind, item_id=item_id, useful=useful))
    session.commit()
    return True


def to_api(recommendation: Recommendation, result_url: str) -> dict[str, Any]:
    """The contract v1 response body; extra fields only add to it."""
    return {
        "model_version": recommendation.model_version,
        "specializations": [
            {
                "id": m.specialization.id,
                "name": m.specialization.name,
                "score": m.score,
                "reasons": list(m.reasons),
            }
            for m in recommendation.specializations
        ],
        "programs": [
            {
                "id": m.program.id,
                "university": m.program.university,
                "program": m.program.program,
                "url": m.program.link,
                "score": m.score,
                "formats": list(m.program.formats),
                "paces": list(m.program.paces),
                "region": m.program.region,
                "tuition_usd": m.program.tuition_usd,
                "tuition_year": m.program.tuition_year or None,
                "cost": tuition_text(m.program),
                "duration_months": m.program.duration_months,
                "reasons": list(m.reasons),
                "constraint_misses": list(m.constraint_misses),
                "specializations": list(m.program.specializations or m.inferred_specializations),
                "specializations_inferred": not m.program.specializations,
                "sources": list(m.program.sources),
                "last_verified": m.program.last_verified or None,
            }
            for m in recommendation.programs
        ],
        "programs_meeting_constraints": recommendation.programs_meeting_constraints,
        "roles": [
            {
                "id": r.id,
                "title": r.title,
                "url": r.url or None,
                "median_pay_usd": r.median_pay_usd,
                "pay_source": r.pay_source or None,
                "pay_year": r.pay_year or None,
                "pay_note": r.pay_note or None,
                "level": r.level,
            }
            for r in recommendation.roles
        ],
        "runner_up": recommendation.runner_up_note,
        "result_url": result_url,
    }
