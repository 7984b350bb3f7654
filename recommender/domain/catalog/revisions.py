"""Catalogue revisions: a programs file written back from `Program`s, and the diff between two.

The editor builds a whole new programs file and hands it to `parse_programs`, so an edit is
checked by exactly the code that checks an upload; the diff is by program id and column, in the
file's own words.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from recommender.domain.catalog.programs import PROGRAM_COLUMNS, Program

LIST_COLUMNS = frozenset({"domains", "formats", "paces", "specializations", "concentrations", "core_courses", "source"})
# Columns that say where facts come from or when they were checked, rather than being facts.
PROVENANCE_COLUMNS = frozenset({"source", "tuition_source", "last_verified"})


def program_row(program: Program) -> dict[str, str]:
    """A program as the cells of its programs-file row."""
    row: dict[str, str] = {}
    for column in PROGRAM_COLUMNS:
        attribute = "sources" if column == "source" else column
        value = getattr(program, attribute)
        if isinstance(value, tuple):
            row[column] = ";".join(value)
        elif value is None:
            row[column] = ""
        else:
            row[column] = str(value)
    return row


def programs_csv(rows: Iterable[dict[str, str]]) -> bytes:
    """A programs file (UTF-8, the contract's header) from rows of cells."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=PROGRAM_COLUMNS, lineterminator="\n", extrasaction="raise")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def line_of(rows: list[dict[str, str]], index: int) -> int:
    """The CSV line `parse_programs` names for row `index` (the header is line 1)."""
    # A cell may hold a newline inside quotes; the reader counts the physical lines read so far.
    return programs_csv(rows[: index + 1]).count(b"\n")


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One column of one program, before and after."""

    column: str
    before: str
    after: str

    @property
    def is_list(self) -> bool:
        """A `;`-list column, shown as the items it gained and lost rather than two long cells."""
        return self.column in LIST_COLUMNS

    @property
    def added(self) -> tuple[str, ...]:
        old = set(self.before.split(";"))
        return tuple(v for v in self.after.split(";") if v and v not in old)

    @property
    def removed(self) -> tuple[str, ...]:
        new = set(self.after.split(";"))
        return tuple(v for v in self.before.split(";") if v and v not in new)


@dataclass(frozen=True, slots=True)
class ProgramChange:
    """A program present in both catalogues whose row differs."""

    program_id: str
    label: str
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True, slots=True)
class CatalogDiff:
    """What a revision changes against another catalogue: programs added, retired, changed."""

    added: tuple[Program, ...]
    removed: tuple[Program, ...]
    changed: tuple[ProgramChange, ...]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def diff_programs(before: Iterable[Program], after: Iterable[Program]) -> CatalogDiff:
    """The difference between two catalogues, by program id, in file order of `after`."""
    old = {p.id: p for p in before}
    new = {p.id: p for p in after}
    changed = []
    for program_id, program in new.items():
        if program_id not in old or old[program_id] == program:
            continue
        a, b = program_row(old[program_id]), program_row(program)
        fields = tuple(FieldChange(c, a[c], b[c]) for c in PROGRAM_COLUMNS if a[c] != b[c])
        changed.append(ProgramChange(program_id, f"{program.university} — {program.program}", fields))
    return CatalogDiff(
        added=tuple(p for i, p in new.items() if i not in old),
        removed=tuple(p for i, p in old.items() if i not in new),
        changed=tuple(changed),
    )
