"""The admin blueprint and what every admin route shares: the login requirement and no caching.

Every route but the login page requires an admin session: browsers are sent to log in (with a
local-only `next`), JSON clients get 401. Sessions are signed cookies renewed at login and carry
their login time and the account's session epoch, so they expire and logging out ends them.
"""

from __future__ import annotations

import re
import time
from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, flash, g, jsonify, redirect, request, session, url_for

from recommender.extensions import db
from recommender.orm import AdminUser
from recommender.web import errors
from recommender.web.security import safe_next

bp = Blueprint("admin", __name__, url_prefix="/admin")

PUBLIC_ENDPOINTS = frozenset({"admin.login"})
# Database ids in URLs: the converter refuses anything a 32-bit integer column cannot hold, so a
# huge id is a 404 rather than an overflow inside SQLite or PostgreSQL.
ID = "int(min=1, max=2147483647)"
VERSION_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")


def current_admin() -> AdminUser | None:
    """The admin of this request's session, if it is valid, unexpired and not logged out."""
    data = session.get("admin")
    if not isinstance(data, dict):
        return None
    try:
        user_id, epoch, at = int(data["id"]), int(data["epoch"]), int(data["at"])
    except (KeyError, TypeError, ValueError):
        return None
    age = time.time() - at
    if age < -60 or age > current_app.config["ADMIN_SESSION_MINUTES"] * 60:
        g.admin_session_expired = True
        return None
    user = db.session.get(AdminUser, user_id)
    if user is None or user.session_epoch != epoch:
        return None
    return user


@bp.before_request
def require_login() -> Response | None:
    """Refuse anonymous requests before any admin view runs."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    user = current_admin()
    if user is not None:
        g.admin = user
        return None
    if g.get("admin_session_expired"):
        session.pop("admin", None)
    if errors.wants_json():
        return errors.error_response(401)
    if request.path.endswith(".json"):  # a script polling a status endpoint, whatever it accepts
        refusal = jsonify({"errors": {"_body": [errors.MESSAGES[401]]}})
        refusal.status_code = 401
        return refusal
    if g.get("admin_session_expired"):
        flash("Your admin session expired. Please log in again.", "info")
    # Only a page can be returned to; a POST (an action) is not repeated after logging in.
    query = request.query_string.decode("utf-8", "replace")
    back = request.path + (f"?{query}" if query else "") if request.method in ("GET", "HEAD") else None
    return redirect(url_for("admin.login", next=safe_next(back)))


@bp.after_request
def no_store(response: Response) -> Response:
    """Admin pages hold private data and one-time tokens: never cached."""
    response.headers["Cache-Control"] = "no-store"
    return response


def actor() -> str:
    """Who is acting: the logged-in admin's e-mail address."""
    return g.admin.email


def checked_version_id(version_id: str) -> str:
    """A version id from a URL, or 404 when it cannot be one (NUL bytes, 10,000 characters)."""
    if not VERSION_ID.fullmatch(version_id):
        abort(404)
    return version_id


def page_number(raw: str | None, *, last: int = 10**6) -> int:
    """A `?page=` value: ASCII digits, 1 to `last`; anything else is a 404, never an overflow."""
    if raw is None or raw == "":
        return 1
    if not re.fullmatch(r"[0-9]{1,7}", raw) or not 1 <= int(raw) <= last:
        abort(404)
    return int(raw)


def attachment(filename: str) -> str:
    """A Content-Disposition for a download, per RFC 6266: an ASCII `filename` for old clients
    and, when the name is not plain ASCII, the exact name as UTF-8 in `filename*` (RFC 5987)."""
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in filename) or "download"
    if fallback == filename:
        return f'attachment; filename="{filename}"'
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
