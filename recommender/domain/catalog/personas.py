"""The labelled persona set: quiz answers and the specializations an adviser puts first."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recommender.domain import quiz
from recommender.domain.catalog.csvfile import DATA_DIR, RowReader, load_items, split_cell
from recommender.domain.catalog.specializations import SPECIALIZATION_IDS


@dataclass(frozen=True, slots=True)
class Persona:
    """A labelled validation case: quiz answers and the specializations an adviser puts first."""

    id: str
    answers: quiz.Answers
    expected: tuple[str, ...]
    rationale: str


@dataclass(frozen=True, slots=True)
class ProgramPersona:
    """A labelled program case: quiz answers and the catalogue programs an adviser puts first, best first."""

    id: str
    answers: quiz.Answers
    expected: tuple[str, ...]
    rationale: str


def _answers(row: RowReader) -> quiz.Answers | None:
    """The quiz answers of a persona row, each bad cell reported under its column."""
    raw = {k: row.cells.get(k, "").strip() for k in quiz.FIELDS}
    data: dict[str, Any] = dict(raw)
    data["interests"] = list(split_cell(raw["interests"]))
    data["experience_years"] = (
        int(raw["experience_years"])
        if raw["experience_years"].isascii() and raw["experience_years"].isdigit()
        else raw["experience_years"]
    )
    budget = raw["max_budget_usd"]
    data["max_budget_usd"] = None if not budget else int(budget) if budget.isascii() and budget.isdigit() else budget
    try:
        return quiz.parse_answers(data)
    except quiz.AnswersError as exc:
        for column, messages in exc.errors.items():
            row.fail(column, " ".join(messages))
        return None


def load_personas(path: Path | None = None) -> tuple[Persona, ...]:
    """A labelled specialization persona set (default: the tuning set that gates training)."""
    columns = ("id", *quiz.FIELDS, "expected", "rationale")

    def build(row: RowReader) -> Persona | None:
        answers = _answers(row)
        expected = row.choices("expected", SPECIALIZATION_IDS)
        if not expected:
            row.fail("expected", "names no specialization")
        if answers is None:
            return None
        return Persona(row.text("id", required=True), answers, expected, row.text("rationale"))

    return tuple(load_items(path or DATA_DIR / "personas.csv", columns, build))


def load_program_personas(path: Path | None = None) -> tuple[ProgramPersona, ...]:
    """The labelled program persona set: which catalogue programs an adviser puts first for each."""
    columns = ("id", *quiz.FIELDS, "expected", "rationale")

    def build(row: RowReader) -> ProgramPersona | None:
        answers = _answers(row)
        expected = row.items("expected", required=True)
        if len(set(expected)) != len(expected):
            row.fail("expected", "lists a program more than once")
        if answers is None:
            return None
        return ProgramPersona(row.text("id", required=True), answers, expected, row.text("rationale"))

    return tuple(load_items(path or DATA_DIR / "program_personas.csv", columns, build))
