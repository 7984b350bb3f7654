"""Admin accounts: creation from the CLI, password checks, and session epochs. Each use case commits once."""

from __future__ import annotations

import functools
import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from recommender.orm import AdminUser, utcnow
from recommender.services.versions import audit

MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 1024
# Deliberately loose: an address the admin can type, not a full RFC 5322 parser.
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


class AccountError(ValueError):
    """An account operation that cannot be done, with a message fit to show the person asking."""


def normalize_email(email: str) -> str:
    """The form every address is stored and looked up in: trimmed and lower-case."""
    return email.strip().lower()


def hash_password(password: str) -> str:
    """A werkzeug scrypt hash (salted; the parameters travel inside the hash)."""
    return generate_password_hash(password, method="scrypt")


@functools.cache
def _dummy_hash() -> str:
    # Computed on first use, not at import: checked against when the account does not exist, so
    # that a wrong address costs as much time as a wrong password.
    return hash_password(secrets.token_urlsafe(32))


def check_password_strength(password: str) -> None:
    """Refuse passwords that are too short (or absurdly long) to be worth hashing."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_CHARS} characters")
    if len(password) > MAX_PASSWORD_CHARS:
        raise AccountError(f"the password may have at most {MAX_PASSWORD_CHARS} characters")


def find_admin(session: Session, email: str) -> AdminUser | None:
    """The account for an address, if there is one."""
    return session.scalars(select(AdminUser).where(AdminUser.email == normalize_email(email))).first()


def create_admin(session: Session, *, email: str, password: str, actor: str, reset: bool = False) -> AdminUser:
    """Create an admin, or with `reset` give an existing one a new password (ending its sessions)."""
    address = normalize_email(email)
    if len(address) > 255 or not EMAIL.match(address):
        raise AccountError(f"{email!r} is not an e-mail address")
    check_password_strength(password)
    user = find_admin(session, address)
    if user is not None and not reset:
        raise AccountError(f"an admin {address} already exists; use --reset to give it a new password")
    if user is None and reset:
        raise AccountError(f"there is no admin {address} to reset")
    if user is None:
        user = AdminUser(email=address, password_hash=hash_password(password), session_epoch=0)
        session.add(user)
        audit(session, actor=actor, action="create_admin", target=address)
    else:
        user.password_hash = hash_password(password)
        user.session_epoch += 1
        audit(session, actor=actor, action="reset_password", target=address)
    session.commit()
    return user


def authenticate(session: Session, email: str, password: str) -> AdminUser | None:
    """The admin these credentials belong to, or None; the work done is the same either way."""
    user = find_admin(session, email) if len(email) <= 320 else None
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def record_login(session: Session, user: AdminUser, *, ip: str) -> None:
    """Note a successful login in the account and the audit log."""
    user.last_login_at = utcnow()
    audit(session, actor=user.email, action="login", target=user.email, ip=ip)
    session.commit()


def record_login_failure(session: Session, email: str, *, ip: str) -> None:
    """Note a failed login; the submitted address is kept (trimmed) so attacks can be seen."""
    address = normalize_email(email)[:255]
    audit(session, actor=address or "(blank)", action="login_failed", target=address, ip=ip)
    session.commit()


def record_lockout(session: Session, *, scope: str, target: str, ip: str, limit: str) -> None:
    """Note that logins were refused for a while: per `scope` (client, account or device)."""
    audit(session, actor="(rate limit)", action="login_locked", target=target[:255], ip=ip, scope=scope, limit=limit)
    session.commit()


def end_sessions(session: Session, user: AdminUser) -> None:
    """Log out: every session of this account made so far stops working."""
    user.session_epoch += 1
    audit(session, actor=user.email, action="logout", target=user.email)
    session.commit()
