"""Admin URLs an attacker would try: huge page numbers and ids, odd version ids, non-Latin-1 file
names (issue 10, item 8). Each answered 500 before; each must be a plain 404 or a good download."""

from __future__ import annotations

import io
import urllib.parse

import pytest
from werkzeug.security import generate_password_hash

from recommender.extensions import db
from recommender.orm import ProgramUpload
from recommender.services import accounts
from tests.test_admin import FAST_SCRYPT, admin_client, token_of
from tests.test_admin_uploads import bad_programs, upload


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch):
    monkeypatch.setattr(accounts, "hash_password", lambda password: generate_password_hash(password, FAST_SCRYPT))


HUGE = "200000000000000000"
OVER_INT64 = "9223372036854775808"


@pytest.mark.parametrize(
    "url",
    [
        f"/admin/audit?page={HUGE}",
        "/admin/audit?page=0",
        "/admin/audit?page=-1",
        "/admin/audit?page=%D9%A5",  # an Arabic-Indic five: Python's int() would take it
        "/admin/audit?page=1e3",
        f"/admin/jobs/{OVER_INT64}",
        f"/admin/jobs/{OVER_INT64}.json",
        "/admin/jobs/2147483648",
        "/admin/jobs/0",
        f"/admin/uploads/{OVER_INT64}/report.csv",
        f"/admin/uploads/{HUGE}/report.csv",
        "/admin/versions/%00",
        "/admin/versions/" + "a" * 5000,
        "/admin/versions/%E4%B8%AD%E6%96%87",
    ],
)
def test_huge_or_malformed_numbers_and_ids_are_404_not_500(app, url):
    client = admin_client(app)
    response = client.get(url)
    assert response.status_code == 404, (url, response.status_code)
    assert "Traceback" not in response.get_data(as_text=True)


def test_posting_to_a_malformed_version_id_is_404(app):
    client = admin_client(app)
    page = client.get("/admin/versions").get_data(as_text=True)
    from tests.conftest import csrf_token_from

    token = csrf_token_from(page)
    for action in ("activate", "discard"):
        assert client.post(f"/admin/versions/%00/{action}", data={"csrf_token": token}).status_code == 404


def test_the_last_real_audit_page_still_answers(app):
    client = admin_client(app)
    assert client.get("/admin/audit?page=1").status_code == 200
    assert client.get("/admin/audit?page=9999").status_code == 200  # past the end: an empty page


@pytest.mark.parametrize("name", ["中文.csv", "données été.csv", "b;c'd e.csv", "Ωmega 100%.csv"])
def test_a_refusal_report_of_a_non_latin1_name_downloads_per_rfc_6266(app, name):
    client = admin_client(app)
    refused = upload(client, bad_programs(), name=name)
    assert refused.status_code == 422
    link = refused.get_data(as_text=True).split('href="/admin/uploads/')[1].split('"')[0]
    report = client.get(f"/admin/uploads/{link}")
    assert report.status_code == 200 and report.mimetype == "text/csv"
    disposition = report.headers["Content-Disposition"]
    disposition.encode("latin-1")  # a header must be Latin-1 (ASCII here)
    assert "\r" not in disposition and "\n" not in disposition
    fallback = disposition.split('filename="')[1].split('"')[0]
    assert fallback.isascii() and fallback.endswith("-problems.csv")
    with app.app_context():
        stored = db.session.get(ProgramUpload, int(link.split("/")[0])).source_name
    stem = stored.rsplit(".", 1)[0]
    if not all(c.isascii() and (c.isalnum() or c in "-_.") for c in stem):
        assert "filename*=" in disposition, disposition
        exact = disposition.split("filename*=UTF-8''")[1]
        assert urllib.parse.unquote(exact) == f"{stem}-problems.csv"


def test_a_nul_from_a_client_is_stored_and_matched_as_a_visible_mark(app):
    """PostgreSQL text cannot hold NUL: a login address, a filter, a file name or a reason carrying
    one answered 500 there (SQLite kept the NUL). Both now store and compare U+FFFD in its place."""
    from sqlalchemy import select

    from recommender.orm import AuditEvent
    from tests.test_admin import EMAIL, login

    client = admin_client(app)
    stranger = app.test_client()
    for address in (f"{EMAIL}\x00", "a\x00b@example.org"):
        refused = login(stranger, address, "a wrong password!")
        assert refused.status_code == 200 and "do not match an admin account" in refused.get_data(as_text=True)
    assert client.get("/admin/audit", query_string={"action": "login\x00"}).status_code == 200
    fields = {"csrf_token": token_of(client, "/admin/upload"), "reason": "why\x00not"}
    fields["file"] = (io.BytesIO(bad_programs()), "evil\x00name.csv")
    assert client.post("/admin/upload", data=fields).status_code == 422
    with app.app_context():
        targets = db.session.scalars(select(AuditEvent.target).where(AuditEvent.action == "login_failed")).all()
        stored = db.session.scalars(select(ProgramUpload)).one()
    assert set(targets) == {"a\ufffdb@example.org", f"{EMAIL}\ufffd"}
    assert (stored.source_name, stored.reason) == ("evil\ufffdname.csv", "why\ufffdnot")
