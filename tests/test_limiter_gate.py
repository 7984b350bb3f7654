"""Flask-Limiter's before-request check runs only while there are limits it applies (issue 12).

The gate must change nothing a client can see: limits on every route still refuse, decorated
limits (the login's) still refuse, and for this app the check it skips is one that found nothing.
"""

from __future__ import annotations

import re

import pytest
from flask import Blueprint, Flask, request
from flask_limiter import Limiter

from recommender.extensions import check_limits_only_where_they_exist, limiter, limits_on_every_request
from tests.test_admin import EMAIL, fast_hashes, login, make_admin  # noqa: F401 - fast_hashes is a fixture


def small_app(limiter_options: dict | None = None, config: dict | None = None) -> tuple[Flask, Limiter]:
    app = Flask(__name__)
    app.config.update({"RATELIMIT_STORAGE_URI": "memory://", "RATELIMIT_HEADERS_ENABLED": True, **(config or {})})
    own = Limiter(key_func=lambda: "client", **(limiter_options or {}))
    own.init_app(app)
    check_limits_only_where_they_exist(app, own)

    @app.get("/open")
    def open_view():
        return "ok"

    @app.get("/decorated")
    @own.limit("1/minute")
    def decorated():
        return "ok"

    @app.get("/failures-count")
    @own.limit("2/minute", deduct_when=lambda response: response.status_code == 400)
    def failures_count():
        return "no", 400 if request.args.get("fail") else 200

    return app, own


def codes(app: Flask, path: str, times: int) -> list[int]:
    client = app.test_client()
    return [client.get(path).status_code for _ in range(times)]


def test_the_hooks_are_replaced_by_gated_ones_not_added_to():
    app, _ = small_app()
    assert [h.__name__ for h in app.before_request_funcs[None]] == ["check_request_limit"]
    assert [h.__name__ for h in app.after_request_funcs[None]] == ["limit_headers"]
    assert [h.__name__ for h in app.teardown_request_funcs[None]] == ["release_limit_state"]


def test_a_limited_route_still_has_its_headers_and_an_unlimited_one_none():
    app, _ = small_app()
    client = app.test_client()
    first, second = client.get("/decorated"), client.get("/decorated")
    assert first.headers["X-RateLimit-Limit"] == "1" and first.headers["X-RateLimit-Remaining"] == "0"
    assert second.status_code == 429 and "Retry-After" in second.headers
    assert not [name for name, _ in client.get("/open").headers if "ratelimit" in name.lower()]


def test_conditional_deductions_still_count_only_what_they_should():
    app, _ = small_app()
    client = app.test_client()
    assert [client.get("/failures-count").status_code for _ in range(4)] == [200] * 4, "successes do not count"
    statuses = [client.get("/failures-count?fail=1").status_code for _ in range(3)]
    assert statuses == [400, 400, 429]


def test_without_limits_for_every_route_the_gate_skips_the_check_and_decorated_limits_still_refuse():
    app, own = small_app()
    assert not limits_on_every_request(own)
    assert codes(app, "/open", 5) == [200] * 5
    assert codes(app, "/decorated", 2) == [200, 429]


@pytest.mark.parametrize(
    "options",
    [
        {"default_limits": ["2/minute"]},
        {"application_limits": ["2/minute"]},
    ],
)
def test_limits_for_every_route_are_still_applied(options):
    app, own = small_app(options)
    assert limits_on_every_request(own)
    assert codes(app, "/open", 3) == [200, 200, 429]


def test_default_limits_from_the_config_are_still_applied():
    app, own = small_app(config={"RATELIMIT_DEFAULT": "2/minute"})
    assert limits_on_every_request(own)
    assert codes(app, "/open", 3) == [200, 200, 429]


def test_a_blueprint_limit_added_after_the_gate_is_applied():
    app, own = small_app()
    bp = Blueprint("limited", __name__)

    @bp.get("/in-blueprint")
    def in_blueprint():
        return "ok"

    own.limit("1/minute")(bp)
    app.register_blueprint(bp)
    assert limits_on_every_request(own)
    assert codes(app, "/in-blueprint", 2) == [200, 429]


def test_for_this_app_the_skipped_check_finds_nothing_on_any_route(app):
    """What the gate replaces, run by hand on every route: it applies no limit and counts nothing."""
    assert not limits_on_every_request(limiter)
    storage = limiter.storage
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            with app.test_request_context(re.sub(r"<[^>]+>", "1", rule.rule), method=method):
                assert request.endpoint == rule.endpoint, rule.rule
                before = dict(storage.storage) if hasattr(storage, "storage") else None
                limiter._check_request_limit()
                assert limiter.current_limits == [], rule.rule
                if before is not None:
                    assert dict(storage.storage) == before, rule.rule


def test_the_login_limits_still_refuse_in_this_app(app):
    make_admin(app)
    client = app.test_client()
    statuses = [login(client, EMAIL, f"wrong {i} wrong", ip="10.50.0.1").status_code for i in range(6)]
    assert statuses == [200] * 5 + [429]
