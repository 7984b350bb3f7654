"""The programs file: the contract's columns, one validated `Program` per row."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recommender.domain import quiz
from recommender.domain.catalog import sources
from recommender.domain.catalog.csvfile import (
    DATA_DIR,
    YES_NO,
    CatalogError,
    RowError,
    RowReader,
    read_rows,
    split_cell,
)
from recommender.domain.catalog.sources import SourceKind
from recommender.domain.catalog.specializations import SPECIALIZATION_IDS

PROGRAM_COLUMNS: tuple[str, ...] = (
    "id",
    "university",
    "program",
    "degree",
    "city",
    "state_or_region",
    "country",
    "domains",
    "region",
    "formats",
    "paces",
    "duration_months",
    "credits",
    "tuition_usd",
    "tuition_year",
    "specializations",
    "concentrations",
    "core_courses",
    "description",
    "stem_designated",
    "gre_required",
    "url",
    "source",
    "tuition_source",
    "last_verified",
)
PROGRAM_REQUIRED: frozenset[str] = frozenset({"id", "university", "program", "country", "domains", "region", "source"})
PROGRAM_FORMATS: tuple[str, ...] = ("on_campus", "online", "hybrid")
PROGRAM_PACES: tuple[str, ...] = ("accelerated", "full_time", "part_time")
PROGRAM_REGIONS: tuple[str, ...] = tuple(r for r in quiz.REGIONS if r != quiz.ANY)
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
ACCELERATED_MAX_MONTHS = 12
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_ID_CHARS = 64  # what a feedback vote can name (`Feedback.item_id`)
TUITION_YEAR = re.compile(r"^([0-9]{4})(?:-([0-9]{2}|[0-9]{4}))?$")


@dataclass(frozen=True, slots=True)
class Program:
    """One real program, as the programs file states it; unknown facts are None or empty."""

    id: str
    university: str
    program: str
    country: str
    region: str
    sources: tuple[str, ...]
    domains: tuple[str, ...] = ()
    degree: str = ""
    city: str = ""
    state_or_region: str = ""
    formats: tuple[str, ...] = ()
    paces: tuple[str, ...] = ()
    duration_months: int | None = None
    credits: str = ""
    tuition_usd: int | None = None
    tuition_year: str = ""
    specializations: tuple[str, ...] = ()
    concentrations: tuple[str, ...] = ()
    core_courses: tuple[str, ...] = ()
    description: str = ""
    stem_designated: str = ""
    gre_required: str = ""
    url: str = ""
    tuition_source: str = ""
    last_verified: str = ""

    def source_kind(self, url: str) -> SourceKind:
        """`official` when the address is on the institution's own domains, else `third-party`."""
        return sources.source_kind(url, self.domains)

    def source_list(self) -> list[dict[str, str]]:
        """Every source with its kind and host, official ones first (stable), for the API and pages."""
        listed = [{"url": u, "kind": self.source_kind(u), "host": sources.host_of(u)} for u in self.sources]
        return sorted(listed, key=lambda s: s["kind"] != "official")

    @property
    def tuition_source_kind(self) -> SourceKind | None:
        """Where the tuition figure comes from: its own source, else what every source of the row is.

        A row whose sources are all third-party (or all official) can only have taken its tuition
        from one of those; with mixed sources and no `tuition_source` it is not known (None).
        """
        if self.tuition_usd is None:
            return None
        if self.tuition_source:
            return self.source_kind(self.tuition_source)
        kinds = {self.source_kind(u) for u in self.sources}
        return kinds.pop() if len(kinds) == 1 else None

    def tuition_age(self, today: dt.date | None = None) -> int | None:
        """Academic years since the tuition's year, or None when there is no dated tuition."""
        return sources.years_old(self.tuition_year, today) if self.tuition_usd is not None else None

    def tuition_stale(self, today: dt.date | None = None) -> bool:
        """True when the tuition was stated more than three academic years ago."""
        age = self.tuition_age(today)
        return age is not None and age > sources.STALE_AFTER_YEARS

    def newest_fact_age(self, today: dt.date | None = None) -> int | None:
        """Academic years since the newest dated fact (tuition year, last verified), None if undated."""
        ages = [sources.years_old(v, today) for v in (self.tuition_year, self.last_verified) if v]
        known = [a for a in ages if a is not None]
        return min(known) if known else None

    @property
    def offers_accelerated(self) -> bool:
        """Accelerated means a full-time program of 12 months or less (the contract)."""
        if "accelerated" in self.paces:
            return True
        return (
            "full_time" in self.paces
            and self.duration_months is not None
            and self.duration_months <= ACCELERATED_MAX_MONTHS
        )

    def text(self) -> str:
        """The program's own words, the text the model reads."""
        return " ".join([self.program, *self.concentrations, *self.core_courses, self.description])

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view for the catalogue API."""
        return {
            "id": self.id,
            "university": self.university,
            "program": self.program,
            "degree": self.degree or None,
            "city": self.city or None,
            "state_or_region": self.state_or_region or None,
            "country": self.country,
            "region": self.region,
            "formats": list(self.formats),
            "paces": list(self.paces),
            "duration_months": self.duration_months,
            "credits": self.credits or None,
            "tuition_usd": self.tuition_usd,
            "tuition_year": self.tuition_year or None,
            "specializations": list(self.specializations),
            "concentrations": list(self.concentrations),
            "core_courses": list(self.core_courses),
            "description": self.description or None,
            "stem_designated": self.stem_designated or None,
            "gre_required": self.gre_required or None,
            "domains": list(self.domains),
            "url": self.url or None,
            "sources": self.source_list(),
            "tuition_source": self.tuition_source or None,
            "tuition_source_kind": self.tuition_source_kind,
            "last_verified": self.last_verified or None,
        }


@dataclass(frozen=True, slots=True)
class ProgramsFile:
    """A validated programs file: its programs in file order and the sha256 of its bytes."""

    programs: tuple[Program, ...]
    sha256: str
    raw: bytes = field(repr=False)


def parse_programs(raw: bytes, *, source: str = "programs file") -> ProgramsFile:
    """Validate a programs file (the contract's format) and return its programs.

    Raises `CatalogError` listing every bad row, column and reason; nothing is partly accepted.
    """
    rows = read_rows(
        raw,
        columns=PROGRAM_COLUMNS,
        required_columns=PROGRAM_REQUIRED,
        source=source,
        max_bytes=MAX_FILE_BYTES,
        max_rows=MAX_ROWS,
    )
    errors: list[RowError] = []
    programs: list[Program] = []
    first_line: dict[str, int] = {}
    for line, cells in rows:
        row = RowReader(line, cells, errors)
        program_id = row.text("id", required=True)
        if program_id and not SLUG.match(program_id):
            row.fail("id", f"{program_id[:40]!r} must be a slug of a-z, 0-9 and single hyphens")
        elif len(program_id) > MAX_ID_CHARS:
            # Feedback, submissions' shown ids and the audit log name a program by its id.
            row.fail("id", f"is {len(program_id):,} characters; an id has at most {MAX_ID_CHARS} characters")
        elif program_id in first_line:
            row.fail("id", f"{program_id!r} already used on row {first_line[program_id]}")
        else:
            first_line[program_id] = line
        paces = row.choices("paces", PROGRAM_PACES)
        duration = row.integer("duration_months", 1, 120)
        if "accelerated" in paces and duration is not None and duration > ACCELERATED_MAX_MONTHS:
            row.fail(
                "paces", f"accelerated means {ACCELERATED_MAX_MONTHS} months or less, but duration_months is {duration}"
            )
        tuition = row.integer("tuition_usd", 0, 1_000_000)
        tuition_year = row.text("tuition_year")
        if tuition_year and not _valid_tuition_year(tuition_year):
            row.fail("tuition_year", f"{tuition_year[:20]!r} is not a year like 2025 or 2025-26")
        elif tuition_year and tuition is None:
            row.fail("tuition_year", "is given but tuition_usd is empty")
        last_verified = row.text("last_verified")
        if last_verified and not _valid_date(last_verified):
            row.fail("last_verified", f"{last_verified[:20]!r} is not a past date YYYY-MM-DD")
        domains = _domains(row)
        url = (row.urls("url", https_only=True) or ("",))[0]
        if url and domains and not sources.on_domains(url, domains):
            row.fail("url", f"{sources.host_of(url)!r} is not on the program's domains; put it in source instead")
        source_urls = row.urls("source", https_only=False, required=True)
        tuition_source = (row.urls("tuition_source", https_only=False) or ("",))[0]
        if tuition_source and tuition_source not in source_urls:
            row.fail("tuition_source", "must be one of the row's source addresses")
        elif tuition_source and tuition is None:
            row.fail("tuition_source", "is given but tuition_usd is empty")
        programs.append(
            Program(
                id=program_id,
                university=row.text("university", required=True),
                program=row.text("program", required=True),
                degree=row.text("degree"),
                city=row.text("city"),
                state_or_region=row.text("state_or_region"),
                country=row.text("country", required=True),
                region=row.choice("region", PROGRAM_REGIONS, required=True),
                formats=row.choices("formats", PROGRAM_FORMATS),
                paces=paces,
                duration_months=duration,
                credits=row.text("credits"),
                tuition_usd=tuition,
                tuition_year=tuition_year,
                specializations=row.choices("specializations", SPECIALIZATION_IDS),
                concentrations=row.items("concentrations"),
                core_courses=row.items("core_courses"),
                description=row.text("description"),
                stem_designated=row.choice("stem_designated", YES_NO),
                gre_required=row.choice("gre_required", YES_NO),
                domains=domains,
                url=url,
                sources=source_urls,
                tuition_source=tuition_source,
                last_verified=last_verified,
            )
        )
        for column in ("url", "tuition_source"):
            if len(split_cell(cells.get(column, ""))) > 1:
                row.fail(column, "holds one address, not a list")
    if not rows:
        errors.append(RowError(0, "", "the file has a header but no programs"))
    if errors:
        raise CatalogError(errors, source)
    return ProgramsFile(tuple(programs), hashlib.sha256(raw).hexdigest(), raw)


def _domains(row: RowReader) -> tuple[str, ...]:
    """The `domains` cell: bare lower-case host names such as `duke.edu`, each listed once."""
    values = row.items("domains", required=True)
    bad = [v for v in values if not sources.DOMAIN.match(v)]
    if bad:
        row.fail("domains", f"{', '.join(repr(b[:40]) for b in bad)} not a bare domain name like duke.edu")
    if len(set(values)) != len(values):
        row.fail("domains", "lists a domain more than once")
    return tuple(v for v in values if sources.DOMAIN.match(v))


def _valid_tuition_year(value: str) -> bool:
    match = TUITION_YEAR.match(value)
    return bool(match) and 1990 <= int(match.group(1)) <= dt.date.today().year + 1


def _valid_date(value: str) -> bool:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return False
    return re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value) is not None and day <= dt.date.today()


def load_programs(path: Path | None = None) -> ProgramsFile:
    """Read and validate a programs file from disk (default: the bundled catalogue)."""
    path = path or DATA_DIR / "programs.csv"
    return parse_programs(path.read_bytes(), source=str(path.name))


# Columns whose coverage is tracked (filled share per column); identity columns are always filled.
COVERAGE_COLUMNS: tuple[str, ...] = tuple(c for c in PROGRAM_COLUMNS if c not in PROGRAM_REQUIRED)


def coverage(programs: tuple[Program, ...]) -> dict[str, float]:
    """The share of programs with each optional column filled, plus `programs`: how many there are."""
    attributes = {"source": "sources", "specializations": "specializations"}
    shares: dict[str, float] = {"programs": float(len(programs))}
    for column in COVERAGE_COLUMNS:
        name = attributes.get(column, column)
        filled = sum(1 for p in programs if getattr(p, name) not in (None, "", ()))
        shares[column] = round(filled / len(programs), 4) if programs else 0.0
    return shares
