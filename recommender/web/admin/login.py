"""Admin login and logout: rate-limited per client and per account, a fresh session each time."""

from __future__ import annotations

import secrets
import time

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address

from recommender.extensions import db
from recommender.orm import AdminUser
from recommender.services import accounts
from recommender.web import login_guard
from recommender.web.admin.blueprint import bp, current_admin, safe_next
from recommender.web.admin.forms import LoginForm

LOGIN_FAILED = "That e-mail and password do not match an admin account."
TOO_MANY_LOGINS = "Too many login attempts. Please wait a few minutes and try again."


def _start_session(user: AdminUser) -> None:
    # A fresh session at login: whatever the browser brought (a planted cookie) is dropped whole.
    session.clear()
    session["admin"] = {
        "id": user.id,
        "epoch": user.session_epoch,
        "at": int(time.time()),
        "sid": secrets.token_urlsafe(16),
    }


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
# Per client, per account, and per known device (see login_guard).
@login_guard.guarded(_login_limit, TOO_MANY_LOGINS)
def login():
    """The login form; failures answer the same whether or not the account exists."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
        if current_admin() is not None:
            return redirect(safe_next(form.next.data) or url_for("admin.dashboard"))
    error = None
    if form.validate_on_submit():
        user = accounts.authenticate(db.session, form.email.data or "", form.password.data or "")
        ip = get_remote_address() or ""
        if user is None:
            g.login_failed = True
            accounts.record_login_failure(db.session, form.email.data or "", ip=ip)
            error = LOGIN_FAILED
        else:
            _start_session(user)
            accounts.record_login(db.session, user, ip=ip)
            return login_guard.remember_device(
                redirect(safe_next(form.next.data) or url_for("admin.dashboard")), user.id
            )
    return render_template("admin/login.html", form=form, error=error)


@bp.post("/logout")
def logout():
    """End this admin's sessions (POST only, with a CSRF token)."""
    accounts.end_sessions(db.session, g.admin)
    session.clear()
    flash("You have logged out.", "info")
    return redirect(url_for("admin.login"))
