"""Catalogues: programs (the uploadable file), specializations, roles, certifications, personas.

Every loader validates the whole file and reports every bad row, column and reason at once, so a
refused file can be fixed in one pass.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from recommender.domain import quiz

SPECIALIZATION_IDS: tuple[str, ...] = (
    "project_management",
    "operations_supply_chain",
    "systems_engineering",
    "product_innovation",
    "data_analytics",
    "entrepreneurship",
    "energy_sustainability",
    "construction_management",
)
PROGRAM_COLUMNS: tuple[str, ...] = (
    "id",
    "university",
    "program",
    "degree",
    "city",
    "state_or_region",
    "country",
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
    "last_verified",
)
PROGRAM_REQUIRED: frozenset[str] = frozenset({"id", "university", "program", "country", "region", "source"})
PROGRAM_FORMATS: tuple[str, ...] = ("on_campus", "online", "hybrid")
PROGRAM_PACES: tuple[str, ...] = ("accelerated", "full_time", "part_time")
PROGRAM_REGIONS: tuple[str, ...] = tuple(r for r in quiz.REGIONS if r != quiz.ANY)
YES_NO: frozenset[str] = frozenset({"yes", "no", "optional"})
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_CELL_CHARS = 4000
ACCELERATED_MAX_MONTHS = 12
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TUITION_YEAR = re.compile(r"^(\d{4})(?:-(\d{2}|\d{4}))?$")
# Cells a spreadsheet would evaluate as a formula (CSV injection); refused on upload.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

DATA_DIR = Path(__file__).resolve().parents[2] / "data"


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in a catalogue file: the CSV line (header is line 1), the column, and why."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.line}" if self.line else "file"
        return f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


class CatalogError(ValueError):
    """A catalogue file refused whole, carrying every `RowError`."""

    def __init__(self, errors: list[RowError], source: str = "file"):
        self.errors = errors
        self.source = source
        shown = "\n".join(f"  {e}" for e in errors[:50])
        more = f"\n  ... and {len(errors) - 50} more" if len(errors) > 50 else ""
        super().__init__(f"{source} refused: {len(errors)} problem(s)\n{shown}{more}")


@dataclass(frozen=True, slots=True)
class Program:
    """One real program, as the programs file states it; unknown facts are None or empty."""

    id: str
    university: str
    program: str
    country: str
    region: str
    sources: tuple[str, ...]
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
    last_verified: str = ""

    @property
    def link(self) -> str:
        """The program's own page, or its first source when the page is not known."""
        return self.url or self.sources[0]

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
            "url": self.link,
            "sources": list(self.sources),
            "last_verified": self.last_verified or None,
        }


@dataclass(frozen=True, slots=True)
class ProgramsFile:
    """A validated programs file: its programs in file order and the sha256 of its bytes."""

    programs: tuple[Program, ...]
    sha256: str
    raw: bytes = field(repr=False)


# ----------------------------------------------------------------------------- CSV helpers


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(";") if part.strip())


def _decode(raw: bytes, source: str) -> str:
    try:
        # utf-8-sig accepts and drops a BOM, as the contract allows.
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CatalogError([RowError(0, "", f"not UTF-8 text (byte {exc.start} is invalid)")], source) from exc


def read_rows(
    raw: bytes,
    *,
    columns: tuple[str, ...],
    required_columns: Iterable[str] | None = None,
    source: str = "file",
    max_bytes: int | None = None,
    max_rows: int | None = None,
) -> list[tuple[int, dict[str, str]]]:
    """Parse CSV bytes into (line number, row) pairs, refusing a bad header or shape whole."""
    if max_bytes is not None and len(raw) > max_bytes:
        raise CatalogError([RowError(0, "", f"file is {len(raw):,} bytes; the limit is {max_bytes:,}")], source)
    text = _decode(raw, source)
    if "\x00" in text:
        raise CatalogError([RowError(0, "", "file contains NUL bytes; not a CSV text file")], source)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise CatalogError([RowError(1, "", f"unreadable CSV header: {exc}")], source) from exc
    if not header or not any(h.strip() for h in header):
        raise CatalogError([RowError(1, "", "the file is empty; a header row is required")], source)
    header = [h.strip() for h in header]
    errors: list[RowError] = []
    required = set(columns if required_columns is None else required_columns)
    extra = [h for h in header if h not in columns]
    missing = [c for c in columns if c in required and c not in header]
    dupes = sorted({h for h in header if header.count(h) > 1})
    errors += [RowError(1, h[:60], "unknown column (extra columns are refused)") for h in extra]
    errors += [RowError(1, c, "required column is missing") for c in missing]
    errors += [RowError(1, c, "column appears more than once") for c in dupes]
    if errors:
        raise CatalogError(errors, source)
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue  # blank lines carry nothing
            if len(record) != len(header):
                errors.append(RowError(line, "", f"has {len(record)} cells; the header has {len(header)}"))
                continue
            rows.append((line, dict(zip(header, record, strict=True))))
            if max_rows is not None and len(rows) > max_rows:
                raise CatalogError(
                    [RowError(line, "", f"more than {max_rows:,} rows; the limit is {max_rows:,}")],
                    source,
                )
    except csv.Error as exc:
        errors.append(RowError(reader.line_num, "", f"unreadable CSV: {exc}"))
    if errors:
        raise CatalogError(errors, source)
    return rows


class _Row:
    """Reads typed cells from one CSV row, collecting every problem instead of stopping."""

    def __init__(self, line: int, cells: dict[str, str], errors: list[RowError]):
        self.line, self.cells, self.errors = line, cells, errors

    def fail(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.line, column, message))

    def text(self, column: str, *, required: bool = False) -> str:
        raw = self.cells.get(column, "")
        value = raw.strip()
        if raw.startswith(FORMULA_START) and not _is_number(value):
            self.fail(column, "starts with a formula character (= + - @ tab); refused for safety")
        elif required and not value:
            self.fail(column, "is required")
        elif len(value) > MAX_CELL_CHARS:
            self.fail(column, f"is {len(value):,} characters; the limit is {MAX_CELL_CHARS:,}")
        elif value.startswith(FORMULA_START) and not _is_number(value):
            self.fail(column, "starts with a formula character (= + - @ tab); refused for safety")
        return value

    def choice(self, column: str, allowed: Iterable[str], *, required: bool = False) -> str:
        value = self.text(column, required=required)
        allowed = tuple(allowed)
        if value and value not in allowed:
            self.fail(column, f"{value[:40]!r} is not one of {', '.join(allowed)}")
            return ""
        return value

    def choices(self, column: str, allowed: Iterable[str]) -> tuple[str, ...]:
        values = _split(self.text(column))
        allowed = tuple(allowed)
        bad = [v for v in values if v not in allowed]
        if bad:
            self.fail(column, f"{', '.join(repr(b[:40]) for b in bad)} not in {', '.join(allowed)}")
        if len(set(values)) != len(values):
            self.fail(column, "lists a value more than once")
        return tuple(v for v in values if v in allowed)

    def integer(self, column: str, low: int, high: int, *, required: bool = False) -> int | None:
        value = self.text(column, required=required)
        if not value:
            return None
        if not re.fullmatch(r"\d+", value):
            self.fail(column, f"{value[:40]!r} is not a whole number")
            return None
        number = int(value)
        if not low <= number <= high:
            self.fail(column, f"{number:,} is outside {low:,} to {high:,}")
            return None
        return number

    def urls(self, column: str, *, https_only: bool, required: bool = False) -> tuple[str, ...]:
        values = _split(self.text(column, required=required))
        good = []
        for value in values:
            if _is_url(value, https_only=https_only):
                good.append(value)
            else:
                scheme = "https://" if https_only else "http:// or https://"
                self.fail(column, f"{value[:60]!r} is not a {scheme} address")
        return tuple(good)


def _is_number(value: str) -> bool:
    return re.fullmatch(r"-?\d+(\.\d+)?", value) is not None


def _is_url(value: str, *, https_only: bool) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    schemes = ("https",) if https_only else ("http", "https")
    return parts.scheme in schemes and bool(parts.netloc) and " " not in value


# ----------------------------------------------------------------------------- programs


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
        row = _Row(line, cells, errors)
        program_id = row.text("id", required=True)
        if program_id and not SLUG.match(program_id):
            row.fail("id", f"{program_id[:40]!r} must be a slug of a-z, 0-9 and single hyphens")
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
                concentrations=_split(row.text("concentrations")),
                core_courses=_split(row.text("core_courses")),
                description=row.text("description"),
                stem_designated=row.choice("stem_designated", YES_NO),
                gre_required=row.choice("gre_required", YES_NO),
                url=(row.urls("url", https_only=True) or ("",))[0],
                sources=row.urls("source", https_only=False, required=True),
                last_verified=last_verified,
            )
        )
        if len(_split(cells.get("url", ""))) > 1:
            row.fail("url", "holds one address, not a list")
    if not rows:
        errors.append(RowError(0, "", "the file has a header but no programs"))
    if errors:
        raise CatalogError(errors, source)
    return ProgramsFile(tuple(programs), hashlib.sha256(raw).hexdigest(), raw)


def _valid_tuition_year(value: str) -> bool:
    match = TUITION_YEAR.match(value)
    return bool(match) and 1990 <= int(match.group(1)) <= dt.date.today().year + 1


def _valid_date(value: str) -> bool:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return False
    return re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is not None and day <= dt.date.today()


def load_programs(path: Path | None = None) -> ProgramsFile:
    """Read and validate a programs file from disk (default: the bundled catalogue)."""
    path = path or DATA_DIR / "programs.csv"
    return parse_programs(path.read_bytes(), source=str(path.name))


# ----------------------------------------------------------------------------- static catalogues


@dataclass(frozen=True, slots=True)
class Specialization:
    """One of the eight specializations, with the quiz answers an adviser links to it."""

    id: str
    name: str
    summary: str
    description: str
    keywords: tuple[str, ...]
    interests: tuple[str, ...]
    goals: tuple[str, ...]
    backgrounds: tuple[str, ...]
    industries: tuple[str, ...]
    roles: tuple[str, ...]
    certifications: tuple[str, ...]
    sources: tuple[str, ...]

    def text(self) -> str:
        """The words the model reads for this specialization."""
        return " ".join([self.name, self.summary, self.description, *self.keywords])

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view for the catalogue API."""
        return {
            "id": self.id,
            "name": self.name,
            "summary": self.summary,
            "description": self.description,
            "keywords": list(self.keywords),
            "roles": list(self.roles),
            "certifications": list(self.certifications),
            "sources": list(self.sources),
        }


@dataclass(frozen=True, slots=True)
class Role:
    """A career role on the seed's ladder, with its occupation data where one exists."""

    id: str
    title: str
    level: str
    ladder_step: int
    specializations: tuple[str, ...]
    soc_code: str
    onet_soc_code: str
    occupation_title: str
    onet_url: str
    bls_url: str
    median_pay_usd: int | None
    pay_year: str
    pay_source: str
    pay_note: str
    description: str
    sources: tuple[str, ...]

    @property
    def url(self) -> str:
        """The role's public occupation page (O*NET first, then BLS), or '' when none exists."""
        return self.onet_url or self.bls_url

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view for the API; an unknown pay is null, never a guess."""
        return {
            "id": self.id,
            "title": self.title,
            "level": self.level,
            "url": self.url or None,
            "soc_code": self.soc_code or None,
            "onet_url": self.onet_url or None,
            "bls_url": self.bls_url or None,
            "median_pay_usd": self.median_pay_usd,
            "pay_year": self.pay_year or None,
            "pay_source": self.pay_source or None,
            "pay_note": self.pay_note or None,
        }


@dataclass(frozen=True, slots=True)
class Certification:
    """A certification the seed names, and the specializations it fits."""

    id: str
    name: str
    abbreviation: str
    summary: str
    specializations: tuple[str, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Persona:
    """A labelled validation case: quiz answers and the specializations an adviser puts first."""

    id: str
    answers: quiz.Answers
    expected: tuple[str, ...]
    rationale: str


LEVELS: tuple[str, ...] = ("entry", "mid", "senior", "executive")


def _load(path: Path, columns: tuple[str, ...], build: Callable[[_Row], Any]) -> list[Any]:
    errors: list[RowError] = []
    items = [
        build(_Row(line, cells, errors))
        for line, cells in read_rows(path.read_bytes(), columns=columns, source=path.name)
    ]
    ids = [getattr(item, "id", None) for item in items]
    for item_id in sorted({i for i in ids if ids.count(i) > 1}):
        errors.append(RowError(0, "id", f"{item_id!r} appears more than once"))
    if errors:
        raise CatalogError(errors, path.name)
    return items


def load_specializations(path: Path | None = None) -> tuple[Specialization, ...]:
    """The eight specializations, in contract order."""
    columns = (
        "id",
        "name",
        "summary",
        "description",
        "keywords",
        "interests",
        "goals",
        "backgrounds",
        "industries",
        "roles",
        "certifications",
        "source",
    )

    def build(row: _Row) -> Specialization:
        return Specialization(
            id=row.choice("id", SPECIALIZATION_IDS, required=True),
            name=row.text("name", required=True),
            summary=row.text("summary", required=True),
            description=row.text("description", required=True),
            keywords=_split(row.text("keywords", required=True)),
            interests=row.choices("interests", quiz.INTERESTS),
            goals=row.choices("goals", quiz.GOALS),
            backgrounds=row.choices("backgrounds", quiz.BACKGROUNDS),
            industries=row.choices("industries", [i for i in quiz.INDUSTRIES if i != quiz.ANY]),
            roles=_split(row.text("roles")),
            certifications=_split(row.text("certifications")),
            sources=_split(row.text("source", required=True)),
        )

    items = _load(path or DATA_DIR / "specializations.csv", columns, build)
    found = {s.id for s in items}
    if found != set(SPECIALIZATION_IDS):
        missing = sorted(set(SPECIALIZATION_IDS) - found)
        raise CatalogError([RowError(0, "id", f"missing specializations: {missing}")])
    return tuple(sorted(items, key=lambda s: SPECIALIZATION_IDS.index(s.id)))


def load_roles(path: Path | None = None) -> tuple[Role, ...]:
    """The roles catalogue: the seed's ladder and every quiz goal."""
    columns = (
        "id",
        "title",
        "level",
        "ladder_step",
        "specializations",
        "soc_code",
        "onet_soc_code",
        "occupation_title",
        "onet_url",
        "bls_url",
        "median_pay_usd",
        "pay_year",
        "pay_source",
        "pay_note",
        "description",
        "source",
    )

    def build(row: _Row) -> Role:
        pay = row.integer("median_pay_usd", 1, 10_000_000)
        pay_source = row.text("pay_source")
        if pay is not None and not pay_source:
            row.fail("pay_source", "a median pay needs its source")
        return Role(
            id=row.text("id", required=True),
            title=row.text("title", required=True),
            level=row.choice("level", LEVELS, required=True),
            ladder_step=row.integer("ladder_step", 1, 4, required=True) or 0,
            specializations=row.choices("specializations", SPECIALIZATION_IDS),
            soc_code=row.text("soc_code"),
            onet_soc_code=row.text("onet_soc_code"),
            occupation_title=row.text("occupation_title"),
            onet_url=(row.urls("onet_url", https_only=True) or ("",))[0],
            bls_url=(row.urls("bls_url", https_only=True) or ("",))[0],
            median_pay_usd=pay,
            pay_year=row.text("pay_year"),
            pay_source=pay_source,
            pay_note=row.text("pay_note"),
            description=row.text("description"),
            sources=_split(row.text("source", required=True)),
        )

    roles = _load(path or DATA_DIR / "roles.csv", columns, build)
    missing = sorted(set(quiz.GOALS) - {r.id for r in roles})
    if missing:
        raise CatalogError([RowError(0, "id", f"no role for quiz goals {missing}")])
    return tuple(roles)


def load_certifications(path: Path | None = None) -> tuple[Certification, ...]:
    """The certifications the seed names."""
    columns = ("id", "name", "abbreviation", "summary", "specializations", "source")

    def build(row: _Row) -> Certification:
        return Certification(
            id=row.text("id", required=True),
            name=row.text("name", required=True),
            abbreviation=row.text("abbreviation"),
            summary=row.text("summary", required=True),
            specializations=row.choices("specializations", SPECIALIZATION_IDS),
            sources=_split(row.text("source", required=True)),
        )

    return tuple(_load(path or DATA_DIR / "certifications.csv", columns, build))


def load_personas(path: Path | None = None) -> tuple[Persona, ...]:
    """The labelled persona set that gates training."""
    columns = ("id", *quiz.FIELDS, "expected", "rationale")

    def build(row: _Row) -> Persona | None:
        raw = {k: row.cells.get(k, "").strip() for k in quiz.FIELDS}
        data: dict[str, Any] = dict(raw)
        data["interests"] = list(_split(raw["interests"]))
        data["experience_years"] = (
            int(raw["experience_years"]) if raw["experience_years"].isdigit() else raw["experience_years"]
        )
        budget = raw["max_budget_usd"]
        data["max_budget_usd"] = None if not budget else int(budget) if budget.isdigit() else budget
        try:
            answers = quiz.parse_answers(data)
        except quiz.AnswersError as exc:
            for column, messages in exc.errors.items():
                row.fail(column, " ".join(messages))
            return None
        expected = row.choices("expected", SPECIALIZATION_IDS)
        if not expected:
            row.fail("expected", "names no specialization")
        return Persona(row.text("id", required=True), answers, expected, row.text("rationale"))

    return tuple(_load(path or DATA_DIR / "personas.csv", columns, build))


@dataclass(frozen=True, slots=True)
class Catalogs:
    """The static catalogues that every model version shares."""

    specializations: tuple[Specialization, ...]
    roles: tuple[Role, ...]
    certifications: tuple[Certification, ...]
    personas: tuple[Persona, ...]

    @property
    def roles_by_id(self) -> dict[str, Role]:
        return {r.id: r for r in self.roles}

    @property
    def specializations_by_id(self) -> dict[str, Specialization]:
        return {s.id: s for s in self.specializations}

    def sha256(self) -> str:
        """A digest of the static catalogue files, recorded with each trained version."""
        digest = hashlib.sha256()
        for name in ("specializations.csv", "roles.csv", "certifications.csv", "personas.csv"):
            digest.update((DATA_DIR / name).read_bytes())
        return digest.hexdigest()


def load_catalogs() -> Catalogs:
    """Load and cross-check the bundled static catalogues."""
    specs = load_specializations()
    roles = load_roles()
    certs = load_certifications()
    personas = load_personas()
    role_ids = {r.id for r in roles}
    cert_ids = {c.id for c in certs}
    errors = [
        RowError(0, "roles", f"specialization {s.id!r} names unknown role {r!r}")
        for s in specs
        for r in s.roles
        if r not in role_ids
    ] + [
        RowError(0, "certifications", f"specialization {s.id!r} names unknown certification {c!r}")
        for s in specs
        for c in s.certifications
        if c not in cert_ids
    ]
    if errors:
        raise CatalogError(errors, "specializations.csv")
    return Catalogs(specs, roles, certs, personas)
