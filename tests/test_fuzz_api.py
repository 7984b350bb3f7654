"""schemathesis against /api/v1/openapi.json, in process: valid and invalid input, never a server error.

The schema is loaded from the app itself (`schemathesis.openapi.from_wsgi`), so what is fuzzed is
exactly the document the app serves. Each operation and generation mode is its own test; cases
are drawn with hypothesis from schemathesis' strategies (its lazy `from_fixture` loader does not
work with this pytest).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from recommender.web.openapi import openapi_document

OPERATIONS = [(method.upper(), path) for path, methods in openapi_document()["paths"].items() for method in methods]
FUZZ = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture
def api_schema(app):
    """The document the app serves, bound to the same app (WSGI, no network)."""
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def _has_input(method: str, path: str) -> bool:
    operation = openapi_document()["paths"][path][method.lower()]
    return bool(operation.get("parameters") or operation.get("requestBody"))


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_input_makes_the_api_fail(api_schema, method, path, mode):
    if mode is GenerationMode.NEGATIVE and not _has_input(method, path):
        pytest.skip("no parameters or body to make invalid")
    operation = api_schema[path][method]
    statuses = []

    @FUZZ
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        response = case.call()
        case.validate_response(response, checks=[not_a_server_error])
        assert response.status_code < 500, response.text[:500]
        if path.startswith("/api/") and response.status_code >= 400:
            assert response.json()["errors"], "every API error answers {'errors': {field: [message]}}"
        statuses.append(response.status_code)

    run()
    if mode is GenerationMode.NEGATIVE and method == "POST":
        assert any(400 <= s < 500 for s in statuses), "invalid input was refused with a 4xx"
    if mode is GenerationMode.POSITIVE:
        assert 200 in statuses, "valid input succeeded at least once"


def test_valid_answers_get_responses_the_document_describes(api_schema):
    """Every built-in check (status codes, content types, response schemas) on the main operation."""
    operation = api_schema["/api/v1/recommendations"]["POST"]

    @settings(FUZZ, max_examples=40)
    @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
    def run(case):
        case.call_and_validate()

    run()


def test_the_served_document_is_the_one_fuzzed(app, api_schema):
    assert app.test_client().get("/api/v1/openapi.json").get_json() == openapi_document()
    assert ("POST", "/api/v1/recommendations") in OPERATIONS
