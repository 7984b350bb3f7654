"""Where a program's facts come from, and how old they are.

A source on one of the institution's own domains (or a subdomain) is official; any other host is
third-party and is shown as such. Ages count academic years, the unit tuition is stated in.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal
from urllib.parse import urlsplit

SourceKind = Literal["official", "third-party"]
DOMAIN = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
YEAR_START = re.compile(r"^([0-9]{4})")
# A tuition stated for an academic year more than this many years before the current one may have
# changed since; the product flags it rather than hide it.
STALE_AFTER_YEARS = 3


def host_of(url: str) -> str:
    """The lower-case host of an address, without a leading `www.`; '' when it has none."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
    return host.removeprefix("www.")


def on_domains(url: str, domains: tuple[str, ...]) -> bool:
    """True when the address's host is one of `domains` or a subdomain of one."""
    host = host_of(url)
    return bool(host) and any(host == d or host.endswith("." + d) for d in domains)


def source_kind(url: str, domains: tuple[str, ...]) -> SourceKind:
    """`official` for an address on the institution's own domains, else `third-party`."""
    return "official" if on_domains(url, domains) else "third-party"


def academic_year(today: dt.date | None = None) -> int:
    """The starting calendar year of the current academic year (it starts in August)."""
    today = today or dt.date.today()
    return today.year if today.month >= 8 else today.year - 1


def year_of(value: str) -> int | None:
    """The starting year of a `2025`, `2025-26` or `YYYY-MM-DD` value, or None when undated."""
    match = YEAR_START.match(value or "")
    return int(match.group(1)) if match else None


def years_old(value: str, today: dt.date | None = None) -> int | None:
    """How many academic years before the current one a dated value is, or None when undated."""
    year = year_of(value)
    return None if year is None else max(0, academic_year(today) - year)
