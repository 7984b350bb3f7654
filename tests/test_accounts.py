"""Admin accounts: scrypt hashes, no duplicates, password resets that end sessions."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from recommender.extensions import db
from recommender.orm import AdminUser
from recommender.services import accounts

PASSWORD = "correct horse battery staple"


def test_passwords_are_stored_as_werkzeug_scrypt_hashes(bare_app):
    with bare_app.app_context():
        user = accounts.create_admin(db.session, email="  Admin@Example.ORG ", password=PASSWORD, actor="test")
        assert user.email == "admin@example.org"
        assert user.password_hash.startswith("scrypt:32768:8:1$") and PASSWORD not in user.password_hash
        assert accounts.authenticate(db.session, "ADMIN@example.org", PASSWORD).id == user.id
        assert accounts.authenticate(db.session, "admin@example.org", PASSWORD + "x") is None
        assert accounts.authenticate(db.session, "nobody@example.org", PASSWORD) is None


def test_there_is_no_default_account(bare_app):
    with bare_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AdminUser)) == 0


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("not-an-address", PASSWORD, "is not an e-mail address"),
        ("a@b", PASSWORD, "is not an e-mail address"),
        ("admin@example.org", "short", "at least 12 characters"),
        ("admin@example.org", "x" * 1025, "at most 1024"),
    ],
)
def test_bad_accounts_are_refused(bare_app, email, password, message):
    with bare_app.app_context(), pytest.raises(accounts.AccountError, match=message):
        accounts.create_admin(db.session, email=email, password=password, actor="test")


def test_an_existing_account_is_not_overwritten_unless_reset(bare_app):
    with bare_app.app_context():
        first = accounts.create_admin(db.session, email="a@example.org", password=PASSWORD, actor="test")
        old_hash, old_epoch = first.password_hash, first.session_epoch
        with pytest.raises(accounts.AccountError, match="already exists"):
            accounts.create_admin(db.session, email="A@example.org", password="another long password", actor="test")
        with pytest.raises(accounts.AccountError, match="no admin"):
            accounts.create_admin(db.session, email="b@example.org", password=PASSWORD, actor="test", reset=True)
        reset = accounts.create_admin(
            db.session, email="a@example.org", password="another long password", actor="test", reset=True
        )
        assert reset.id == first.id and reset.password_hash != old_hash and reset.session_epoch == old_epoch + 1
        assert accounts.authenticate(db.session, "a@example.org", PASSWORD) is None


def test_an_absurdly_long_address_is_checked_against_the_dummy_hash(bare_app, monkeypatch):
    checked = []
    monkeypatch.setattr(accounts, "check_password_hash", lambda h, p: checked.append(h) or False)
    with bare_app.app_context():
        assert accounts.authenticate(db.session, "x" * 5000, PASSWORD) is None
    assert checked == [accounts._dummy_hash()]
