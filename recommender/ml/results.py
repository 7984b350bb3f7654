"""What a recommendation holds: ranked specializations and programs, each with its reasons."""

from __future__ import annotations

from typing import NamedTuple, Protocol

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


class Ranked(NamedTuple):
    """The numbers behind one recommendation, before any words: what its explanations are built from."""

    keys: list[str]  # the answer values the query switched on, in query order
    spec_order: list[int]  # specialization indexes, best first
    spec_scores: list[float]  # raw score per specialization index
    parts: list[list[float]]  # [specialization][answer]: each answer's share of the score
    ranked_answers: list[list[int]]  # [specialization]: answer indexes, largest share first
    top: tuple[int, ...]  # the user's best specializations for grounding programs
    order: list[int]  # the shown programs' indexes, in order
    scores: list[float]  # their raw scores
    levels: list[int]  # their grounding levels
    constraints: tuple[object, ...]  # (format, pace, budget, region) as answered
    columns: list  # (constraint column, status per program) for each constraint set
    counts: list[int]  # programs per fit group, in `fit.FITS` order
    fitting: int  # programs naming the best specialization that fit every limit


class Wording(Protocol):
    """What turns a `Ranked` into words: the tables of the version that ranked it."""

    specializations: tuple[Specialization, ...]
    programs: tuple[Program, ...]

    def specialization_matches(self, recommendation: Recommendation) -> tuple[SpecializationMatch, ...]: ...
    def program_matches(self, recommendation: Recommendation) -> tuple[ProgramMatch, ...]: ...
    def roles(self, recommendation: Recommendation) -> tuple[Role, ...]: ...
    def coverage_notes(self, recommendation: Recommendation) -> tuple[str, ...]: ...
    def runner_up_note(self, recommendation: Recommendation) -> str: ...


class Recommendation:
    """Everything one set of answers gets back from one model version.

    The ranking is done when this is made; the explanation objects are built from the version's
    tables on first use, so a caller that needs only the order (or encodes the words straight from
    the tables, as the API does) never pays for the rest (issue 12).
    """

    def __init__(self, answers: quiz.Answers, model_version: str, catalog_size: int, ranked: Ranked, wording: Wording):
        self.answers = answers
        self.model_version = model_version
        self.catalog_size = catalog_size
        self.ranked = ranked
        self.wording = wording
        self.fit_counts: dict[str, int] = dict(zip(("meets", "unknown", "misses"), ranked.counts, strict=True))

    def __repr__(self) -> str:
        return f"Recommendation({self.model_version!r}, {self.answers!r})"

    # The words, built on first use and then plain attributes (`__getattr__` runs only while an
    # attribute is missing): specializations, programs, roles, coverage_notes, runner_up_note.
    specializations: tuple[SpecializationMatch, ...]
    programs: tuple[ProgramMatch, ...]
    roles: tuple[Role, ...]
    coverage_notes: tuple[str, ...]
    runner_up_note: str

    def __getattr__(self, name: str):
        build = _LAZY.get(name)
        if build is None or "wording" not in self.__dict__:
            raise AttributeError(name)
        value = getattr(self.wording, build)(self)
        setattr(self, name, value)
        return value

    @property
    def top_specialization_id(self) -> str:
        """The best specialization's id, without building any words."""
        return self.wording.specializations[self.ranked.spec_order[0]].id

    @property
    def shown_program_ids(self) -> list[str]:
        """The shown programs' ids in order, without building any words."""
        programs = self.wording.programs
        return [programs[i].id for i in self.ranked.order]

    @property
    def programs_meeting_constraints(self) -> int:
        return self.fit_counts["meets"]


_LAZY = {
    "specializations": "specialization_matches",
    "programs": "program_matches",
    "roles": "roles",
    "coverage_notes": "coverage_notes",
    "runner_up_note": "runner_up_note",
}
