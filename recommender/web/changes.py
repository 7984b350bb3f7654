"""What changed between two results pages: the answers, the best specialization, the fit, the top three.

A presenter: it compares two `Recommendation`s and words the difference; it never ranks.
"""

from __future__ import annotations

from dataclasses import dataclass

from recommender.ml.ranking import Recommendation
from recommender.web.presenters import answer_summary
from recommender.web.summary import best_group

TOP_PROGRAMS = 3


@dataclass(frozen=True)
class Changes:
    """The difference a changed answer made, as the top of the new results page says it."""

    answers: tuple[tuple[str, str, str], ...]  # (question, before, now)
    best_before: str
    best_now: str
    fit_before: int
    fit_now: int
    joined: tuple[str, ...]  # "Program, University" of programs new to the top three
    left: tuple[str, ...]
    same_version: bool

    @property
    def best_moved(self) -> bool:
        return self.best_before != self.best_now

    @property
    def nothing(self) -> bool:
        """True when the page is the same as before (same answers, same version)."""
        return not self.answers and self.same_version


def top_programs(recommendation: Recommendation) -> list[tuple[str, str]]:
    """(id, "Program, University") of the top three of the best fit group, as the summary shows them."""
    return [
        (m.program.id, f"{m.program.program}, {m.program.university}")
        for m in best_group(recommendation)[:TOP_PROGRAMS]
    ]


def fitting(recommendation: Recommendation) -> int:
    """How many programs in the catalogue meet every limit the user set."""
    return recommendation.fit_counts.get("meets", 0)


def what_changed(before: Recommendation, now: Recommendation) -> Changes:
    """Compare the results a user came from with the new ones."""
    answers = tuple(
        (question, old, new)
        for (question, old), (_, new) in zip(answer_summary(before.answers), answer_summary(now.answers), strict=True)
        if old != new
    )
    top_before, top_now = dict(top_programs(before)), dict(top_programs(now))
    return Changes(
        answers=answers,
        best_before=before.specializations[0].specialization.name,
        best_now=now.specializations[0].specialization.name,
        fit_before=fitting(before),
        fit_now=fitting(now),
        joined=tuple(name for pid, name in top_now.items() if pid not in top_before),
        left=tuple(name for pid, name in top_before.items() if pid not in top_now),
        same_version=before.model_version == now.model_version,
    )
