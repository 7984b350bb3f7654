"""hypothesis on the HTML form posts: whatever is posted, with a valid CSRF token or without, never a 500.

The quiz form's field names are the contract keys; beyond that, these tests assume nothing about
the form, and every other non-API POST route the app has is fuzzed the same way.
"""

from __future__ import annotations

import collections
import re

import pytest
from flask import Flask
from flask_wtf.csrf import generate_csrf
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from recommender.domain import quiz
from recommender.domain.catalog import SPECIALIZATION_IDS
from tests.conftest import valid_answers

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
CHOICES = sorted({v for allowed in quiz.CHOICE_FIELDS.values() for v in allowed} | set(quiz.INTERESTS))
ODD_VALUES = ["", " ", "null", "None", "any", "-1", "1e9", "0x10", "٣", " 5 ", "9" * 30, "<script>", "\x00", "%00"]

values = st.one_of(
    st.sampled_from(CHOICES),
    st.sampled_from(ODD_VALUES),
    st.integers(-(10**12), 10**12).map(str),
    st.text(max_size=60),
)
keys = st.one_of(st.sampled_from(quiz.FIELDS), st.text(min_size=1, max_size=20))


def as_form(answers: dict) -> list[tuple[str, str]]:
    """Contract answers as the browser would post them (lists repeat the key; no limit is empty)."""
    pairs = []
    for key, value in answers.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((key, "" if item is None else str(item)))
    return pairs


@st.composite
def near_valid_forms(draw) -> list[tuple[str, str]]:
    """A valid quiz with one field dropped, doubled or replaced: reaches the deepest validation."""
    pairs = as_form(valid_answers(max_budget_usd=60000))
    field = draw(st.sampled_from(quiz.FIELDS))
    how = draw(st.sampled_from(["drop", "double", "replace"]))
    kept = [(k, v) for k, v in pairs if k != field]
    if how == "drop":
        return kept
    extra = [(field, draw(values)) for _ in range(draw(st.integers(1, 5)))]
    return kept + extra if how == "replace" else pairs + extra


forms = st.one_of(st.lists(st.tuples(keys, values), max_size=30), near_valid_forms())


def with_csrf(app: Flask):
    """A client holding a session with a valid CSRF token, and the token."""

    @app.get("/_test/csrf")
    def csrf_token():
        return generate_csrf()

    client = app.test_client()
    return client, client.get("/_test/csrf").get_data(as_text=True)


def post_routes(app: Flask) -> list[str]:
    """Every rule that takes a POST outside the JSON API."""
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "POST" in (rule.methods or ()) and not rule.rule.startswith("/api/")
    )


def concrete(rule: str, token: str, version: str) -> str:
    """A URL for a rule: a real results token, the active version, or 1 for anything else."""

    def fill(match: re.Match) -> str:
        converter, name = match.group(1) or "", match.group(2)
        if "int" in converter:
            return "1"
        return {"token": token, "version_id": version}.get(name, "x")

    return re.sub(r"<(?:([a-z]+)(?:\([^)]*\))?:)?([a-z_]+)>", fill, rule)


@pytest.fixture
def quiz_app(app: Flask) -> Flask:
    if "/" not in post_routes(app):
        pytest.skip("the app has no POST / quiz form yet")
    return app


def test_valid_answers_posted_as_a_form_lead_to_results(quiz_app):
    client, token = with_csrf(quiz_app)
    response = client.post("/", data=MultiDict([*as_form(valid_answers(max_budget_usd=60000)), ("csrf_token", token)]))
    assert response.status_code < 400
    if response.status_code in (301, 302, 303):
        assert "/results/" in response.headers["Location"]
        assert client.get(response.headers["Location"]).status_code == 200


def test_any_form_posted_to_the_quiz_never_fails(quiz_app):
    client, token = with_csrf(quiz_app)

    statuses = collections.Counter()

    @FUZZ
    @given(form=forms, multipart=st.booleans())
    def run(form, multipart):
        data = MultiDict([*form, ("csrf_token", token)])
        response = client.post("/", data=data, content_type="multipart/form-data" if multipart else None)
        assert response.status_code < 500, response.get_data(as_text=True)[:500]
        statuses[response.status_code] += 1

    run()
    assert set(statuses) - {400}, f"the CSRF token was accepted at least once: {statuses}"


def test_any_raw_body_posted_to_the_quiz_never_fails(quiz_app):
    """Bytes that are not valid form encoding (bad %-escapes, bad UTF-8, broken multipart)."""
    client, token = with_csrf(quiz_app)

    @FUZZ
    @example(body=b"0", kind="application/json")
    @example(body=b'"text"', kind="application/json")
    @example(body=b"%zz%C3%28=%ff", kind="application/x-www-form-urlencoded")
    @given(body=st.binary(max_size=3000), kind=st.sampled_from(
        ["application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz", "multipart/form-data",
         "text/plain", "application/json"]))  # fmt: skip
    def run(body, kind):
        response = client.post("/", data=body, content_type=kind, headers={"X-CSRFToken": token})
        assert response.status_code < 500, response.get_data(as_text=True)[:500]

    run()


def test_json_posted_to_any_form_is_refused_with_415(app):
    """Flask-WTF would read JSON as the form and fail on a non-object; the forms take form data only."""
    client, token = with_csrf(app)
    api = client.post("/api/v1/recommendations", json=valid_answers())
    results, version = api.get_json()["result_url"].rsplit("/", 1)[1], api.get_json()["model_version"]
    for rule in post_routes(app):
        for body in (b"0", b"[1, 2]", b'{"interests": ["analyzing_data"]}'):
            response = client.post(
                concrete(rule, results, version), data=body, content_type="application/json",
                headers={"X-CSRFToken": token},
            )  # fmt: skip
            assert response.status_code == 415, f"{rule} {body!r}: {response.status_code}"


@pytest.mark.parametrize("body", [b"0", b"1.5", b'"x"', b"true", b"null", b"[1]", b"{}", b'{"csrf_token": "x"}'])
def test_json_without_a_csrf_token_is_refused_with_415_before_the_csrf_check(app, body):
    """The JSON guard runs first: the CSRF refusal would otherwise build a form from the JSON."""
    client = app.test_client()
    api = client.post("/api/v1/recommendations", json=valid_answers())
    results, version = api.get_json()["result_url"].rsplit("/", 1)[1], api.get_json()["model_version"]
    for rule in post_routes(app):
        for kind in ("application/json", "application/json; charset=utf-8", "application/problem+json"):
            response = client.post(concrete(rule, results, version), data=body, content_type=kind)
            assert response.status_code == 415, f"{rule} {kind} {body!r}: {response.status_code}"
            assert "form data" in response.get_data(as_text=True)


def test_form_posts_without_a_csrf_token_are_refused_not_failed(app, client):
    api = client.post("/api/v1/recommendations", json=valid_answers())
    token, version = api.get_json()["result_url"].rsplit("/", 1)[1], api.get_json()["model_version"]
    for rule in post_routes(app):
        response = client.post(concrete(rule, token, version), data=MultiDict(as_form(valid_answers())))
        assert response.status_code == 400 or 300 <= response.status_code < 400, f"{rule}: {response.status_code}"


def test_any_form_posted_to_every_other_form_route_never_fails(app):
    client, csrf = with_csrf(app)
    api = client.post("/api/v1/recommendations", json=valid_answers())
    token, version = api.get_json()["result_url"].rsplit("/", 1)[1], api.get_json()["model_version"]
    routes = [r for r in post_routes(app) if r != "/"]
    if not routes:
        pytest.skip("no other form routes")
    form_keys = st.one_of(
        st.sampled_from(["kind", "item", "useful", "email", "password", "next", "file", "force"]), keys
    )
    form_values = st.one_of(st.sampled_from(["specialization", "program", "yes", "no", *SPECIALIZATION_IDS]), values)
    other_forms = st.lists(st.tuples(form_keys, form_values), max_size=12)
    statuses: collections.Counter = collections.Counter()

    def fuzz(rule: str) -> None:
        @settings(FUZZ, max_examples=30)
        @given(form=other_forms, bad_token=st.booleans())
        def run(form, bad_token):
            url = concrete(rule, "x" + token if bad_token else token, version)
            response = client.post(url, data=MultiDict([*form, ("csrf_token", csrf)]))
            assert response.status_code < 500, f"{rule}: {response.get_data(as_text=True)[:500]}"
            statuses[(rule, response.status_code)] += 1

        run()

    for rule in routes:
        fuzz(rule)
    assert {rule for rule, _ in statuses} == set(routes)


TEXT_FIELDS = [*quiz.FIELDS, "vote", "kind", "item", "useful", "email", "password", "next", "reason", "university",
               "tuition_usd", "formats", "change_source", "verified", "from"]  # fmt: skip


def test_a_file_posted_in_place_of_any_text_field_never_fails(app):
    """Flask-WTF reads request.files into the form, so a file part named `password` reached a text
    field as a FileStorage and Length() raised TypeError: a 500 on the login page, the upload's
    reason, the program editor and retire."""
    import io

    from tests.test_admin import admin_client, token_of

    client = admin_client(app)
    csrf = token_of(client)
    api = client.post("/api/v1/recommendations", json=valid_answers())
    token, version = api.get_json()["result_url"].rsplit("/", 1)[1], api.get_json()["model_version"]
    program = client.get("/api/v1/programs").get_json()["programs"][0]["id"]
    for rule in post_routes(app):
        if "logout" in rule:
            continue  # it would end the session the other routes need
        url = concrete(rule, token, version).replace("/programs/x/", f"/programs/{program}/")
        for name in TEXT_FIELDS:
            data = {"csrf_token": csrf, name: (io.BytesIO(b"civil"), "x.txt")}
            response = client.post(url, data=data, content_type="multipart/form-data")
            assert response.status_code < 500, f"{url} with a file as {name}: {response.get_data(as_text=True)[:300]}"
