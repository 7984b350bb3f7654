"""Fit against the hard constraints (contract v1.1): each program meets, misses, or cannot be checked.

A miss needs a published fact that shows it (a listed format that is not the one asked for, a
tuition over the budget, another region). An unpublished fact is an unknown, never a miss: the
results then say "not published — check with the program".
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from recommender.domain import quiz
from recommender.domain.catalog import Program
from recommender.ml.features import FORMAT_BITS, PACE_BITS

CONSTRAINTS: tuple[str, ...] = ("format", "pace", "budget", "region")
FITS: tuple[str, ...] = ("meets", "unknown", "misses")  # in ranking order
MEETS, UNKNOWN, MISSES = range(3)


class FitArrays(NamedTuple):
    """Per-program facts the constraint checks read, precomputed at training time."""

    format_mask: np.ndarray  # bits of the formats offered; 0 = not published
    pace_mask: np.ndarray  # bits of the paces offered, accelerated derived; 0 = not published
    accelerated_unknown: np.ndarray  # full-time offered but its length unknown: accelerated can't be checked
    tuition: np.ndarray  # whole-program tuition, NaN = not published
    region_code: np.ndarray  # index of the region in quiz.REGIONS


REGION_CODES: dict[str, int] = {r: i for i, r in enumerate(quiz.REGIONS)}


def tables(answers: quiz.Answers, facts: FitArrays) -> tuple[np.ndarray, np.ndarray]:
    """Two (programs x 4) boolean tables: known misses and unknowns, per constraint the user set."""
    n = len(facts.region_code)
    misses = np.zeros((n, len(CONSTRAINTS)), dtype=bool)
    unknown = np.zeros((n, len(CONSTRAINTS)), dtype=bool)
    if answers.format != quiz.ANY:
        published = facts.format_mask != 0
        unknown[:, 0] = ~published
        misses[:, 0] = published & ((facts.format_mask & FORMAT_BITS[answers.format]) == 0)
    if answers.pace != quiz.ANY:
        offered = (facts.pace_mask & PACE_BITS[answers.pace]) != 0
        cannot_tell = facts.pace_mask == 0
        if answers.pace == "accelerated":
            cannot_tell = cannot_tell | (facts.accelerated_unknown & ~offered)
        unknown[:, 1] = cannot_tell & ~offered
        misses[:, 1] = ~offered & ~cannot_tell
    if answers.max_budget_usd is not None:
        unpublished = np.isnan(facts.tuition)
        unknown[:, 2] = unpublished
        with np.errstate(invalid="ignore"):
            misses[:, 2] = ~unpublished & (facts.tuition > answers.max_budget_usd)
    if answers.region != quiz.ANY:
        misses[:, 3] = facts.region_code != REGION_CODES[answers.region]
    return misses, unknown


def fit_codes(misses: np.ndarray, unknown: np.ndarray) -> np.ndarray:
    """MISSES when any known miss, else UNKNOWN when any unknown, else MEETS (per program)."""
    return np.where(misses.any(axis=1), MISSES, np.where(unknown.any(axis=1), UNKNOWN, MEETS)).astype(np.int64)


def accelerated_unknown(program: Program) -> bool:
    """True when a program offers full-time study but does not say how long it takes."""
    return "full_time" in program.paces and program.duration_months is None and not program.offers_accelerated


def names(row: list[bool]) -> tuple[str, ...]:
    """The constraint names flagged in one row of a table."""
    return tuple(c for c, flagged in zip(CONSTRAINTS, row, strict=True) if flagged)


def constraint_notes(
    answers: quiz.Answers, program: Program, missed: tuple[str, ...], unknown: tuple[str, ...]
) -> tuple[str, ...]:
    """Plain statements about each constraint the user set: met, missed (with the fact), or not published."""
    notes: list[str] = []
    if answers.format != quiz.ANY:
        wanted = quiz.FORMATS[answers.format].lower()
        offered = ", ".join(quiz.FORMATS[f].lower() for f in program.formats)
        if "format" in unknown:
            notes.append(f"Format not published — check with the program whether it is offered {wanted}.")
        elif "format" in missed:
            notes.append(f"Not offered {wanted}: offered {offered}.")
        else:
            notes.append(f"Offered {wanted}, as you asked.")
    if answers.pace != quiz.ANY:
        wanted = quiz.PACES[answers.pace].split(" (")[0].lower()
        if "pace" in unknown:
            what = "Its length" if program.paces else "Pace"
            notes.append(f"{what} not published — check with the program whether it can be taken {wanted}.")
        elif "pace" in missed:
            listed = ", ".join(p.replace("_", "-") for p in program.paces)
            notes.append(f"Not offered {wanted}: it lists {listed}.")
        else:
            notes.append(f"Can be taken {wanted}, as you asked.")
    if answers.max_budget_usd is not None:
        if "budget" in unknown:
            notes.append("Cost not published — check with the program.")
        elif "budget" in missed:
            notes.append(f"Tuition {tuition_text(program)} is over your ${answers.max_budget_usd:,} budget.")
        else:
            notes.append(f"Tuition {tuition_text(program)} is within your ${answers.max_budget_usd:,} budget.")
    if answers.region != quiz.ANY:
        where = quiz.REGIONS[program.region]
        notes.append(
            f"Not in {quiz.REGIONS[answers.region]}: it is in {where}."
            if "region" in missed
            else f"In {where}, as you asked."
        )
    return tuple(notes)


def tuition_text(program: Program, *, also: str = "") -> str:
    """Whole-program tuition with its year and where the figure comes from, or that it is not published.

    `also` joins the words in the brackets ("may be out of date", for a page's short summary).
    """
    if program.tuition_usd is None:
        return "not published"
    year = f"for {program.tuition_year}" if program.tuition_year else "year not stated"
    kind = program.tuition_source_kind
    if kind == "third-party":
        year += ", from a third-party page"
    elif kind is None:
        year += ", source page not named"
    return f"${program.tuition_usd:,} ({year}{', ' + also if also else ''})"


# ---------------------------------------------------------------- tables made once per version
# The request path reads these instead of recomputing: each program's fit for one constraint value
# alone, and each program's note for one constraint, value and outcome. Both are built by calling
# `tables` and `constraint_notes` above with answers that set that one constraint, so they say
# exactly what those functions say.

STATUS_MEETS, STATUS_UNKNOWN, STATUS_MISSES = 0, 1, 2
_CHOICE_CONSTRAINTS = ((0, "format", quiz.FORMATS), (1, "pace", quiz.PACES), (3, "region", quiz.REGIONS))
_BUDGET_MARK = 987_654_321  # stands in for the user's budget while a budget note is cut in two


def _only(constraint: str, value: object) -> quiz.Answers:
    """Answers that set one hard constraint and leave the others open."""
    values: dict[str, object] = {"format": quiz.ANY, "pace": quiz.ANY, "max_budget_usd": None, "region": quiz.ANY}
    values[constraint] = value
    return quiz.Answers(
        interests=(next(iter(quiz.INTERESTS)),),
        background=next(iter(quiz.BACKGROUNDS)),
        experience_years=0,
        goal=next(iter(quiz.GOALS)),
        industry=quiz.ANY,
        **values,  # type: ignore[arg-type]
    )


class FitCodes:
    """Per constraint value, each program's status for that constraint alone (meets, unknown, misses)."""

    def __init__(self, facts: FitArrays):
        self.facts = facts
        self.unpublished_tuition = np.isnan(facts.tuition)
        self.by_value: dict[tuple[int, str], np.ndarray] = {}
        for column, constraint, values in _CHOICE_CONSTRAINTS:
            for value in values:
                if value != quiz.ANY:
                    misses, unknown = tables(_only(constraint, value), facts)
                    status = misses[:, column].astype(np.int8) * STATUS_MISSES + unknown[:, column].astype(np.int8)
                    self.by_value[column, value] = status
        self.meets_all = np.zeros(len(facts.region_code), dtype=np.int8)
        self._budgets: dict[int, np.ndarray] = {}

    def budget(self, budget: int) -> np.ndarray:
        """Each program's status for a tuition budget (an unpublished tuition is unknown, never a miss)."""
        found = self._budgets.get(budget)
        if found is None:
            found = self._budget(budget)
            # A quiz offers a few budgets; the API takes any. Keep the first 64 met (one byte per
            # program each: 6.4 MB at 100k programs), so a common budget never costs a pass.
            if len(self._budgets) < 64:
                self._budgets[budget] = found
        return found

    def _budget(self, budget: int) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            over = ~self.unpublished_tuition & (self.facts.tuition > budget)
        return over.astype(np.int8) * STATUS_MISSES + self.unpublished_tuition.astype(np.int8)

    def columns(self, answers: quiz.Answers) -> list[tuple[int, np.ndarray]]:
        """(constraint column, status per program) for each constraint the user set."""
        found = [(c, self.by_value[c, v]) for c, v in ((0, answers.format), (1, answers.pace)) if v != quiz.ANY]
        if answers.max_budget_usd is not None:
            found.append((2, self.budget(answers.max_budget_usd)))
        if answers.region != quiz.ANY:
            found.append((3, self.by_value[3, answers.region]))
        return found

    def codes(self, columns: list[tuple[int, np.ndarray]]) -> np.ndarray:
        """MISSES when any known miss, else UNKNOWN when any unknown, else MEETS: the worst status."""
        if not columns:
            return self.meets_all
        if len(columns) == 1:
            return columns[0][1]
        worst = np.maximum(columns[0][1], columns[1][1])
        for _, status in columns[2:]:
            np.maximum(worst, status, out=worst)
        return worst


# names() of a row, by the row's bits (format 1, pace 2, budget 4, region 8)
NAMES_BY_BITS: tuple[tuple[str, ...], ...] = tuple(
    tuple(c for i, c in enumerate(CONSTRAINTS) if bits >> i & 1) for bits in range(1 << len(CONSTRAINTS))
)


class NoteTable(NamedTuple):
    """One program's constraint notes: per constraint value and status, and the budget note in two halves."""

    by_value: dict[tuple[int, str, int], str]
    budget: dict[int, tuple[str, str | None]]  # status -> (text before the amount, after it; None: no amount)


def note_table(program: Program) -> NoteTable:
    """Every note `constraint_notes` can say about one program, keyed by constraint, value and status."""
    by_value: dict[tuple[int, str, int], str] = {}
    for column, field, values in _CHOICE_CONSTRAINTS:
        name = CONSTRAINTS[column]
        for value in values:
            if value == quiz.ANY:
                continue
            answers = _only(field, value)
            for status, missed, unknown in ((0, (), ()), (1, (), (name,)), (2, (name,), ())):
                by_value[column, value, status] = constraint_notes(answers, program, missed, unknown)[0]
    budget: dict[int, tuple[str, str | None]] = {}
    mark = f"${_BUDGET_MARK:,}"
    for status, missed, unknown in ((0, (), ()), (1, (), ("budget",)), (2, ("budget",), ())):
        text = constraint_notes(_only("max_budget_usd", _BUDGET_MARK), program, missed, unknown)[0]
        before, found, after = text.partition(mark)
        budget[status] = (before, after) if found else (text, None)
    return NoteTable(by_value, budget)


def notes_from_table(table: NoteTable, answers: quiz.Answers, statuses: tuple[tuple[int, int], ...]) -> tuple[str, ...]:
    """`constraint_notes` for one program, read from its table: (column, status) per constraint set."""
    out = []
    for column, status in statuses:
        if column == 2:
            before, after = table.budget[status]
            out.append(before if after is None else f"{before}${answers.max_budget_usd:,}{after}")
        else:
            out.append(table.by_value[column, (answers.format, answers.pace, None, answers.region)[column], status])
    return tuple(out)
