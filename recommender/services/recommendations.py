"""Recommending: rank with the active version, store the submission, and shape the API answer."""

from __future__ import annotations

import re
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from recommender.domain import quiz
from recommender.domain.catalog import SPECIALIZATION_IDS, Role
from recommender.ml.fit import tuition_text
from recommender.ml.results import ProgramMatch, Recommendation, SpecializationMatch
from recommender.orm import Feedback, ModelVersion
from recommender.services import api_encoder, api_json
from recommender.services.registry import ModelRegistry, UnknownVersion
from recommender.services.submissions import writer_of

DEFAULT_LIMIT = 10
MAX_LIMIT = 50
VERSION_ID = re.compile(r"[0-9]{8}-[0-9]{6}-[0-9a-f]{8}|[A-Za-z0-9_.-]{1,64}")


def result_token(answers: quiz.Answers, version_id: str) -> str:
    """The permanent-link token: the version that ranked, and the answers, in a short code.

    The link carries everything needed to reproduce the results, so it works on every worker
    and machine without a lookup, and the same answers and version always give the same link.
    The answers hold nothing personal, so a readable link reveals nothing.
    """
    return f"{version_id}.{quiz.encode_answers(answers)}"


def parse_token(token: str, *, canonical_only: bool = True) -> tuple[str, quiz.Answers] | None:
    """The (version id, answers) behind a token, or None when it is not one of ours.

    Base64 leaves unused bits in a code's last character, so several spellings decode to the same
    answers; only the one `result_token` writes is accepted, so one result has one address and its
    feedback is never split between two.
    """
    version_id, _, code = token.rpartition(".")
    if not version_id or not VERSION_ID.fullmatch(version_id):
        return None
    try:
        answers = quiz.decode_answers(code)
    except quiz.AnswersError:
        return None
    if canonical_only and quiz.encode_answers(answers) != code:
        return None
    return version_id, answers


def canonical_token(token: str) -> str | None:
    """The one spelling of a token that decodes, or None when it does not decode at all."""
    parsed = parse_token(token, canonical_only=False)
    return None if parsed is None else result_token(parsed[1], parsed[0])


def recommend(
    session: Session, registry: ModelRegistry, answers: quiz.Answers, *, limit: int, channel: str
) -> tuple[Recommendation, str]:
    """Recommend for `answers` with the active version and record the submission."""
    recommendation = registry.active(session).recommend(answers, limit=limit)
    token = result_token(answers, recommendation.model_version)
    writer_of(current_app).add(
        token=token,
        answers=answers.to_dict(),
        model_version_id=recommendation.model_version,
        top_specialization=recommendation.top_specialization_id,
        channel=channel,
        shown_program_ids=recommendation.shown_program_ids,
    )
    return recommendation, token


def find_result(
    session: Session, registry: ModelRegistry, token: str, *, limit: int = DEFAULT_LIMIT
) -> Recommendation | None:
    """Reproduce what a permanent link showed: its answers, ranked by the version that ranked them.

    None for a link that is not ours or names no stored version; raises `VersionWithdrawn` for a
    discarded version and `VersionUnavailable` for one whose stored artifact fails verification.
    """
    parsed = parse_token(token)
    if parsed is None:
        return None
    version_id, answers = parsed
    try:
        recommender = registry.for_link(session, version_id)
    except UnknownVersion:
        return None
    return recommender.recommend(answers, limit=limit)


def record_feedback(session: Session, token: str, item_kind: str, item_id: str, useful: bool) -> bool:
    """Store a "useful / not for me" vote on a specialization or program of a real result link."""
    parsed = parse_token(token)
    if parsed is None or item_kind not in ("specialization", "program"):
        return False
    if item_kind == "specialization" and item_id not in SPECIALIZATION_IDS:
        return False
    if item_kind == "program":
        version = session.get(ModelVersion, parsed[0])
        if version is None or not re.fullmatch(r"[a-z0-9-]{1,64}", item_id):
            return False
    session.add(Feedback(token=token, item_kind=item_kind, item_id=item_id, useful=useful))
    session.commit()
    return True


def to_api(recommendation: Recommendation, result_url: str) -> dict[str, Any]:
    """The contract v1 response body; extra fields only add to it."""
    return _body(
        recommendation,
        result_url,
        [specialization_to_api(m) for m in recommendation.specializations],
        [program_to_api(m) for m in recommendation.programs],
        [role_to_api(r) for r in recommendation.roles],
    )


def to_api_bytes(recommendation: Recommendation, result_url: str) -> bytes:
    """`orjson.dumps(to_api(...))`, byte for byte, encoded straight from the version's tables (issue 12).

    No match object is built: each item's fixed fields are encoded once and spliced, and its words
    come from the same lookups the match objects are built from (`ml.wording`).
    """
    return api_json.body_bytes(
        recommendation,
        result_url,
        lambda year: api_encoder.encoder_for(recommendation.wording, SHAPES, year).body(recommendation),
    )


def _body(recommendation: Recommendation, result_url: str, specializations, programs, roles) -> dict[str, Any]:
    return {
        "model_version": recommendation.model_version,
        "specializations": specializations,
        "programs": programs,
        "programs_meeting_constraints": recommendation.programs_meeting_constraints,
        "fit_counts": recommendation.fit_counts,
        "coverage": list(recommendation.coverage_notes),
        "roles": roles,
        "runner_up": recommendation.runner_up_note,
        "result_url": result_url,
    }


def specialization_to_api(m: SpecializationMatch) -> dict[str, Any]:
    """One ranked specialization as the API gives it."""
    return {
        "id": m.specialization.id,
        "name": m.specialization.name,
        "score": m.score,
        "band": m.band,
        "reasons": list(m.reasons),
    }


def role_to_api(r: Role) -> dict[str, Any]:
    """One career role as the recommendations answer lists it: as /api/v1/roles does."""
    return r.to_dict()


def program_to_api(m: ProgramMatch) -> dict[str, Any]:
    """One ranked program as the API gives it (contract v1.1 fields first)."""
    program = m.program
    return {
        "id": program.id,
        "university": program.university,
        "program": program.program,
        "url": program.url or None,
        "score": m.score,
        "band": m.band,
        "formats": list(program.formats),
        "paces": list(program.paces),
        "region": program.region,
        "tuition_usd": program.tuition_usd,
        "fit": m.fit,
        "constraint_misses": list(m.constraint_misses),
        "constraint_unknowns": list(m.constraint_unknowns),
        "reasons": [*m.reasons, *m.constraint_notes],
        "tuition_year": program.tuition_year or None,
        "tuition_source_kind": program.tuition_source_kind,
        "tuition_possibly_outdated": program.tuition_stale(),
        "cost": tuition_text(program),
        "duration_months": program.duration_months,
        "general": m.general,
        "specializations": list(program.specializations or m.inferred_specializations),
        "specializations_inferred": not program.specializations,
        "evidence": [{"specialization": s, "kind": kind, "words": words} for s, kind, words in m.evidence],
        "domains": list(program.domains),
        "sources": program.source_list(),
        "newest_fact_age_years": program.newest_fact_age(),
        "last_verified": program.last_verified or None,
    }


SHAPES = api_encoder.Shapes(specialization_to_api, program_to_api, role_to_api)
