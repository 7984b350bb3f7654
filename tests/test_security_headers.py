"""Security headers on every kind of response, HSTS only over TLS, and ProxyFix for the load balancer."""

from __future__ import annotations

import re

import pytest
from flask import Response, g, render_template_string, request

from recommender.extensions import db
from recommender.web import security
from recommender.web.security import ALWAYS, HSTS, content_security_policy
from tests.conftest import make_app, seed_version, valid_answers

BASELINE = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_strict(response) -> None:
    for name, value in BASELINE.items():
        assert response.headers.get(name) == value, name
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "*" not in csp
    d = csp_directives(csp)
    assert d["default-src"] == ["'self'"]
    assert d["frame-ancestors"] == ["'none'"]
    assert d["object-src"] == ["'none'"]
    assert d["base-uri"] == ["'none'"]
    assert d["form-action"] == ["'self'"]
    for directive in ("script-src", "style-src"):
        assert d[directive][0] == "'self'"
        assert all(v.startswith("'nonce-") for v in d[directive][1:])


@pytest.fixture
def result_url(client) -> str:
    response = client.post("/api/v1/recommendations", json=valid_answers())
    assert response.status_code == 200
    return response.get_json()["result_url"]


def test_every_kind_of_response_carries_the_strict_headers(client, result_url):
    responses = {
        "quiz page": client.get("/"),
        "results page": client.get(result_url),
        "API answer": client.post("/api/v1/recommendations", json=valid_answers()),
        "API error": client.post("/api/v1/recommendations", json={"interests": "nope"}),
        "not found page": client.get("/no/such/page"),
        "not found JSON": client.get("/api/v1/nothing"),
        "method not allowed": client.delete("/api/v1/recommendations"),
        "liveness": client.get("/healthz"),
        "readiness": client.get("/readyz"),
        "OpenAPI document": client.get("/api/v1/openapi.json"),
        "static file": client.get("/static/favicon.svg"),
    }
    for what, response in responses.items():
        response.close()  # the static file is streamed from an open file
        assert response.status_code < 500, what
        assert_strict(response)
        assert "Strict-Transport-Security" not in response.headers, f"{what}: HSTS over plain HTTP"


def test_hsts_only_over_tls(client):
    response = client.get("/", base_url="https://memmatch.example")
    hsts = response.headers["Strict-Transport-Security"]
    max_age = int(re.search(r"max-age=(\d+)", hsts).group(1))
    assert max_age >= 365 * 24 * 3600
    assert "includeSubDomains" in hsts
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_pages_have_no_inline_script_or_style_that_the_policy_would_block(client, result_url):
    """The policy has no 'unsafe-inline': an inline block or attribute would silently not work."""
    program_ids = [p["id"] for p in client.post("/api/v1/recommendations", json=valid_answers()).get_json()["programs"]]
    token = result_url.rsplit("/", 1)[1]
    pages = {
        "quiz": client.get("/"),
        "results": client.get(result_url),
        "compare": client.get("/compare", query_string={"token": token, "ids": program_ids[:2]}),
        "invalid quiz": client.post("/", data={"interests": ["nope"]}),
        "404": client.get("/no/such/page"),
    }
    for name, response in pages.items():
        html = response.get_data(as_text=True)
        assert "<html" in html, name
        for tag in re.findall(r"<script\b[^>]*>", html, flags=re.I):
            assert "src=" in tag or "nonce=" in tag or 'type="application/json"' in tag, f"{name}: inline {tag}"
        assert not re.search(r"<style\b(?![^>]*nonce=)", html, flags=re.I), f"{name}: inline <style>"
        assert not re.search(r"\sstyle\s*=", html, flags=re.I), f"{name}: style= attribute"
        assert not re.search(r"\son[a-z]+\s*=", html, flags=re.I), f"{name}: inline event handler"


def test_a_template_may_use_a_per_response_nonce(bare_app):
    @bare_app.get("/_test/nonce")
    def nonce_page():
        return render_template_string('<script nonce="{{ csp_nonce() }}">1</script>{{ csp_nonce() }}')

    client = bare_app.test_client()
    first, second = client.get("/_test/nonce"), client.get("/_test/nonce")
    nonce = first.get_data(as_text=True).rsplit(">", 1)[1]
    d = csp_directives(first.headers["Content-Security-Policy"])
    assert d["script-src"] == ["'self'", f"'nonce-{nonce}'"]
    assert d["style-src"] == ["'self'", f"'nonce-{nonce}'"]
    assert second.get_data(as_text=True).rsplit(">", 1)[1] != nonce, "a nonce is never reused"
    assert "nonce" not in client.get("/healthz").headers["Content-Security-Policy"]
    assert "nonce" not in content_security_policy()


def _client_view(app):
    @app.get("/_test/client")
    def client_view():
        return {"remote_addr": request.remote_addr, "scheme": request.scheme, "host": request.host}

    return app.test_client()


@pytest.fixture
def proxied_app(database_url, tmp_path, trained):
    app = make_app(database_url, tmp_path, PROXY_FIX_HOPS=1, TRUSTED_PROXIES=["127.0.0.1"])
    seed_version(app, trained)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_behind_one_proxy_the_client_address_and_scheme_come_from_it(proxied_app):
    client = _client_view(proxied_app)
    headers = {
        "X-Forwarded-For": "198.51.100.7, 203.0.113.9",  # the first is whatever the client claimed
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "evil.example",
    }
    response = client.get("/_test/client", headers=headers)
    body = response.get_json()
    assert body["remote_addr"] == "203.0.113.9", "only the hop the proxy added is trusted"
    assert body["scheme"] == "https"
    assert body["host"] == "localhost", "X-Forwarded-Host is not trusted"
    assert "Strict-Transport-Security" in response.headers


def test_without_proxy_fix_forwarded_headers_are_ignored(app):
    client = _client_view(app)
    response = client.get("/_test/client", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})
    assert response.get_json() == {"remote_addr": "127.0.0.1", "scheme": "http", "host": "localhost"}
    assert "Strict-Transport-Security" not in response.headers


def test_session_cookie_is_httponly_and_samesite(client):
    client.get("/")
    cookie = client.get_cookie("session")
    if cookie is None:
        pytest.skip("the quiz page set no session cookie")
    assert cookie.http_only
    assert cookie.same_site == "Lax"


def test_production_cookies_are_secure_only():
    from recommender import config

    assert config.from_env("/tmp", {"SECRET_KEY": "x"})["SESSION_COOKIE_SECURE"] is True


def _headers_by_setdefault(response, nonce, secure):
    """What `security._headers` replaced: one `setdefault` per header (the reference it must match)."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(nonce))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
    if secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


@pytest.mark.parametrize("secure", [False, True])
@pytest.mark.parametrize("nonce", [None, "", "n0nce"])
@pytest.mark.parametrize(
    "preset",
    [
        [],
        [("Location", "/results/x")],
        [("x-frame-options", "SAMEORIGIN"), ("Content-Security-Policy", "default-src 'none'")],
        [("Strict-Transport-Security", "max-age=1"), ("PERMISSIONS-POLICY", "camera=(self)")],
        [(name, "own") for name, _ in ALWAYS],
    ],
)
def test_the_headers_hook_adds_exactly_what_setdefault_did(bare_app, preset, nonce, secure):
    base_url = "https://memmatch.example" if secure else "http://localhost"
    made = []
    for apply in (security._headers, lambda r: _headers_by_setdefault(r, nonce, secure)):
        with bare_app.test_request_context("/", base_url=base_url):
            if nonce is not None:
                g.csp_nonce = nonce
            response = Response("x", headers=list(preset))
            made.append(list(apply(response).headers.items()))
    assert made[0] == made[1]
