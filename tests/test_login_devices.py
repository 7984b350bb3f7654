"""Admin lockout: guesses from elsewhere cannot lock out a browser that logged in before (issue 10.4)."""

from __future__ import annotations

import os
import uuid

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from recommender.extensions import db
from recommender.orm import AuditEvent
from recommender.web import login_guard
from tests.conftest import make_app
from tests.test_admin import EMAIL, PASSWORD, fast_hashes, login, make_admin  # noqa: F401 - fast_hashes is a fixture

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")


def known_browser(app, email=EMAIL, password=PASSWORD, ip="10.9.0.1"):
    """A browser that logged in once (so holds a device cookie), then lost its session."""
    client = app.test_client()
    assert login(client, email, password, ip=ip).status_code == 302
    client.delete_cookie("session")
    assert client.get_cookie(login_guard.DEVICE_COOKIE, path="/admin/login") is not None
    return client


def lock_account(app, email=EMAIL, tries=5):
    """Wrong passwords for `email` from many fresh clients until the account limit is reached."""
    codes = [login(app.test_client(), email, f"guess number {i}", ip=f"10.66.0.{i}").status_code for i in range(tries)]
    assert codes == [200] * tries
    assert login(app.test_client(), email, PASSWORD, ip="10.66.1.1").status_code == 429, "the account is locked"


def lockouts(app):
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login_locked")).all()
        return [(r.target, r.detail.get("scope")) for r in rows]


def test_a_known_browser_logs_in_while_the_account_is_locked_for_everyone_else(app):
    make_admin(app)
    browser = known_browser(app)
    lock_account(app)
    assert login(app.test_client(), ip="10.77.0.1").status_code == 429, "unknown browsers stay locked out"
    assert login(browser, ip="10.9.0.2").status_code == 302, "the admin's own browser is not locked out"


def test_a_known_browser_has_its_own_limit_on_failures(app):
    make_admin(app)
    mine, other = known_browser(app), known_browser(app, ip="10.9.0.8")
    assert [login(mine, password=f"typo {i} typo").status_code for i in range(6)] == [200] * 5 + [429]
    assert login(mine).status_code == 429, "this device used up its own tries"
    assert login(other).status_code == 302, "another known device of the account is not affected"


def test_a_known_browser_is_not_locked_out_by_its_shared_address(app):
    make_admin(app)
    browser = known_browser(app, ip="10.8.0.1")
    attacker = app.test_client()
    assert [login(attacker, "x@example.org", f"guess {i}", ip="10.8.0.1").status_code for i in range(6)][-1] == 429
    assert login(browser, ip="10.8.0.1").status_code == 302


@pytest.mark.parametrize("forgery", ["tampered", "other-key", "other-account", "garbage"])
def test_a_forged_or_foreign_device_cookie_counts_for_nothing(app, forgery):
    make_admin(app)
    make_admin(app, "second@example.org")
    browser = known_browser(app, "second@example.org")
    lock_account(app)
    real = browser.get_cookie(login_guard.DEVICE_COOKIE, path="/admin/login").value
    values = {
        "tampered": real[:-2] + ("AA" if not real.endswith("AA") else "BB"),
        "other-key": URLSafeTimedSerializer("not the secret", salt="memmatch.admin-device").dumps({"a": 1, "n": "x"}),
        "other-account": real,  # signed, but for second@example.org
        "garbage": "x" * 600,
    }
    client = app.test_client()
    client.set_cookie(login_guard.DEVICE_COOKIE, values[forgery], path="/admin/login")
    assert login(client, ip="10.55.0.1").status_code == 429


def test_the_device_cookie_is_signed_http_only_strict_and_scoped_to_the_login(app, database_url, tmp_path):
    make_admin(app)
    response = login(app.test_client())
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(login_guard.DEVICE_COOKIE + "=")]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/admin/login" in cookie
    assert "Max-Age=" in cookie and "Secure" not in cookie
    value = cookie.split(";", 1)[0].split("=", 1)[1]
    data = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="memmatch.admin-device").loads(value)
    assert set(data) == {"a", "n"} and len(data["n"]) >= 16
    assert EMAIL not in value, "the cookie names an account id, not the address"
    secure = make_app(database_url, tmp_path, SESSION_COOKIE_SECURE=True)
    make_admin(secure, "s@example.org")
    cookies = login(secure.test_client(), "s@example.org").headers.getlist("Set-Cookie")
    assert all("Secure" in c for c in cookies)
    with secure.app_context():
        db.engine.dispose()


def test_each_lockout_is_written_to_the_audit_log_once(app):
    make_admin(app)
    lock_account(app)
    for i in range(4):  # the attacker keeps trying: refused, and not logged again
        assert login(app.test_client(), password=f"more {i} guesses", ip=f"10.67.0.{i}").status_code == 429
    assert lockouts(app) == [(EMAIL, "account")]
    client = app.test_client()
    for i in range(7):
        login(client, f"nobody{i}@example.org", f"guess {i} guess", ip="10.68.0.1")
    assert lockouts(app) == [(EMAIL, "account"), ("10.68.0.1", "client")]


@pytest.mark.skipif(not REDIS_URL, reason="set TEST_REDIS_URL to test device limits in shared storage")
def test_known_browsers_keep_logging_in_with_redis_storage(database_url, tmp_path):
    app = make_app(database_url, tmp_path, RATELIMIT_STORAGE_URI=REDIS_URL, LOGIN_RATE_LIMIT="3 per minute")
    email = f"dev-{uuid.uuid4().hex[:8]}@example.org"
    make_admin(app, email)
    browser = known_browser(app, email)
    codes = [login(app.test_client(), email, f"guess {i} guess", ip=f"10.{i}.1.1").status_code for i in range(4)]
    assert codes == [200, 200, 200, 429]
    assert login(browser, email, PASSWORD, ip="10.200.0.1").status_code == 302
    with app.app_context():
        db.engine.dispose()
