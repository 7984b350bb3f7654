"""Admin login rate limits that an attacker cannot turn into a lockout of the real admin.

Three limits (each `LOGIN_RATE_LIMIT`), after OWASP's "Slow down online guessing attacks with
device cookies":

- per client address: every attempt counts (it also bounds the password-hash work one address
  can cause);
- per account: failures count, from wherever they come, against distributed guessing;
- per device: a browser that logged in to an account before holds a signed device cookie for it
  (account id and a random nonce, HMAC with SECRET_KEY). With it, that browser is limited only
  by its own failures, so guesses from elsewhere cannot lock it out; without it, the two limits
  above apply.

The start of every lockout is written to the audit log once per limit window.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from flask import Response, current_app, g, request
from flask_limiter import RequestLimit
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, URLSafeTimedSerializer

from recommender.extensions import db, limiter
from recommender.services import accounts

DEVICE_COOKIE = "memmatch_device"
DEVICE_DAYS = 90
_SALT = "memmatch.admin-device"
_MISSING = object()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _submitted_email() -> str:
    return accounts.normalize_email(request.form.get("email", ""))[:320]


def account_key() -> str:
    """The per-account key; hashed so that limiter storage (Redis) never holds typed addresses."""
    return "admin-account:" + hashlib.sha256(_submitted_email().encode()).hexdigest()[:32]


def device_nonce() -> str | None:
    """The nonce of a valid device cookie for the account being logged in to, else None."""
    cached = g.get("login_device", _MISSING)
    if cached is not _MISSING:
        return cached  # type: ignore[return-value]
    nonce = None
    raw = request.cookies.get(DEVICE_COOKIE, "")
    if raw and len(raw) <= 512:
        try:
            data = _serializer().loads(raw, max_age=DEVICE_DAYS * 86400)
        except BadSignature:  # also covers an expired cookie
            data = None
        if isinstance(data, dict) and isinstance(data.get("a"), int) and isinstance(data.get("n"), str):
            user = accounts.find_admin(db.session, _submitted_email())
            if user is not None and user.id == data["a"]:
                nonce = data["n"]
    g.login_device = nonce
    return nonce


def device_key() -> str:
    """The per-device key (the nonce, so one browser's failures never count for another)."""
    return "admin-device:" + (device_nonce() or "")


def has_device() -> bool:
    """A known browser: exempt from the per-client and per-account limits."""
    return device_nonce() is not None


def no_device() -> bool:
    """An unknown browser: the per-device limit does not apply."""
    return device_nonce() is None


def login_failed(_response: Response) -> bool:
    """Only failed attempts count against an account or a device."""
    return bool(g.get("login_failed"))


def remember_device(response: Response, user_id: int) -> Response:
    """After a successful login: a fresh device cookie for this account."""
    value = _serializer().dumps({"a": user_id, "n": secrets.token_urlsafe(16)})
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=DEVICE_DAYS * 86400,
        path="/admin/login",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Strict",
    )
    return response


def _lockout(scope: str):
    def on_breach(limit: RequestLimit) -> None:
        # Once per window of the limit that was reached, not once per refused request: a locked
        # out attacker who keeps trying must not fill the audit log.
        item = limit.limit
        once = type(item)(1, item.multiples, namespace="LOCKOUT")
        if limiter.limiter.hit(once, limit.key):
            accounts.record_lockout(
                db.session, scope=scope, target=target_of(scope), ip=get_remote_address() or "", limit=str(item)
            )

    return on_breach


def target_of(what: str) -> str:
    """What a lockout is about, as the audit log shows it."""
    if what == "client":
        return get_remote_address() or ""
    if what == "device":
        return f"{_submitted_email()} (a known device)"
    return _submitted_email()


def limits(limit: Any, error_message: str) -> list[Any]:
    """The three decorators for the login view, outermost first."""
    common = {"methods": ["POST"], "error_message": error_message}
    return [
        limiter.limit(
            limit, key_func=get_remote_address, exempt_when=has_device, on_breach=_lockout("client"), **common
        ),
        limiter.limit(
            limit,
            key_func=account_key,
            deduct_when=login_failed,
            exempt_when=has_device,
            on_breach=_lockout("account"),
            **common,
        ),
        limiter.limit(
            limit,
            key_func=device_key,
            deduct_when=login_failed,
            exempt_when=no_device,
            on_breach=_lockout("device"),
            **common,
        ),
    ]


def guarded(limit: Any, error_message: str):
    """Decorate the login view with the three limits."""

    def decorate(view):
        for decorator in reversed(limits(limit, error_message)):
            view = decorator(view)
        return view

    return decorate
