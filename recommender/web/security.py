"""Security headers on every response, and ProxyFix behind a load balancer."""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import Flask, Response, abort, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

from recommender import logs
from recommender.config import ConfigError

HSTS = "max-age=63072000; includeSubDomains"


def content_security_policy(nonce: str | None = None) -> str:
    """The policy: every script and stylesheet is a file served by the app, never inline.

    A template that truly needs one inline block asks for `csp_nonce()`; only then does that
    response's policy name the nonce. There is no 'unsafe-inline' and no 'unsafe-eval'.
    """
    extra = f" 'nonce-{nonce}'" if nonce else ""
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self'{extra}",
        f"style-src 'self'{extra}",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])  # fmt: skip


CONTENT_SECURITY_POLICY = content_security_policy()


def csp_nonce() -> str:
    """A fresh nonce for this response (templates: `<script nonce="{{ csp_nonce() }}">`)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


# Added to every response that does not set them itself, in this order, after the policy.
ALWAYS: tuple[tuple[str, str], ...] = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"),
)
_ALWAYS_BY_KEY = tuple((name.lower(), name, value) for name, value in ALWAYS)


def _headers(response: Response) -> Response:
    # One pass over the response's headers, then an append for each one it lacks: what
    # `Headers.setdefault` does per header (a search, a miss raised as KeyError, a second search
    # in `set`, a third to return the value) cost ~19 us a response, this ~6. Same headers, same order.
    headers = response.headers
    present = {name.lower() for name, _ in headers}
    if "content-security-policy" not in present:
        nonce = g.get("csp_nonce")
        headers.add("Content-Security-Policy", content_security_policy(nonce) if nonce else CONTENT_SECURITY_POLICY)
    for key, name, value in _ALWAYS_BY_KEY:
        if key not in present:
            headers.add(name, value)
    if request.is_secure and "strict-transport-security" not in present:
        # Only over TLS: a browser ignores HSTS on plain HTTP, and local development stays usable.
        headers.add("Strict-Transport-Security", HSTS)
    return response


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path inside the admin area of this site, else None (no open redirect).

    A `.` or `..` segment (also %-encoded) is refused: a browser resolves `/admin/../results/x` to
    `/results/x`, outside the admin area, though the text starts with `/admin/`.
    """
    if not target or len(target) > 2000 or "\\" in target:
        return None
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    segments = unquote(parts.path).replace("\\", "/").split("/")
    if any(segment in (".", "..") for segment in segments):
        return None
    return target if parts.path == "/admin" or parts.path.startswith("/admin/") else None


def _forms_take_form_data() -> None:
    """The HTML forms accept form encodings only; JSON belongs to the JSON API.

    Flask-WTF reads a JSON body as if it were the posted form, and fails (a 500) on JSON that is
    not an object, such as `0` or `"x"`. Refusing JSON here covers every form, present and future.
    """
    if request.method != "GET" and request.is_json and not request.path.startswith("/api/"):
        abort(415, "This form takes form data (application/x-www-form-urlencoded or multipart/form-data).")


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(entries: list[str]) -> list[Network]:
    """TRUSTED_PROXIES as networks: each an address (`10.0.0.5`) or a range (`10.0.0.0/24`)."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ConfigError(f"TRUSTED_PROXIES: {entry!r} is not an IP address or network") from exc
    return networks


class TrustedProxyFix:
    """ProxyFix for requests whose peer is a listed proxy; anyone else is taken at its socket address.

    With the app's port reachable directly, a client could otherwise send its own
    X-Forwarded-For, a new address each time, and never meet the per-address login limit.
    """

    def __init__(self, app: Callable[..., Any], hops: int, networks: list[Network]):
        self.app, self.networks = app, networks
        self.fixed = ProxyFix(app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)

    def trusted(self, address: str | None) -> bool:
        """Whether a peer address is one of the listed proxies."""
        try:
            peer = ipaddress.ip_address(address or "")
        except ValueError:
            return False
        return any(peer in network for network in self.networks)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if self.trusted(environ.get("REMOTE_ADDR")):
            return self.fixed(environ, start_response)
        return self.app(environ, start_response)


def init_app(app: Flask) -> None:
    """Install the header hook and, when configured, trust N proxy hops for client address and scheme.

    Only X-Forwarded-For and X-Forwarded-Proto are trusted, and only from TRUSTED_PROXIES: the
    address feeds rate limits and logs, the scheme decides HSTS and secure cookies.
    X-Forwarded-Host is not, because many load balancers pass a client's own value through, and
    the Host header is already right (and checked against TRUSTED_HOSTS).
    """
    hops = app.config.get("PROXY_FIX_HOPS", 0)
    networks = trusted_networks(list(app.config.get("TRUSTED_PROXIES") or []))
    if hops and not networks:
        raise ConfigError(
            "PROXY_FIX_HOPS is set but TRUSTED_PROXIES is empty: list the addresses your proxies connect "
            "from (e.g. TRUSTED_PROXIES=127.0.0.1 behind nginx on the same machine, or 10.0.0.0/24)"
        )
    if hops:
        app.wsgi_app = TrustedProxyFix(app.wsgi_app, hops, networks)  # type: ignore[method-assign]
    app.add_template_global(csp_nonce)
    # Before CSRFProtect's check (registered earlier), which would otherwise refuse a JSON body
    # first, and its refusal page builds the form from that JSON (a 500 for `0` or `"x"`). After
    # the request log's timer alone (logs.init_app runs first), so a refused post is timed too.
    hooks = app.before_request_funcs.setdefault(None, [])
    hooks.insert(1 if hooks and hooks[0] is logs.start_request else 0, _forms_take_form_data)
    app.after_request(_headers)
