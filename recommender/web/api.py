"""The JSON API v1: recommendations and the catalogues (contract in PRODUCT.md)."""

from __future__ import annotations

import re

import orjson
from flask import Blueprint, current_app, jsonify, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from recommender.domain import quiz
from recommender.extensions import csrf, db
from recommender.services import recommendations
from recommender.services.state import catalogs_of, registry_of
from recommender.web import json_keys
from recommender.web.bodies import read_limited
from recommender.web.errors import error_response
from recommender.web.openapi import openapi_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# The API takes no cookies and changes nothing on anyone's behalf, so CSRF tokens do not apply.
csrf.exempt(bp)


# ASCII digits only: str.isdigit() and int() also take "²" and "٥", and int() of thousands of
# digits raises with Python's own message. Nine digits always fit, and say nothing new.
LIMIT_DIGITS = re.compile(r"[0-9]{1,9}")


@bp.before_request
def limit_body() -> None:
    """Bodies over 16 KiB are refused with 413 before they are read."""
    request.max_content_length = current_app.config["API_MAX_BODY_BYTES"]


def _limit() -> int:
    given = request.args.getlist("limit")
    if not given:
        return recommendations.DEFAULT_LIMIT
    if len(given) > 1:  # `?limit=1&limit=50`: werkzeug would take the first without a word
        raise ValueError("Give limit once.")
    raw = given[0]
    if not LIMIT_DIGITS.fullmatch(raw) or not 1 <= int(raw) <= recommendations.MAX_LIMIT:
        raise ValueError(f"Must be a whole number from 1 to {recommendations.MAX_LIMIT}, written in digits 0-9.")
    return int(raw)


def _json_problem(exc: Exception) -> str:
    # orjson's own wording is a parser's; the position is what helps a client fix its body.
    line, column = getattr(exc, "lineno", None), getattr(exc, "colno", None)
    if isinstance(exc, RecursionError):
        return "The body is not valid JSON: it is nested too deeply."
    if not isinstance(line, int) or not isinstance(column, int):
        return "The body is not valid JSON."
    return f"The body is not valid JSON (line {line}, column {column})."


@bp.post("/recommendations")
def create_recommendation():
    """Rank specializations, programs and roles for one set of quiz answers."""
    try:
        limit = _limit()
    except ValueError as exc:
        return error_response(400, str(exc), field="limit")
    if not request.is_json:
        return error_response(415, "Send the quiz answers as a JSON object with Content-Type: application/json.")
    try:
        body = read_limited(current_app.config["API_MAX_BODY_BYTES"])
    except RequestEntityTooLarge:
        return error_response(413, f"The body is larger than {current_app.config['API_MAX_BODY_BYTES'] // 1024} KiB.")
    try:
        data = orjson.loads(body)
    except (ValueError, RecursionError) as exc:
        return error_response(400, _json_problem(exc))
    if isinstance(data, dict) and (repeated := json_keys.repeated_keys(body, data)) is not None:
        message = "Appears more than once in the body; send each field once."
        return jsonify({"errors": {key: [message] for key in repeated} or {"_body": [message]}}), 400
    try:
        answers = quiz.parse_answers(data)
    except quiz.AnswersError as exc:
        return jsonify({"errors": exc.errors}), 400
    registry = registry_of(current_app)
    recommendation, token = recommendations.recommend(db.session, registry, answers, limit=limit, channel="api")
    body = recommendations.to_api_bytes(recommendation, url_for("pages.result", token=token))
    return current_app.response_class(body, mimetype="application/json")


@bp.get("/specializations")
def list_specializations():
    """The eight specializations with their roles and certifications."""
    catalogs = catalogs_of(current_app)
    return jsonify(
        {
            "specializations": [s.to_dict() for s in catalogs.specializations],
            "certifications": [
                {
                    "id": c.id,
                    "name": c.name,
                    "abbreviation": c.abbreviation or None,
                    "summary": c.summary,
                    "specializations": list(c.specializations),
                    "sources": list(c.sources),
                }
                for c in catalogs.certifications
            ],
        }
    )


@bp.get("/programs")
def list_programs():
    """The programs the active model version was trained on."""
    recommender = registry_of(current_app).active(db.session)
    return jsonify({"model_version": recommender.version_id, "programs": [p.to_dict() for p in recommender.programs]})


@bp.get("/roles")
def list_roles():
    """Career roles on the seed's ladder, with occupation links and pay where known."""
    roles = catalogs_of(current_app).roles
    return jsonify({"roles": [r.to_dict() for r in roles]})


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    return jsonify(openapi_document())
