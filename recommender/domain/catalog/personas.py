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


def load_personas(path: Path | None = None) -> tuple[Persona, ...]:
    """The labelled persona set that gates training."""
    columns = ("id", *quiz.FIELDS, "expected", "rationale")

    def build(row: RowReader) -> Persona | None:
        raw = {k: row.cells.get(k, "").strip() for k in quiz.FIELDS}
        data: dict[str, Any] = dict(raw)
        data["interests"] = list(split_cell(raw["interests"]))
        data["experience_years"] = (
            int(raw["experience_years"]) if _ascii_whole(raw["experience_years"]) else raw["experience_years"]
        )
        budget = raw["max_budget_usd"]
        data["max_budget_usd"] = None if not budget else int(budget) if _ascii_whole(budget) else budget
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

    return tuple(load_items(path or DATA_DIR / "personas.csv", columns, build))


def _ascii_whole(value: str) -> bool:
    # str.isdigit() is true for "٣" and "²" too; a file's numbers are written in 0-9.
    return value.isascii() and value.isdigit() and len(value) <= 9
