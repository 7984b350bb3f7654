"""Reading catalogue CSV files: every bad row, column and reason collected at once.

Shared by every catalogue loader, so a refused file can be fixed in one pass.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

YES_NO: frozenset[str] = frozenset({"yes", "no", "optional"})
MAX_CELL_CHARS = 4000
# Cells a spreadsheet would evaluate as a formula (CSV injection); refused on upload.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

DATA_DIR = Path(__file__).resolve().parents[3] / "data"


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


# The csv module's own words for a malformed file, in ours (an admin reads them, not a programmer).
CSV_PROBLEMS = (
    ("field larger than field limit", f"a cell is longer than {csv.field_size_limit():,} characters"),
    ("expected after", "a quoted cell has more text after its closing quote"),
    ("unexpected end of data", "a quoted cell is never closed: the file ends inside it"),
    ("new-line character seen in unquoted field", "a line break inside a cell that is not quoted"),
)


def csv_problem(exc: csv.Error) -> str:
    """What a `csv.Error` means for the person who made the file."""
    said = str(exc)
    return next((ours for theirs, ours in CSV_PROBLEMS if theirs in said), "the CSV cannot be read here")


def split_cell(cell: str) -> tuple[str, ...]:
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
        raise CatalogError([RowError(1, "", f"unreadable CSV header: {csv_problem(exc)}")], source) from exc
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
        errors.append(RowError(reader.line_num, "", f"unreadable CSV: {csv_problem(exc)}"))
    if errors:
        raise CatalogError(errors, source)
    return rows


class RowReader:
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

    def items(self, column: str, *, required: bool = False) -> tuple[str, ...]:
        """A `;`-list cell; each item is checked for a leading formula character on its own.

        A spreadsheet opening an export that puts each item in its cell would run `=HYPERLINK(...)`
        from `Data;=HYPERLINK(...)`, though the cell as a whole starts with a letter.
        """
        values = split_cell(self.text(column, required=required))
        formulas = [v for v in values if v.startswith(FORMULA_START) and not _is_number(v)]
        if formulas:
            self.fail(
                column, f"item {formulas[0][:40]!r} starts with a formula character (= + - @ tab); refused for safety"
            )
            return tuple(v for v in values if v not in formulas)
        return values

    def choice(self, column: str, allowed: Iterable[str], *, required: bool = False) -> str:
        value = self.text(column, required=required)
        allowed = tuple(allowed)
        if value and value not in allowed:
            self.fail(column, f"{value[:40]!r} is not one of {', '.join(allowed)}")
            return ""
        return value

    def choices(self, column: str, allowed: Iterable[str]) -> tuple[str, ...]:
        values = self.items(column)
        allowed = tuple(allowed)
        bad = [v for v in values if v not in allowed]
        if bad:
            self.fail(column, f"{', '.join(repr(b[:40]) for b in bad)} not in {', '.join(allowed)}")
        if len(set(values)) != len(values):
            self.fail(column, "lists a value more than once")
        return tuple(v for v in values if v in allowed)

    def integer(self, column: str, low: int, high: int, *, required: bool = False) -> int | None:
        known = len(self.errors)
        value = self.text(column, required=required)
        if not value or len(self.errors) > known:  # empty, or already refused (too long, a formula)
            return None
        if not re.fullmatch(r"[0-9]+", value):
            self.fail(column, f"{value[:40]!r} is not a whole number")
            return None
        # int() of over 4,300 digits raises with Python's own words; a number written longer than
        # `high` is out of range anyway, so its length is all there is to say.
        digits = value.lstrip("0") or "0"
        if len(digits) > len(str(high)):
            self.fail(column, f"a {len(digits):,}-digit number is outside {low:,} to {high:,}")
            return None
        number = int(value)
        if not low <= number <= high:
            self.fail(column, f"{number:,} is outside {low:,} to {high:,}")
            return None
        return number

    def urls(self, column: str, *, https_only: bool, required: bool = False) -> tuple[str, ...]:
        values = self.items(column, required=required)
        good = []
        for value in values:
            if _is_url(value, https_only=https_only):
                good.append(value)
            else:
                scheme = "https://" if https_only else "http:// or https://"
                self.fail(column, f"{value[:60]!r} is not a {scheme} address")
        return tuple(good)


def _is_number(value: str) -> bool:
    return re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", value) is not None


def _is_url(value: str, *, https_only: bool) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    schemes = ("https",) if https_only else ("http", "https")
    return parts.scheme in schemes and bool(parts.netloc) and " " not in value


def load_items(path: Path, columns: tuple[str, ...], build: Callable[[RowReader], Any]) -> list[Any]:
    errors: list[RowError] = []
    items = [
        build(RowReader(line, cells, errors))
        for line, cells in read_rows(path.read_bytes(), columns=columns, source=path.name)
    ]
    ids = [getattr(item, "id", None) for item in items]
    for item_id in sorted({i for i in ids if ids.count(i) > 1}):
        errors.append(RowError(0, "id", f"{item_id!r} appears more than once"))
    if errors:
        raise CatalogError(errors, path.name)
    return items
