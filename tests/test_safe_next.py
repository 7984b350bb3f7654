"""`next` after login stays inside the admin area, dot segments included (issue 10.12)."""

from __future__ import annotations

import pytest

from recommender.web.security import safe_next
from tests.test_admin import fast_hashes, login, make_admin  # noqa: F401 - fast_hashes is a fixture

ESCAPES = [
    "/admin/../results/x",
    "/admin/..",
    "/admin/./../",
    "/admin/%2e%2e/results/x",
    "/admin/%2E%2E/%2E%2E/",
    "/admin/..%2fresults",
    "/admin/.%2e/results",
    "/admin/jobs/../../api/v1/programs",
    "/admin/%2e/",
]


@pytest.mark.parametrize("target", ESCAPES)
def test_dot_segments_are_refused(target):
    assert safe_next(target) is None


@pytest.mark.parametrize("target", ESCAPES)
def test_login_never_follows_a_dot_segment(app, target):
    make_admin(app)
    response = login(app.test_client(), next_url=target)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"


@pytest.mark.parametrize("target", ["/admin/", "/admin/audit?action=login", "/admin/versions/a.b", "/admin/x..y"])
def test_admin_paths_with_dots_inside_names_are_kept(target):
    assert safe_next(target) == target
