"""The gate's rules: which metrics a version needs before it may be served. Pure functions, no database.

A version is refused when its specialization accuracy or its program metrics fall below their
floors. A candidate (never served) is also refused when it does worse than the active version on
either, or when its catalogue collapsed against the active one: far fewer programs, or a field
that far fewer programs fill. A version served before may be rolled back to on the floors alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Program metric floors, from the labelled program personas (data/program_personas.csv).
PROGRAM_FLOORS: dict[str, float] = {"precision_at_3": 0.6, "ndcg_at_10": 0.7, "grounded_share": 0.98}
PROGRAM_LABELS: dict[str, str] = {
    "precision_at_3": "program precision@3",
    "ndcg_at_10": "program nDCG@10",
    "grounded_share": "share of program reasons grounded in program text",
}
# A candidate may not drop below this share of the active catalogue's programs ...
MIN_PROGRAM_SHARE = 0.8
# ... nor fill any column for this much less of its programs (absolute share).
MAX_COVERAGE_DROP = 0.10


@dataclass(frozen=True, slots=True)
class Verdict:
    """The problems that keep a version from being served (empty: it passes) and a summary of its scores."""

    problems: tuple[str, ...]
    summary: str


def summary(metrics: dict[str, Any]) -> str:
    """The scores a decision quotes: specialization top-1/top-3, then program metrics when recorded."""
    text = f"top-1 {metrics['top1']:.1%}, top-3 {metrics['top3']:.1%}"
    programs = metrics.get("programs")
    if programs:
        text += (
            f"; programs precision@3 {programs['precision_at_3']:.1%}, nDCG@10 {programs['ndcg_at_10']:.1%},"
            f" grounded {programs['grounded_share']:.1%}"
        )
    return text


def judge(
    metrics: dict[str, Any], *, floor: float, active: dict[str, Any] | None, active_id: str = "", candidate: bool
) -> Verdict:
    """Every reason the gate has to refuse a version with `metrics` (see the module docstring)."""
    problems: list[str] = []
    top1 = metrics["top1"]
    if top1 < floor:
        problems.append(f"persona top-1 accuracy {top1:.1%} is below the floor of {floor:.1%}")
    programs = metrics.get("programs") or {}
    for key, low in PROGRAM_FLOORS.items():
        if key in programs and programs[key] < low:
            problems.append(f"{PROGRAM_LABELS[key]} {programs[key]:.1%} is below the floor of {low:.1%}")
    if candidate and active is not None:
        problems += _against_active(metrics, active, active_id)
    return Verdict(tuple(problems), summary(metrics))


def _against_active(metrics: dict[str, Any], active: dict[str, Any], active_id: str) -> list[str]:
    problems: list[str] = []
    top1, top3 = metrics["top1"], metrics["top3"]
    if (top1, top3) < (active["top1"], active["top3"]):
        problems.append(
            f"persona accuracy (top-1 {top1:.1%}, top-3 {top3:.1%}) is below the active version {active_id} "
            f"(top-1 {active['top1']:.1%}, top-3 {active['top3']:.1%})"
        )
    mine, theirs = metrics.get("programs") or {}, active.get("programs") or {}
    for key in PROGRAM_FLOORS:
        if key in mine and key in theirs and mine[key] < theirs[key]:
            problems.append(f"{PROGRAM_LABELS[key]} {mine[key]:.1%} is below the active version's {theirs[key]:.1%}")
    new, old = metrics.get("catalog") or {}, active.get("catalog") or {}
    if new and old:
        count, before = int(new.get("programs", 0)), int(old.get("programs", 0))
        if before and count < MIN_PROGRAM_SHARE * before:
            problems.append(
                f"the catalogue has {count:,} programs against {before:,} in the active version "
                f"(at least {MIN_PROGRAM_SHARE:.0%} are needed)"
            )
        dropped = [
            f"{column} {old[column]:.0%} → {new.get(column, 0.0):.0%}"
            for column in sorted(old)
            if column != "programs" and old[column] - new.get(column, 0.0) > MAX_COVERAGE_DROP
        ]
        if dropped:
            problems.append("field coverage fell against the active version: " + ", ".join(dropped))
    return problems
