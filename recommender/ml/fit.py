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


def tuition_text(program: Program) -> str:
    """Whole-program tuition with its year and where the figure comes from, or that it is not published."""
    if program.tuition_usd is None:
        return "not published"
    year = f"for {program.tuition_year}" if program.tuition_year else "year not stated"
    kind = program.tuition_source_kind
    if kind == "third-party":
        year += ", from a third-party page"
    elif kind is None:
        year += ", source page not named"
    return f"${program.tuition_usd:,} ({year})"
