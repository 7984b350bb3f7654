"""Rules for data/build_programs.py: which research `url` is the program's own page, and which is a source.

`url` is the program's own page on its institution's domains. A FAQ, catalogue or bulletin entry,
news item, blog post, ranking, tuition page or document mirror is a *source* of facts, never the
program page; so is an http:// address or one off the program's domains. The rules are by kind,
and data/NOTES.md gives the count per kind for the bundled catalogue.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

# Document mirrors re-host copies of PDFs; none is any institution's own site.
MIRROR_HOSTS: tuple[str, ...] = (
    "docplayer.net",
    "docslib.org",
    "documents.pub",
    "fdocuments.in",
    "fdocuments.net",
    "fdokumen.com",
    "1library.net",
    "paperzz.com",
    "readkong.com",
    "scribd.com",
    "studylib.net",
    "vdocuments.us",
    "yumpu.com",
    "5y1.org",
)
# Page kinds that are sources, matched on host and path (lower case), checked in this order.
# Catalogue covers course catalogues, bulletins, handbooks, calendars and study regulations.
KIND_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("FAQ", re.compile(r"faq|frequently-asked")),
    (
        "catalogue",
        re.compile(
            r"^(catalog|bulletins?|courses|handbook|calendar|prog-crs|studieordninger|educationguide)\."
            r"|smartcatalogiq|preview_program|/catalog(ue)?/|/bulletin/|/kurser/|/programme-information/|/progreg/"
        ),
    ),
    ("news", re.compile(r"^news\.|/news/")),
    ("blog", re.compile(r"blog")),
    ("ranking", re.compile(r"rank")),
    ("tuition", re.compile(r"tuition|cost-aid")),
)
TRACKING_PARAMS = re.compile(r"^(_gl|utm_\w+)$")


def host_and_path(url: str) -> tuple[str, str]:
    """The lower-case host (no leading www.) and path-with-query of an address."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    return host, (parts.path + ("?" + parts.query if parts.query else "")).lower()


def on_domains(url: str, domains: tuple[str, ...]) -> bool:
    """True when the address's host is one of `domains` or a subdomain of one."""
    host, _ = host_and_path(url)
    return bool(host) and any(host == d or host.endswith("." + d) for d in domains)


def not_a_program_page(url: str, domains: tuple[str, ...]) -> str:
    """Why a research url cannot be the program page ('' when it can): its kind, http, or off-domain."""
    host, path = host_and_path(url)
    if any(host == m or host.endswith("." + m) for m in MIRROR_HOSTS):
        return "document mirror"
    for kind, pattern in KIND_PATTERNS:
        if pattern.search(host) or pattern.search(path):
            return kind
    if not url.startswith("https://"):
        return "not https"
    if not on_domains(url, domains):
        return "off the program's domains"
    return ""


def same_address(a: str, b: str) -> bool:
    """True when two addresses name the same page: scheme, www., a trailing / and tracking tags aside."""

    def key(url: str) -> tuple[str, str, str]:
        parts = urlsplit(url.strip())
        query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if not TRACKING_PARAMS.match(k)])
        return (parts.hostname or "").lower().removeprefix("www."), parts.path.rstrip("/"), query

    return key(a) == key(b)
