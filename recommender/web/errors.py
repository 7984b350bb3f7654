"""One error handler for every code: JSON for API clients, a friendly page for browsers."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from redis.exceptions import RedisError
from sqlalchemy.exc import (
    DatabaseError,
    DataError,
    IntegrityError,
    InterfaceError,
    NotSupportedError,
    PendingRollbackError,
    ProgrammingError,
)
from werkzeug.exceptions import BadHost, Gone, HTTPException, InternalServerError, SecurityError, ServiceUnavailable

from recommender.dbfaults import fault_kind
from recommender.extensions import db
from recommender.services.registry import NoActiveModel, VersionUnavailable, VersionWithdrawn

log = logging.getLogger(__name__)
HANDLED = (400, 401, 403, 404, 405, 408, 410, 413, 415, 429, 500, 503)
# Database errors that are a bug or bad input reaching the database, not an outage: 500 as any bug.
NOT_AN_OUTAGE = (IntegrityError, ProgrammingError, DataError, NotSupportedError)
BROKEN_VERSION = (
    "These results were made by a model version whose stored data failed its integrity check, so they "
    "cannot be shown right now. The problem is logged for the people who run this site."
)
BROKEN_VERSION_HINT = "The quiz and other result links keep working: take the quiz again for fresh results."
WITHDRAWN_VERSION = (
    "These results were made by a model version that was withdrawn before it was ever used for anyone's "
    "results, so this link has nothing to show."
)
WITHDRAWN_VERSION_HINT = "Take the quiz again for results from the current model."
MESSAGES = {
    400: "The request could not be understood.",
    401: "Please log in.",
    403: "You may not do that.",
    404: "There is nothing at this address.",
    405: "That method is not allowed here.",
    408: "The request body arrived too slowly, so it was not read. Please send it again.",
    410: "This address has been withdrawn.",
    413: "The request body is too large.",
    415: "Send the body as JSON (Content-Type: application/json).",
    429: "Too many attempts. Please wait a little and try again.",
    500: "Something went wrong on our side.",
    503: "MEM Match is briefly unavailable. Please try again in a moment.",
}


def wants_json() -> bool:
    """API paths and clients that prefer JSON get JSON errors."""
    if request.path.startswith(("/api/", "/healthz", "/readyz")):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_response(code: int, message: str | None = None, field: str = "_body", hint: str = "") -> Response:
    """Render an error for this request: `{"errors": {field: [message]}}` or an HTML page.

    `hint` is a page's second sentence (what to do next) in place of the code's usual one.
    """
    message = message or MESSAGES.get(code, "Error.")
    if wants_json():
        response = jsonify({"errors": {field: [message]}})
    else:
        response = Response(render_template("errors/error.html", code=code, message=message, hint=hint))
    response.status_code = code
    return response


def _http_error(error: HTTPException) -> Response:
    code = error.code or 500
    # A description passed to abort() is ours and safe to show; werkzeug's defaults are replaced.
    custom = error.description if error.description != type(error).description else None
    response = error_response(code, custom or MESSAGES.get(code))
    if code == 503:
        response.headers["Retry-After"] = "5"
    for header in ("Retry-After", "WWW-Authenticate", "Allow"):
        if error.get_response().headers.get(header) and header not in response.headers:
            response.headers[header] = error.get_response().headers[header]
    return response


UNTRUSTED_HOST = "This site does not answer to that host name."


def _untrusted_host(error: SecurityError | BadHost) -> Response:
    # Raised before routing (Host not in TRUSTED_HOSTS, or one IDNA cannot encode, such as a label
    # over 63 characters): no URL can be built, so no page template (its url_for would fail and
    # leave gunicorn's bare 500); and the host the client named is not repeated back.
    if wants_json():
        response = jsonify({"errors": {"_body": [UNTRUSTED_HOST]}})
    else:
        response = Response(UNTRUSTED_HOST + "\n", mimetype="text/plain")
    response.status_code = 400
    return response


def _database_down(error: Exception) -> Response:
    # Roll back so the session is usable again; a poisoned connection was already dropped from the
    # pool (recommender.dbfaults), and rolling back a dead one must not turn the 503 into a 500.
    try:
        db.session.rollback()
    except Exception:  # the answer is a 503 whatever the rollback says
        log.warning("rollback after a database error failed", exc_info=True)
    log.error("database unavailable", extra={"event": "database_unavailable",
              "detail": {"kind": fault_kind(error) or type(error).__name__, "error": str(error)[:200]}})  # fmt: skip
    return _http_error(ServiceUnavailable())


def _database_error(error: DatabaseError) -> Response:
    # Read-only, corrupt, disk I/O, a standby: every page, API and admin route answers a 503.
    return _unexpected(error) if isinstance(error, NOT_AN_OUTAGE) else _database_down(error)


def _version_unavailable(error: VersionUnavailable) -> Response:
    # A version row is never rewritten, so this lasts until an operator restores the database copy:
    # retry after the registry's memory of the failure (BROKEN_TTL_SECONDS) has run out.
    response = error_response(503, BROKEN_VERSION, hint=BROKEN_VERSION_HINT)
    response.headers["Retry-After"] = "60"
    return response


def _version_withdrawn(error: VersionWithdrawn) -> Response:
    return error_response(Gone.code, WITHDRAWN_VERSION, hint=WITHDRAWN_VERSION_HINT)


def _store_down(error: Exception) -> Response:
    # The rate-limit store (Redis) is away: refuse rather than let logins through unlimited.
    log.error("rate-limit storage unavailable", extra={"event": "ratelimit_storage_unavailable",
              "detail": {"error": str(error)[:200]}})  # fmt: skip
    return _http_error(ServiceUnavailable())


def _no_model(error: Exception) -> Response:
    return _http_error(ServiceUnavailable("No recommendation model is loaded yet; please retry shortly."))


def _unexpected(error: Exception) -> Response:
    db.session.rollback()
    log.exception("unhandled error", extra={"event": "server_error"})
    return _http_error(InternalServerError())


def init_app(app: Flask) -> None:
    """Register the handlers."""
    for code in HANDLED:
        app.register_error_handler(code, _http_error)
    app.register_error_handler(SecurityError, _untrusted_host)
    app.register_error_handler(BadHost, _untrusted_host)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DatabaseError, _database_error)  # OperationalError and the rest
    app.register_error_handler(InterfaceError, _database_down)
    app.register_error_handler(PendingRollbackError, _database_down)
    app.register_error_handler(VersionUnavailable, _version_unavailable)
    app.register_error_handler(VersionWithdrawn, _version_withdrawn)
    app.register_error_handler(NoActiveModel, _no_model)
    app.register_error_handler(RedisError, _store_down)
    app.register_error_handler(Exception, _unexpected)
