"""Read models for the admin area: usage and feedback figures, chart geometry, version
comparisons, and formula-safe CSV exports. Nothing here writes to the database."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, case, cast, func, select
from sqlalchemy.orm import Session

from recommender.domain import quiz
from recommender.domain.catalog import FORMULA_START, Persona
from recommender.ml.ranking import Recommender
from recommender.orm import Feedback, Submission, utcnow

TOP_PROGRAMS = 5


# ----------------------------------------------------------------------------- usage and feedback


def _day(column: Any, dialect: str) -> Any:
    """The UTC calendar day of a timestamp column, in SQL both databases understand."""
    if dialect == "sqlite":
        return func.date(column)  # stored as UTC text; date() keeps its first ten characters
    return cast(func.timezone("UTC", column), Date)


def submissions_per_day(session: Session, *, days: int = 30, today: dt.date | None = None) -> list[tuple[dt.date, int]]:
    """Submissions on each of the last `days` UTC days, oldest first, days without any included."""
    today = today or utcnow().date()
    first = today - dt.timedelta(days=days - 1)
    since = dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC)
    day = _day(Submission.created_at, session.get_bind().dialect.name).label("day")
    rows = session.execute(select(day, func.count()).where(Submission.created_at >= since).group_by(day)).all()
    counts = {(r[0] if isinstance(r[0], dt.date) else dt.date.fromisoformat(str(r[0]))): int(r[1]) for r in rows}
    return [(first + dt.timedelta(days=i), counts.get(first + dt.timedelta(days=i), 0)) for i in range(days)]


def top_specializations(session: Session, names: dict[str, str]) -> list[tuple[str, str, int]]:
    """(id, name, submissions) for each specialization ranked first, most often first."""
    count = func.count().label("n")
    rows = session.execute(
        select(Submission.top_specialization, count)
        .group_by(Submission.top_specialization)
        .order_by(count.desc(), Submission.top_specialization)
    ).all()
    return [(spec_id, names.get(spec_id, spec_id), int(n)) for spec_id, n in rows]


@dataclass(frozen=True, slots=True)
class FeedbackRate:
    """The "useful / not for me" votes on one specialization or program."""

    item_id: str
    label: str
    useful: int
    not_for_me: int

    @property
    def total(self) -> int:
        return self.useful + self.not_for_me

    @property
    def useful_rate(self) -> float:
        return self.useful / self.total if self.total else 0.0


def feedback_rates(session: Session, kind: str, labels: dict[str, str]) -> list[FeedbackRate]:
    """Votes per item of one kind ("specialization" or "program"), most voted first."""
    useful = func.sum(case((Feedback.useful.is_(True), 1), else_=0)).label("useful")
    total = func.count().label("total")
    rows = session.execute(
        select(Feedback.item_id, useful, total)
        .where(Feedback.item_kind == kind)
        .group_by(Feedback.item_id)
        .order_by(total.desc(), Feedback.item_id)
    ).all()
    return [
        FeedbackRate(item_id, labels.get(item_id, item_id), int(yes or 0), int(n) - int(yes or 0))
        for item_id, yes, n in rows
    ]


# ----------------------------------------------------------------------------- chart geometry


@dataclass(frozen=True, slots=True)
class Bar:
    """One rectangle of a chart, in SVG user units, with the text a screen reader gets."""

    x: float
    y: float
    width: float
    height: float
    label: str
    value: float
    kind: str = "bar"


@dataclass(frozen=True, slots=True)
class Chart:
    """An SVG chart's size and shapes; the template only draws what is computed here."""

    width: int
    height: int
    bars: tuple[Bar, ...]
    max_value: float
    label_width: int = 0
    row_height: int = 0


def column_chart(points: Sequence[tuple[str, float]], *, width: int = 600, height: int = 160) -> Chart:
    """Vertical bars, one per point, scaled to the largest value (an empty chart stays flat)."""
    top = max((v for _, v in points), default=0) or 1
    slot = width / max(len(points), 1)
    bars = tuple(
        Bar(
            x=round(i * slot + 1, 2),
            y=round(height - value / top * height, 2),
            width=round(max(slot - 2, 1), 2),
            height=round(value / top * height, 2),
            label=label,
            value=value,
        )
        for i, (label, value) in enumerate(points)
    )
    return Chart(width, height, bars, max(v for _, v in points) if points else 0)


# Room for a label the templates cut at 40 characters, drawn at 12px: at 260 the longest
# specialization name ("Construction & Infrastructure Management") ended 1px before its bar.
LABEL_WIDTH = 300


def bar_chart(
    rows: Sequence[tuple[str, float]], *, width: int = 600, label_width: int = LABEL_WIDTH, row: int = 24
) -> Chart:
    """Horizontal bars with their labels on the left, scaled to the largest value."""
    top = max((v for _, v in rows), default=0) or 1
    room = width - label_width - 60  # space kept on the right for the value text
    bars = tuple(
        Bar(x=label_width, y=i * row + 3, width=round(value / top * room, 2), height=row - 6, label=label, value=value)
        for i, (label, value) in enumerate(rows)
    )
    return Chart(width, max(len(rows), 1) * row, bars, max(v for _, v in rows) if rows else 0, label_width, row)


def split_chart(
    rates: Sequence[FeedbackRate], *, width: int = 600, label_width: int = LABEL_WIDTH, row: int = 24
) -> Chart:
    """Each item's votes as one full-width bar split into "useful" and "not for me" shares."""
    room = width - label_width - 60
    bars: list[Bar] = []
    for i, rate in enumerate(rates):
        useful_width = round(rate.useful_rate * room, 2)
        y = i * row + 3
        bars.append(Bar(label_width, y, useful_width, row - 6, rate.label, rate.useful, "useful"))
        bars.append(
            Bar(label_width + useful_width, y, round(room - useful_width, 2), row - 6, rate.label, rate.not_for_me,
                "not-for-me")
        )  # fmt: skip
    return Chart(width, max(len(rates), 1) * row, tuple(bars), 1.0, label_width, row)


# ----------------------------------------------------------------------------- version comparison


@dataclass(frozen=True, slots=True)
class MetricDelta:
    """One persona metric of a version next to the active version's."""

    name: str
    value: float
    active: float | None

    @property
    def delta(self) -> float | None:
        return None if self.active is None else round(self.value - self.active, 4)


@dataclass(frozen=True, slots=True)
class ProgramMove:
    """Where one program sits in a persona's top five, before (active) and after (this version)."""

    program_id: str
    label: str
    before: int | None
    after: int | None

    @property
    def movement(self) -> str:
        if self.after is None:
            return "out"
        if self.before is None:
            return "new"
        if self.before == self.after:
            return "same"
        return f"up {self.before - self.after}" if self.after < self.before else f"down {self.after - self.before}"


@dataclass(frozen=True, slots=True)
class PersonaShift:
    """How one labelled persona's results move from the active version to another."""

    persona_id: str
    expected: tuple[str, ...]
    before_top: str | None
    after_top: str
    moves: tuple[ProgramMove, ...]

    @property
    def top_changed(self) -> bool:
        return self.before_top is not None and self.before_top != self.after_top

    @property
    def programs_changed(self) -> bool:
        return any(m.movement != "same" for m in self.moves)

    @property
    def after_hit(self) -> bool:
        return self.after_top in self.expected


@dataclass(frozen=True, slots=True)
class Comparison:
    """A version against the active one: metric deltas and every persona's movement."""

    version_id: str
    active_id: str | None
    metrics: tuple[MetricDelta, ...]
    personas: tuple[PersonaShift, ...]

    @property
    def top_changes(self) -> int:
        return sum(p.top_changed for p in self.personas)

    @property
    def program_changes(self) -> int:
        return sum(p.programs_changed for p in self.personas)


def _program_label(recommenders: Iterable[Recommender]) -> dict[str, str]:
    return {p.id: f"{p.university} — {p.program}" for r in recommenders for p in r.programs}


def _persona_top(recommender: Recommender, persona: Persona) -> tuple[str, list[str]]:
    spec_order, _, program_order, _ = recommender.rank(persona.answers, limit=TOP_PROGRAMS)
    return (
        recommender.specializations[int(spec_order[0])].id,
        [recommender.programs[int(i)].id for i in program_order],
    )


def compare(
    version: Recommender,
    metrics: dict[str, Any],
    active: Recommender | None,
    active_metrics: dict[str, Any] | None,
    personas: Sequence[Persona],
) -> Comparison:
    """Rank every persona with both versions and name what moves (before = active, after = `version`)."""
    deltas = tuple(
        MetricDelta(name, float(metrics[name]), float(active_metrics[name]) if active_metrics else None)
        for name in ("top1", "top3", "mrr")
    )
    mine, theirs = metrics.get("programs") or {}, (active_metrics or {}).get("programs") or {}
    deltas += tuple(
        MetricDelta(name, float(mine[name]), float(theirs[name]) if name in theirs else None)
        for name in ("precision_at_3", "ndcg_at_10", "grounded_share")
        if name in mine
    )
    labels = _program_label([version] if active is None else [version, active])
    shifts = []
    for persona in personas:
        after_top, after = _persona_top(version, persona)
        before_top, before = _persona_top(active, persona) if active is not None else (None, after)
        moves = [
            ProgramMove(pid, labels.get(pid, pid), before.index(pid) + 1 if pid in before else None, i + 1)
            for i, pid in enumerate(after)
        ]
        moves += [
            ProgramMove(pid, labels.get(pid, pid), i + 1, None) for i, pid in enumerate(before) if pid not in after
        ]
        shifts.append(PersonaShift(persona.id, persona.expected, before_top, after_top, tuple(moves)))
    return Comparison(version.version_id, active.version_id if active else None, deltas, tuple(shifts))


# ----------------------------------------------------------------------------- CSV exports


def formula_safe(value: object) -> object:
    """A cell a spreadsheet will show as text: one starting like a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_chunks(rows: Iterable[Sequence[object]], *, batch: int = 500) -> Iterator[str]:
    """CSV text in chunks, every cell made formula-safe (for streaming a download)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for n, row in enumerate(rows, 1):
        writer.writerow([formula_safe(cell) for cell in row])
        if n % batch == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


SUBMISSION_COLUMNS: tuple[str, ...] = (
    "id",
    "created_at",
    "channel",
    "model_version_id",
    "top_specialization",
    "token",
    *quiz.FIELDS,
)


def submission_rows(session: Session) -> Iterator[list[object]]:
    """The header, then one row per submission, oldest first, read in batches."""
    yield list(SUBMISSION_COLUMNS)
    query = select(Submission).order_by(Submission.id).execution_options(yield_per=500)
    for submission in session.scalars(query):
        answers = submission.answers or {}
        cells: list[object] = [
            submission.id,
            submission.created_at.isoformat(timespec="seconds"),
            submission.channel,
            submission.model_version_id,
            submission.top_specialization,
            submission.token,
        ]
        for field in quiz.FIELDS:
            value = answers.get(field)
            cells.append(";".join(value) if isinstance(value, list) else "" if value is None else value)
        yield cells
