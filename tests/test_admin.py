"""The admin area's doors: login, sessions, rate limits, redirects, and refusal of anonymous access."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from recommender import config
from recommender.extensions import db
from recommender.orm import ActiveModel, AuditEvent, ModelVersion
from recommender.services import accounts
from tests.conftest import csrf_token_from, make_app, seed_version

EMAIL = "admin@example.org"
PASSWORD = "correct horse battery staple"
# Still werkzeug scrypt, at a test-sized cost; the real parameters are checked in test_accounts.py.
FAST_SCRYPT = "scrypt:1024:8:1"


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch):
    monkeypatch.setattr(accounts, "hash_password", lambda password: generate_password_hash(password, FAST_SCRYPT))


# ----------------------------------------------------------------------------- helpers shared by the admin tests


def make_admin(app: Flask, email: str = EMAIL, password: str = PASSWORD) -> None:
    """Create an admin account the way the CLI does."""
    with app.app_context():
        accounts.create_admin(db.session, email=email, password=password, actor="test")


def login(
    client: FlaskClient,
    email: str = EMAIL,
    password: str = PASSWORD,
    *,
    next_url: str | None = None,
    ip: str | None = None,
) -> Any:
    """Fetch the login form and submit it (without following the redirect)."""
    environ = {"REMOTE_ADDR": ip} if ip else {}
    query = {"next": next_url} if next_url is not None else None
    page = client.get("/admin/login", query_string=query, environ_base=environ)
    data = {"csrf_token": csrf_token_from(page.get_data(as_text=True)), "email": email, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/admin/login", data=data, environ_base=environ)


def admin_client(app: Flask) -> FlaskClient:
    """A client logged in as a fresh admin."""
    make_admin(app)
    client = app.test_client()
    response = login(client)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/", response.get_data(as_text=True)
    return client


def token_of(client: FlaskClient, path: str = "/admin/versions") -> str:
    """A CSRF token from one of the admin pages."""
    return csrf_token_from(client.get(path).get_data(as_text=True))


def session_cookie(client: FlaskClient) -> str | None:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def state(app: Flask) -> tuple[int, str | None]:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(ModelVersion))
        pointer = db.session.get(ActiveModel, 1)
        return count, pointer.version_id if pointer else None


def actions(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


# ----------------------------------------------------------------------------- every route refuses anonymous users


@pytest.fixture
def open_app(database_url, tmp_path: Path, trained) -> Iterator[Flask]:
    """An app without CSRF checks, so that only the login requirement can refuse a request."""
    app = make_app(database_url, tmp_path, WTF_CSRF_ENABLED=False)
    seed_version(app, trained)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def admin_routes(app: Flask, version_id: str) -> list[tuple[str, str]]:
    """(method, url) for every method of every /admin rule except the login page."""
    samples = {"version_id": version_id, "job_id": 1, "upload_id": 1}
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin") or rule.endpoint == "admin.login":
            continue
        url = rule.build({arg: samples[arg] for arg in rule.arguments}, append_unknown=False)[1]
        found += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


def test_every_admin_route_sends_anonymous_browsers_to_log_in(open_app, trained):
    routes = admin_routes(open_app, trained.version_id)
    assert len(routes) >= 12 and ("POST", f"/admin/versions/{trained.version_id}/activate") in routes
    before = state(open_app)
    client = open_app.test_client()
    for method, url in routes:
        response = client.open(url, method=method)
        if url.endswith(".json"):  # a status endpoint for scripts: never a login page
            assert response.status_code == 401, url
            continue
        assert response.status_code == 302, (method, url, response.status_code)
        location = response.headers["Location"]
        assert location.startswith("/admin/login"), (method, url, location)
        if method == "GET":
            assert "next=" in location
    assert state(open_app) == before
    assert set(actions(open_app)) <= {"login_failed"}


def test_every_admin_route_answers_json_clients_401(open_app, trained):
    client = open_app.test_client()
    for method, url in admin_routes(open_app, trained.version_id):
        response = client.open(url, method=method, headers={"Accept": "application/json"})
        assert response.status_code == 401, (method, url)
        assert response.get_json() == {"errors": {"_body": ["Please log in."]}}


def test_the_job_status_endpoint_is_json_even_for_a_plain_fetch(open_app):
    response = open_app.test_client().get("/admin/jobs/1.json")
    assert response.status_code == 401 and response.is_json


def test_a_logged_in_admin_reaches_every_page(app):
    client = admin_client(app)
    for path in ("/admin/", "/admin/versions", "/admin/upload", "/admin/audit", "/admin/submissions.csv"):
        assert client.get(path).status_code == 200, path


# ----------------------------------------------------------------------------- logging in and out


def test_login_with_the_right_password_opens_the_dashboard(app):
    client = admin_client(app)
    page = client.get("/admin/")
    assert page.status_code == 200 and EMAIL in page.get_data(as_text=True)
    assert actions(app)[-1] == "login"


def test_failures_answer_alike_whether_or_not_the_account_exists(app, monkeypatch):
    make_admin(app)
    checks = []
    real = accounts.check_password_hash
    monkeypatch.setattr(accounts, "check_password_hash", lambda h, p: checks.append(h) or real(h, p))

    def attempt(email: str) -> tuple[int, str]:
        response = login(app.test_client(), email, "wrong password here", ip=f"10.1.0.{len(checks)}")
        body = re.sub(r'value="[^"]+"', 'value=""', response.get_data(as_text=True))
        return response.status_code, body.replace(email, "EMAIL")

    wrong_password, unknown_account = attempt(EMAIL), attempt("nobody@example.org")
    assert wrong_password == unknown_account
    assert wrong_password[0] == 200 and "do not match an admin account" in wrong_password[1]
    # A password hash is checked in both cases, so both take about as long.
    assert len(checks) == 2 and all(h.startswith("scrypt:") for h in checks)
    assert actions(app)[-2:] == ["login_failed", "login_failed"]


def test_logout_is_a_post_and_ends_every_copy_of_the_session(app):
    client = admin_client(app)
    stolen = session_cookie(client)
    assert client.get("/admin/logout").status_code == 405
    response = client.post("/admin/logout", data={"csrf_token": token_of(client)})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/login"
    assert client.get("/admin/").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/admin/").headers["Location"].startswith("/admin/login")
    assert actions(app)[-1] == "logout"


def test_logout_without_a_csrf_token_is_refused(app):
    client = admin_client(app)
    assert client.post("/admin/logout").status_code == 400
    assert client.get("/admin/").status_code == 200


def test_admin_sessions_expire(app):
    client = admin_client(app)
    minutes = app.config["ADMIN_SESSION_MINUTES"]
    with client.session_transaction() as session:
        session["admin"] = {**session["admin"], "at": session["admin"]["at"] - minutes * 60 - 1}
    response = client.get("/admin/versions")
    assert response.status_code == 302 and response.headers["Location"].startswith("/admin/login")
    assert "session expired" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_session_with_a_tampered_payload_is_anonymous(app):
    client = admin_client(app)
    with client.session_transaction() as session:
        session["admin"] = {"id": "x"}
    assert client.get("/admin/").status_code == 302


def session_set_cookie(response: Any) -> str:
    """The Set-Cookie header of the session (a login also sets the device cookie)."""
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    return cookie


def test_session_cookie_flags(app, database_url, tmp_path):
    make_admin(app)
    cookie = session_set_cookie(login(app.test_client()))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert config.from_env(str(tmp_path), {"MEMMATCH_ENV": "production"})["SESSION_COOKIE_SECURE"] is True
    assert config.from_env(str(tmp_path), {"MEMMATCH_ENV": "development"})["SESSION_COOKIE_SECURE"] is False
    secure = make_app(database_url, tmp_path, SESSION_COOKIE_SECURE=True)
    assert "Secure" in session_set_cookie(login(secure.test_client()))
    with secure.app_context():
        db.engine.dispose()


# ----------------------------------------------------------------------------- session fixation


def test_login_renews_the_session_and_drops_what_came_before(app):
    make_admin(app)
    client = app.test_client()
    client.get("/admin/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    planted = session_cookie(client)
    assert login(client).status_code == 302
    renewed = session_cookie(client)
    assert renewed != planted
    with client.session_transaction() as session:
        assert "planted" not in session and set(session["admin"]) == {"id", "epoch", "at", "sid"}
    # Whoever planted the pre-login cookie holds a session that is still anonymous.
    attacker = app.test_client()
    attacker.set_cookie("session", planted)
    assert attacker.get("/admin/").status_code == 302


def test_two_logins_get_different_sessions(app):
    make_admin(app)
    first, second = app.test_client(), app.test_client()
    login(first)
    login(second, ip="10.9.9.9")
    with first.session_transaction() as a, second.session_transaction() as b:
        assert a["admin"]["sid"] != b["admin"]["sid"]


# ----------------------------------------------------------------------------- open redirects


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/admin/\\\\evil.example",
        "javascript:alert(1)",
        "http:evil.example",
        " //evil.example",
        "/admin/\t//evil.example",
        "/results/abc",
    ],
)
def test_next_never_leaves_the_admin_area(app, target):
    make_admin(app)
    response = login(app.test_client(), next_url=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"


def test_next_returns_to_the_admin_page_asked_for(app):
    make_admin(app)
    client = app.test_client()
    bounced = client.get("/admin/audit?action=login")
    assert bounced.headers["Location"] == "/admin/login?next=/admin/audit?action%3Dlogin"
    assert login(client, next_url="/admin/audit?action=login").headers["Location"] == "/admin/audit?action=login"


def test_the_login_form_does_not_carry_a_foreign_next(app):
    page = app.test_client().get("/admin/login", query_string={"next": "https://evil.example"})
    assert "evil.example" not in page.get_data(as_text=True)


# ----------------------------------------------------------------------------- brute force


def test_brute_force_from_one_client_is_answered_429(app):
    make_admin(app)
    client = app.test_client()
    codes = [login(client, password=f"guess number {i}").status_code for i in range(6)]
    assert codes == [200] * 5 + [429]
    refused = login(client)  # even the right password waits now
    assert refused.status_code == 429 and "Too many login attempts" in refused.get_data(as_text=True)
    assert actions(app).count("login_failed") == 5


def test_brute_force_on_one_account_from_many_clients_is_answered_429(app):
    make_admin(app)
    codes = [login(app.test_client(), password=f"guess {i}", ip=f"10.2.0.{i}").status_code for i in range(6)]
    assert codes == [200] * 5 + [429]
    # Another account, from a fresh address, is not affected.
    make_admin(app, "other@example.org")
    assert login(app.test_client(), "other@example.org", ip="10.3.0.1").status_code == 302


def test_successful_logins_do_not_count_against_the_account(app):
    make_admin(app)
    codes = [login(app.test_client(), ip=f"10.4.0.{i}").status_code for i in range(7)]
    assert codes == [302] * 7


def test_the_limit_comes_from_configuration(database_url, tmp_path, trained):
    app = make_app(database_url, tmp_path, LOGIN_RATE_LIMIT="2 per minute")
    make_admin(app)
    client = app.test_client()
    assert [login(client, password="bad password!").status_code for _ in range(3)] == [200, 200, 429]
    with app.app_context():
        db.engine.dispose()


REDIS_URL = os.environ.get("TEST_REDIS_URL", "")


@pytest.mark.skipif(not REDIS_URL, reason="set TEST_REDIS_URL to test shared rate-limit storage")
def test_redis_storage_shares_the_count_between_processes(database_url, tmp_path):
    """Two app objects stand for two workers: with Redis, the second sees the first's attempts."""
    overrides = {"RATELIMIT_STORAGE_URI": REDIS_URL, "LOGIN_RATE_LIMIT": "3 per minute"}
    email = f"redis-{uuid.uuid4().hex[:8]}@example.org"
    first = make_app(database_url, tmp_path, **overrides)
    make_admin(first, email)
    client = first.test_client()
    ip = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"
    assert [login(client, email, "wrong password!!", ip=ip).status_code for _ in range(3)] == [200] * 3
    second = make_app(database_url, tmp_path, **overrides)  # a new storage object, same Redis
    assert login(second.test_client(), email, "wrong password!!", ip=ip).status_code == 429
    for one in (first, second):
        with one.app_context():
            db.engine.dispose()


def test_memory_storage_is_per_process(database_url, tmp_path):
    """The default: each process counts alone, which is why several workers want Redis."""
    first = make_app(database_url, tmp_path, LOGIN_RATE_LIMIT="1 per minute")
    make_admin(first)
    assert login(first.test_client(), password="wrong password!!").status_code == 200
    assert login(first.test_client(), password="wrong password!!").status_code == 429
    second = make_app(database_url, tmp_path, LOGIN_RATE_LIMIT="1 per minute")
    assert login(second.test_client(), password="wrong password!!").status_code == 200
    for one in (first, second):
        with one.app_context():
            db.engine.dispose()


# ----------------------------------------------------------------------------- pages obey the content security policy


def test_admin_pages_use_no_inline_script_or_style(app, trained):
    client = admin_client(app)
    paths = ["/admin/", "/admin/versions", f"/admin/versions/{trained.version_id}", "/admin/upload", "/admin/audit"]
    for path in [*paths, "/admin/login"]:
        response = (app.test_client() if path == "/admin/login" else client).get(path)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, path
        assert not re.search(r"\sstyle=", html), path
        assert not re.search(r"<script(?![^>]*\ssrc=)", html), path
        assert "<style" not in html, path
        assert response.headers["Cache-Control"] == "no-store"
