"""Explanations from tables: every sentence a version can say is made once, a request only looks them up.

Specialization reasons depend only on (specialization, answer value): a table built at load.
Program reasons depend only on (program, specialization, rank) and constraint notes on
(program, constraint, value, outcome): each program's table is built the first time it is shown
(a 100k-program catalogue would otherwise spend seconds on sentences nobody reads) and kept.
Every entry is made by the functions in `reasons` and `fit`, so the words are theirs.
"""

from __future__ import annotations

from typing import NamedTuple

from recommender.domain.catalog import Program, Specialization
from recommender.ml import fit, grounding, reasons

MAX_REASONS = 4
GENERIC_REASON = "Few of your answers point here; it ranks on general overlap with them."


class ProgramTable(NamedTuple):
    """One program's sentences: what its words show per specialization, and its constraint notes."""

    named: tuple[bool, ...]  # per specialization: its name, a track or a course names it
    evidence_reasons: tuple[tuple[str, ...], ...]  # [spec][rank] -> sentence
    absence_reasons: tuple[str, ...]  # [spec] -> sentence, when it names nothing for the best one
    evidence: tuple[tuple[str, str, str], ...]  # (specialization id, kind, quoted words)
    notes: fit.NoteTable


class Explainer:
    """The sentence tables of one version, with the few per-request combinations kept as they are met."""

    def __init__(self, programs: tuple[Program, ...], specializations: tuple[Specialization, ...], grounding_arrays):
        self.programs = programs
        self.specializations = specializations
        self.kind, self.item, self.start, self.end = grounding_arrays
        self._programs: dict[int, ProgramTable] = {}
        self._fit_reasons: dict[tuple[int, tuple[int, ...]], tuple[str, ...]] = {}
        self._coverage: dict[tuple[int, int, int], tuple[str, ...]] = {}

    def specialization_reasons(self, keys: tuple[str, ...]) -> dict[tuple[int, str], str]:
        """The reason each answer value gives for each specialization (the table is small: 8 x ~40)."""
        from recommender.domain import quiz

        table = {}
        for index, spec in enumerate(self.specializations):
            for key in keys:
                field, value = key.split(":", 1)
                answers = _answers_with(field, value, quiz)
                table[index, key] = reasons.specialization_reason(answers, spec, key)
        return table

    def evidence_of(self, index: int, spec: int) -> tuple[int, str]:
        """(kind, quoted words) of the strongest evidence of a specialization in a program."""
        kind = int(self.kind[index, spec])
        place = (int(self.item[index, spec]), int(self.start[index, spec]), int(self.end[index, spec]))
        return kind, grounding.quote(self.programs[index], kind, *place)

    def program(self, index: int) -> ProgramTable:
        """A program's table, built on first use."""
        table = self._programs.get(index)
        if table is None:
            table = self._programs[index] = self._build(index)
        return table

    def _build(self, index: int) -> ProgramTable:
        program = self.programs[index]
        named, said, absent, evidence = [], [], [], []
        for s, spec in enumerate(self.specializations):
            kind, quote = self.evidence_of(index, s)
            named.append(bool(grounding.STRENGTH[kind] >= grounding.NAMED))
            said.append(tuple(reasons.evidence_reason(program, spec, rank, kind, quote) for rank in range(3)))
            absent.append(reasons.absence_reason(program, spec, kind, quote))
            if kind:
                evidence.append((spec.id, grounding.KIND_NAMES[kind], quote))
        return ProgramTable(tuple(named), tuple(said), tuple(absent), tuple(evidence), fit.note_table(program))

    def fit_reasons(self, index: int, top: tuple[int, ...]) -> tuple[str, ...]:
        """Up to two sentences quoting what the program's words name among the user's best specializations."""
        key = (index, top)
        found = self._fit_reasons.get(key)
        if found is None:
            table = self.program(index)
            said = [table.evidence_reasons[spec][rank] for rank, spec in enumerate(top) if table.named[spec]][:2]
            if not table.named[top[0]]:
                said.append(table.absence_reasons[top[0]])
            if len(self._fit_reasons) > 200_000:
                self._fit_reasons.clear()
            found = self._fit_reasons[key] = tuple(said)
        return found

    def coverage_notes(self, best: int, count: int, total: int, fitting: int) -> tuple[str, ...]:
        """How many programs in the catalogue name the best specialization, and how many of those fit."""
        key = (best, count, fitting)
        found = self._coverage.get(key)
        if found is None:
            found = self._coverage[key] = _coverage_notes(self.specializations[best], count, total, fitting)
        return found


def _answers_with(field: str, value: str, quiz):
    """Answers holding one value: a specialization reason reads only the value it quotes."""
    base = {
        "interests": (value,) if field == "interests" else (next(iter(quiz.INTERESTS)),),
        "background": value if field == "background" else next(iter(quiz.BACKGROUNDS)),
        "experience_years": 0,
        "goal": value if field == "goal" else next(iter(quiz.GOALS)),
        "industry": value if field == "industry" else quiz.ANY,
        "format": quiz.ANY,
        "pace": quiz.ANY,
        "max_budget_usd": None,
        "region": quiz.ANY,
    }
    return quiz.Answers(**base)


def _coverage_notes(spec: Specialization, count: int, total: int, fitting: int) -> tuple[str, ...]:
    what = f"{reasons.a(spec.subject)} track, degree or course"
    if count == 0:
        return (f"None of the {total:,} programs in our catalogue name {what}.",)
    verb = "names" if count == 1 else "name"
    fits = "it fits" if count == 1 else f"{fitting:,} fit"
    if count == 1 and not fitting:
        fits = "it is outside your limits or its facts are not published"
    return (f"{count:,} of {total:,} programs in our catalogue {verb} {what}; {fits} your limits.",)
