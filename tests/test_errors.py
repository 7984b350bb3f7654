"""Failures of the parts around the app answer clearly, never with a 500."""

from __future__ import annotations

from recommender.extensions import db
from tests.conftest import csrf_token_from, make_app, seed_version


def test_login_with_the_rate_limit_store_down_answers_503(database_url, tmp_path, trained):
    # Port 1 on loopback refuses connections at once: a Redis that is down.
    app = make_app(database_url, tmp_path, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    seed_version(app, trained)
    client = app.test_client()
    token = csrf_token_from(client.get("/admin/login").get_data(as_text=True))
    response = client.post("/admin/login", data={"csrf_token": token, "email": "a@example.org", "password": "x" * 12})
    assert response.status_code == 503
    assert "unavailable" in response.get_data(as_text=True)
    with app.app_context():  # on PostgreSQL an undisposed pool leaks a connection (ResourceWarning)
        db.session.remove()
        db.engine.dispose()


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "<html" in response.get_data(as_text=True).lower()
