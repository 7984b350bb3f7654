"""What a recommendation holds: ranked specializations and programs, each with its reasons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from recommender.domain import quiz
from recommender.domain.catalog import Program, Role, Specialization


class SpecializationMatch(NamedTuple):
    """A ranked specialization with its score, band and the answers that put it there."""

    specialization: Specialization
    score: float
    reasons: tuple[str, ...]
    contributions: dict[str, float]
    band: str


# NamedTuples rather than dataclasses: a response builds eighteen of these per request.
class ProgramMatch(NamedTuple):
    """A ranked program: its fit group, the words that ground it, and what its facts say of the limits."""

    program: Program
    score: float
    band: str
    fit: str
    constraint_misses: tuple[str, ...]
    constraint_unknowns: tuple[str, ...]
    reasons: tuple[str, ...]
    constraint_notes: tuple[str, ...]
    evidence: tuple[tuple[str, str, str], ...]  # (specialization id, kind, quoted words)
    general: bool

    @property
    def cost_known(self) -> bool:
        return self.program.tuition_usd is not None

    @property
    def inferred_specializations(self) -> tuple[str, ...]:
        """Specializations read from the program's words when its file row lists none."""
        if self.program.specializations:
            return ()
        return tuple(spec for spec, kind, _ in self.evidence if kind in ("name", "track", "course"))


@dataclass(frozen=True)
class Recommendation:
    """Everything one set of answers gets back from one model version."""

    answers: quiz.Answers
    model_version: str
    specializations: tuple[SpecializationMatch, ...]
    programs: tuple[ProgramMatch, ...]
    fit_counts: dict[str, int]
    coverage_notes: tuple[str, ...]
    catalog_size: int
    roles: tuple[Role, ...]
    runner_up_note: str

    @property
    def programs_meeting_constraints(self) -> int:
        return self.fit_counts["meets"]
