"""Forwarded headers only from listed proxies, only trusted Host names, and start-up warnings (issue 10.12)."""

from __future__ import annotations

import logging

import pytest

from recommender import config
from recommender.extensions import db
from tests.conftest import make_app, seed_version, valid_answers
from tests.test_admin import fast_hashes, login, make_admin  # noqa: F401 - fast_hashes is a fixture


@pytest.fixture
def behind_proxy(database_url, tmp_path, trained):
    app = make_app(database_url, tmp_path, PROXY_FIX_HOPS=1, TRUSTED_PROXIES=["10.0.0.0/24", "::1"])
    seed_version(app, trained)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_proxy_hops_without_trusted_proxies_refuse_to_start(database_url, tmp_path):
    with pytest.raises(config.ConfigError, match="TRUSTED_PROXIES"):
        make_app(database_url, tmp_path, PROXY_FIX_HOPS=1)
    with pytest.raises(config.ConfigError, match="not an IP address"):
        make_app(database_url, tmp_path, PROXY_FIX_HOPS=1, TRUSTED_PROXIES=["proxy.local"])


def test_trusted_proxies_come_from_the_environment(tmp_path):
    conf = config.from_env(str(tmp_path), {"TRUSTED_PROXIES": "10.0.0.5, 10.1.0.0/16", "TRUSTED_HOSTS": "a.org,.b.org"})
    assert conf["TRUSTED_PROXIES"] == ["10.0.0.5", "10.1.0.0/16"]
    assert conf["TRUSTED_HOSTS"] == ["a.org", ".b.org"]
    assert config.from_env(str(tmp_path), {})["TRUSTED_HOSTS"] is None


def test_a_listed_proxy_names_the_client_and_anyone_else_is_its_own_address(behind_proxy):
    @behind_proxy.get("/_test/addr")
    def addr():
        from flask import request

        return {"remote_addr": request.remote_addr, "scheme": request.scheme}

    client = behind_proxy.test_client()
    forwarded = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    via_proxy = client.get("/_test/addr", headers=forwarded, environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert via_proxy.get_json() == {"remote_addr": "203.0.113.9", "scheme": "https"}
    direct = client.get("/_test/addr", headers=forwarded, environ_base={"REMOTE_ADDR": "198.51.100.20"})
    assert direct.get_json() == {"remote_addr": "198.51.100.20", "scheme": "http"}


def test_a_rotating_forwarded_for_from_a_direct_client_meets_the_address_limit(behind_proxy):
    make_admin(behind_proxy)
    client = behind_proxy.test_client()
    codes = []
    for i in range(6):
        client.environ_base.update({"HTTP_X_FORWARDED_FOR": f"192.0.2.{i}"})
        codes.append(login(client, f"someone{i}@example.org", "wrong password!!", ip="198.51.100.20").status_code)
    assert codes == [200] * 5 + [429]


def test_an_untrusted_host_is_refused_and_links_carry_only_trusted_ones(database_url, tmp_path, trained):
    app = make_app(database_url, tmp_path, TRUSTED_HOSTS=["memmatch.example.org"])
    seed_version(app, trained)
    client = app.test_client()
    for host in ("evil.example", "memmatch.example.org.evil.example", "evil.example:80"):
        response = client.get("/", headers={"Host": host})
        assert response.status_code == 400, host
        assert "evil" not in response.get_data(as_text=True)
        api = client.post("/api/v1/recommendations", json=valid_answers(), headers={"Host": host})
        assert api.status_code == 400 and "errors" in api.get_json()
    good = client.post("/api/v1/recommendations", json=valid_answers(), headers={"Host": "memmatch.example.org"})
    page = client.get(good.get_json()["result_url"], headers={"Host": "memmatch.example.org"})
    assert page.status_code == 200 and "http://memmatch.example.org/results/" in page.get_data(as_text=True)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("host", ["a" * 64 + ".example.org", "memmatch..example.org"])
@pytest.mark.parametrize("path", ["/", "/admin/", "/results/x", "/api/v1/roles"])
def test_a_host_name_werkzeug_cannot_encode_is_a_plain_400_not_a_500(app, host, path):
    """A label over 63 characters fails IDNA, so no URL can be built (BadHost before routing); the
    HTML error page called url_for and itself failed, and gunicorn answered its bare 500."""
    response = app.test_client().get(path, headers={"Host": host})
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert "Traceback" not in response.get_data(as_text=True) and host not in response.get_data(as_text=True)
    assert response.headers["X-Content-Type-Options"] == "nosniff" and "Content-Security-Policy" in response.headers


def test_production_without_redis_or_trusted_hosts_warns_at_start_up(tmp_path, caplog):
    base = {"ENV_NAME": "production", "RATELIMIT_STORAGE_URI": "memory://", "TRUSTED_HOSTS": None}
    warnings = config.startup_warnings(base)
    assert any("multiplied by the number of workers" in w for w in warnings)
    assert any("TRUSTED_HOSTS" in w for w in warnings)
    safe = {**base, "RATELIMIT_STORAGE_URI": "redis://r:6379/0", "TRUSTED_HOSTS": ["a.org"]}
    assert config.startup_warnings(safe) == []
    assert config.startup_warnings({**base, "ENV_NAME": "development"}) == []
    env = {"MEMMATCH_ENV": "production", "SECRET_KEY": "s" * 40, "DATABASE_URL": f"sqlite:///{tmp_path}/w.db"}
    conf = config.from_env(str(tmp_path), {**env, "MEMMATCH_BOOTSTRAP": "0"})
    from recommender import create_app

    with caplog.at_level(logging.WARNING):
        create_app({**conf, "TESTING": False})
    assert any("multiplied by the number of workers" in r.getMessage() for r in caplog.records)
