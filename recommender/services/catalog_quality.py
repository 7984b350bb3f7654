"""The data-quality view of the active catalogue: its report, and the programs students see most
often that lack a cost, a format or a pace (from the submissions of the last 30 days)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from recommender.domain.catalog import Program
from recommender.domain.catalog.quality import QualityReport, missing_facts, report
from recommender.orm import Submission, utcnow

WINDOW_DAYS = 30


@dataclass(frozen=True, slots=True)
class ShownGap:
    """A program shown to students that lacks facts their constraints need."""

    program: Program
    times_shown: int
    missing: tuple[str, ...]


def shown_counts(session: Session, since: dt.datetime) -> Counter[str]:
    """How many recommendations since `since` showed each program id (counted in the database)."""
    column = Submission.shown_program_ids
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        elements = func.json_array_elements_text(column).table_valued("value")
        is_list = func.json_typeof(column) == "array"
    elif dialect == "sqlite":
        elements = func.json_each(column).table_valued("value")
        is_list = func.json_type(column) == "array"
    else:  # any other database: read the lists and count here
        counts: Counter[str] = Counter()
        for ids in session.scalars(select(column).where(Submission.created_at >= since, column.is_not(None))):
            counts.update(i for i in ids or () if isinstance(i, str))
        return counts
    query = (
        select(elements.c.value, func.count())
        .select_from(Submission)
        .join(elements, true())
        .where(Submission.created_at >= since, column.is_not(None), is_list)
        .group_by(elements.c.value)
    )
    return Counter({str(value): int(n) for value, n in session.execute(query) if value is not None})


def shown_gaps(
    session: Session, programs: tuple[Program, ...], *, days: int = WINDOW_DAYS, now: dt.datetime | None = None
) -> list[ShownGap]:
    """Programs shown in the last `days` days that lack cost, format or pace, most shown first."""
    counts = shown_counts(session, (now or utcnow()) - dt.timedelta(days=days))
    gaps = [ShownGap(p, counts[p.id], missing_facts(p)) for p in programs if counts[p.id] and missing_facts(p)]
    return sorted(gaps, key=lambda g: (-g.times_shown, g.program.id))


def quality(session: Session, programs: tuple[Program, ...]) -> tuple[QualityReport, list[ShownGap]]:
    """The catalogue's report and its most shown gaps."""
    return report(programs), shown_gaps(session, programs)
