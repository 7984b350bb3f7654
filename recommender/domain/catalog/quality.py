"""How complete and trustworthy a catalogue's facts are: coverage per column and the rows to fix.

Plain checks over `Program`s, shared by the admin's data-quality page and `flask catalog report`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from recommender.domain.catalog import sources
from recommender.domain.catalog.programs import PROGRAM_COLUMNS, Program
from recommender.domain.catalog.revisions import program_row

# The facts a student's constraints need; a program without them cannot be shown to fit.
CONSTRAINT_FACTS = ("cost", "format", "pace")


@dataclass(frozen=True, slots=True)
class Coverage:
    """How many programs state a column."""

    column: str
    known: int
    total: int

    @property
    def share(self) -> float:
        return self.known / self.total if self.total else 0.0


@dataclass(frozen=True, slots=True)
class QualityReport:
    """A catalogue's coverage and the programs whose facts need work."""

    total: int
    coverage: tuple[Coverage, ...]
    stale: tuple[tuple[Program, int], ...]
    off_domain: tuple[Program, ...]
    third_party_only: tuple[Program, ...]


def missing_facts(program: Program) -> tuple[str, ...]:
    """Which of cost, format and pace the program does not publish (as far as the file says)."""
    missing = []
    if program.tuition_usd is None:
        missing.append("cost")
    if not program.formats:
        missing.append("format")
    if not program.paces:
        missing.append("pace")
    return tuple(missing)


def coverage(programs: Sequence[Program]) -> tuple[Coverage, ...]:
    """For every column of the programs file, how many programs fill it."""
    rows = [program_row(p) for p in programs]
    return tuple(Coverage(c, sum(1 for r in rows if r[c]), len(rows)) for c in PROGRAM_COLUMNS)


def report(programs: Sequence[Program], today: dt.date | None = None) -> QualityReport:
    """Coverage, facts more than three academic years old, urls off the program's domains, and
    programs whose every source is third-party."""
    stale = tuple((p, p.tuition_age(today) or 0) for p in programs if p.tuition_stale(today))
    return QualityReport(
        total=len(programs),
        coverage=coverage(programs),
        stale=tuple(sorted(stale, key=lambda item: (-item[1], item[0].id))),
        off_domain=tuple(p for p in programs if p.url and not sources.on_domains(p.url, p.domains)),
        third_party_only=tuple(
            p for p in programs if p.sources and all(p.source_kind(u) == "third-party" for u in p.sources)
        ),
    )
