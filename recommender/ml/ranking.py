"""Serving: one query vector and one matrix product per request, then honest, explained rankings.

Nothing here calls scikit-learn; the arrays were precomputed at training time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from recommender.domain import quiz
from recommender.domain.catalog import Catalogs, Program, Role, Specialization
from recommender.ml.features import FORMAT_BITS, PACE_BITS, query_answer_keys

CONSTRAINTS: tuple[str, ...] = ("format", "pace", "budget", "region")
MAX_REASONS = 4
# Contributions below this are noise from the text block, not a reason worth telling.
REASON_FLOOR = 0.01
ID_BITS = 20  # program id rank in the low bits of the sort key; up to ~1M programs
SCORE_STEPS = 1_000_000  # scores are ranked at 1e-6 resolution, so float noise never reorders


@dataclass(frozen=True)
class SpecializationMatch:
    """A ranked specialization with its score and the answers that put it there."""

    specialization: Specialization
    score: float
    reasons: tuple[str, ...]
    contributions: dict[str, float] = field(repr=False)


@dataclass(frozen=True)
class ProgramMatch:
    """A ranked program, its reasons, and the hard constraints it misses."""

    program: Program
    score: float
    reasons: tuple[str, ...]
    constraint_misses: tuple[str, ...]
    cost_known: bool
    inferred_specializations: tuple[str, ...]


@dataclass(frozen=True)
class Recommendation:
    """Everything one set of answers gets back from one model version."""

    answers: quiz.Answers
    model_version: str
    specializations: tuple[SpecializationMatch, ...]
    programs: tuple[ProgramMatch, ...]
    programs_meeting_constraints: int
    roles: tuple[Role, ...]
    runner_up_note: str


class Recommender:
    """A loaded model version: precomputed arrays, its programs and the shared catalogues."""

    def __init__(
        self,
        version_id: str,
        arrays: dict[str, np.ndarray],
        meta: dict[str, Any],
        programs: tuple[Program, ...],
        catalogs: Catalogs,
    ):
        if tuple(arrays["program_ids"]) != tuple(p.id for p in programs):
            raise ValueError("artifact programs do not match the version's programs file")
        self.version_id = version_id
        self.meta = meta
        self.programs = programs
        self.catalogs = catalogs
        self.specializations = catalogs.specializations
        self.roles_by_id = catalogs.roles_by_id
        self.answer_index = {k: i for i, k in enumerate(arrays["answer_keys"].tolist())}
        self.answer_rows = np.ascontiguousarray(arrays["answer_rows"])
        self.split = int(arrays["block_split"][0])
        self.alpha, self.beta = (float(x) for x in arrays["query_blocks"])
        self.items = np.ascontiguousarray(arrays["item_rows"])
        self.n_specs = len(arrays["specialization_ids"])
        self.links = arrays["links"]
        self.profile = arrays["profile"]
        self.id_rank = arrays["program_id_rank"]
        self.format_mask = arrays["format_mask"]
        self.pace_mask = arrays["pace_mask"]
        self.region = arrays["region"]
        self.tuition = arrays["tuition"]
        self.cost_known = ~np.isnan(self.tuition)
        self.vocabulary = arrays["vocabulary"]
        self._program_terms = (arrays["program_terms_indptr"], arrays["program_terms"])
        self._answer_terms = (arrays["answer_terms_indptr"], arrays["answer_terms"])
        self.evidence: list[dict[str, str]] = meta["evidence"]
        if [s.id for s in self.specializations] != arrays["specialization_ids"].tolist():
            raise ValueError("artifact specializations do not match the catalogue")

    # ------------------------------------------------------------------ the fast path

    def _query_parts(self, answers: quiz.Answers) -> tuple[list[str], np.ndarray, float, float]:
        keys = [key for _, key in query_answer_keys(answers)]
        rows = self.answer_rows[[self.answer_index[k] for k in keys]]
        total = rows.sum(axis=0)
        text_norm = float(np.linalg.norm(total[: self.split]))
        answer_norm = float(np.linalg.norm(total[self.split :]))
        return keys, rows, text_norm, answer_norm

    def query_vector(self, answers: quiz.Answers) -> np.ndarray:
        """The unit query vector for a set of answers: a sum of precomputed rows, block-scaled."""
        _, rows, text_norm, answer_norm = self._query_parts(answers)
        return self._scale(rows.sum(axis=0), text_norm, answer_norm)

    def _scale(self, vector: np.ndarray, text_norm: float, answer_norm: float) -> np.ndarray:
        scaled = vector.copy()
        scaled[: self.split] *= self.alpha / text_norm if text_norm else 0.0
        scaled[self.split :] *= self.beta / answer_norm
        return scaled

    def scores(self, answers: quiz.Answers) -> np.ndarray:
        """Scores of every specialization then every program: the one matrix product."""
        return self.items @ self.query_vector(answers)

    def misses(self, answers: quiz.Answers) -> np.ndarray:
        """A (programs x 4) boolean table: which hard constraint each program misses.

        Unknown facts count as misses, because a program cannot be shown to meet them: an
        unstated format (the contract), and an unstated tuition when a budget is set.
        """
        n = len(self.programs)
        table = np.zeros((n, len(CONSTRAINTS)), dtype=bool)
        if answers.format != quiz.ANY:
            table[:, 0] = (self.format_mask & FORMAT_BITS[answers.format]) == 0
        if answers.pace != quiz.ANY:
            table[:, 1] = (self.pace_mask & PACE_BITS[answers.pace]) == 0
        if answers.max_budget_usd is not None:
            table[:, 2] = ~(self.cost_known & (np.nan_to_num(self.tuition, nan=np.inf) <= answers.max_budget_usd))
        if answers.region != quiz.ANY:
            table[:, 3] = self.region != answers.region
        return table

    def rank(self, answers: quiz.Answers, limit: int = 10) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Order specializations and the top `limit` programs; no explanations.

        Returns (specialization order, all scores, program order, misses table). Programs meeting
        every constraint come first, then fewer misses, then higher score, then id: a total order.
        """
        scores = self.scores(answers)
        spec_scores = scores[: self.n_specs]
        # Specializations tie-break by their fixed contract order (lexsort: last key is primary).
        quantized = np.rint(spec_scores.astype(np.float64) * SCORE_STEPS)
        spec_order = np.lexsort((np.arange(self.n_specs), -quantized))
        misses = self.misses(answers)
        program_order = self._order_programs(scores[self.n_specs :], misses.sum(axis=1), limit)
        return spec_order, scores, program_order, misses

    def _order_programs(self, scores: np.ndarray, miss_count: np.ndarray, limit: int) -> np.ndarray:
        clipped = np.clip(scores.astype(np.float64), -1.0, 1.0)
        badness = np.rint((1.0 - clipped) * SCORE_STEPS).astype(np.int64)  # 0 .. 2e6 < 2**21
        key = (miss_count.astype(np.int64) << (21 + ID_BITS)) | (badness << ID_BITS) | self.id_rank
        if limit < len(key):
            top = np.argpartition(key, limit)[:limit]
            return top[np.argsort(key[top])]
        return np.argsort(key)

    # ------------------------------------------------------------------ explanations

    def recommend(self, answers: quiz.Answers, limit: int = 10) -> Recommendation:
        """Rank specializations and programs for `answers` and explain each result."""
        spec_order, scores, program_order, misses = self.rank(answers, limit)
        keys, rows, text_norm, answer_norm = self._query_parts(answers)
        # Each answer's share of a score: the product is linear in the answers' rows.
        contributions = np.stack([self._scale(r, text_norm, answer_norm) for r in rows])
        shown = np.concatenate([spec_order, self.n_specs + program_order])
        parts = contributions @ self.items[shown].T  # (answers x shown items)
        spec_parts = parts[:, : self.n_specs]
        specs = tuple(
            self._specialization_match(answers, keys, int(i), float(scores[i]), spec_parts[:, col])
            for col, i in enumerate(spec_order)
        )
        programs = tuple(
            self._program_match(
                answers, keys, int(p), float(scores[self.n_specs + p]), parts[:, self.n_specs + col], misses[p]
            )
            for col, p in enumerate(program_order)
        )
        return Recommendation(
            answers=answers,
            model_version=self.version_id,
            specializations=specs,
            programs=programs,
            programs_meeting_constraints=int((~misses.any(axis=1)).sum()),
            roles=self.roles_for(answers, [m.specialization for m in specs[:3]]),
            runner_up_note=runner_up_note(answers, specs[0], specs[1]),
        )

    def _specialization_match(
        self, answers: quiz.Answers, keys: list[str], index: int, score: float, parts: np.ndarray
    ) -> SpecializationMatch:
        spec = self.specializations[index]
        contributions = {k: float(v) for k, v in zip(keys, parts, strict=True)}
        ranked = sorted(contributions.items(), key=lambda kv: (-kv[1], keys.index(kv[0])))
        reasons = [specialization_reason(answers, spec, k) for k, v in ranked if v >= REASON_FLOOR]
        if not reasons:
            reasons = ["Few of your answers point here; it ranks on general overlap with them."]
        return SpecializationMatch(spec, _display(score), tuple(reasons[:MAX_REASONS]), contributions)

    def _program_match(
        self,
        answers: quiz.Answers,
        keys: list[str],
        index: int,
        score: float,
        parts: np.ndarray,
        missed: np.ndarray,
    ) -> ProgramMatch:
        program = self.programs[index]
        reasons: list[str] = []
        order = sorted(range(len(keys)), key=lambda j: (-parts[j], j))
        for j in order:
            if parts[j] < REASON_FLOOR or len(reasons) >= 2:
                break
            reason = self._program_reason(answers, keys[j], index)
            if reason and reason not in reasons:
                reasons.append(reason)
        reasons += constraint_reasons(answers, program, missed)
        inferred = () if program.specializations else tuple(self.evidence[index])
        return ProgramMatch(
            program=program,
            score=_display(score),
            reasons=tuple(reasons),
            constraint_misses=tuple(c for c, m in zip(CONSTRAINTS, missed, strict=True) if m),
            cost_known=program.tuition_usd is not None,
            inferred_specializations=inferred,
        )

    def _program_reason(self, answers: quiz.Answers, key: str, index: int) -> str:
        field, value = key.split(":", 1)
        chose = _you_chose(answers, field, value)
        key_col = self.answer_index[key]
        carriers = self.profile[index] * self.links[:, key_col]
        if carriers.max() > 0:
            spec = self.specializations[int(np.argmax(carriers))]
            return f"{chose}; {self.evidence[index][spec.id]}."
        terms = self._shared_terms(key_col, index)
        if terms:
            return f"{chose}; its courses and description mention {', '.join(terms)}."
        return ""

    def _shared_terms(self, answer_col: int, index: int) -> list[str]:
        a_ptr, a_terms = self._answer_terms
        p_ptr, p_terms = self._program_terms
        wanted = set(a_terms[a_ptr[answer_col] : a_ptr[answer_col + 1]].tolist())
        found = [int(t) for t in p_terms[p_ptr[index] : p_ptr[index + 1]] if int(t) in wanted]
        words = [str(self.vocabulary[t]) for t in found]
        # Prefer phrases ("supply chain") to the single words they contain.
        phrases = [w for w in words if " " in w]
        singles = [w for w in words if " " not in w and not any(w in p.split() for p in phrases)]
        return (phrases + singles)[:3]

    def roles_for(self, answers: quiz.Answers, top: list[Specialization]) -> tuple[Role, ...]:
        """The user's goal first, then the roles the top specializations lead to, up the ladder."""
        chosen: list[Role] = [self.roles_by_id[answers.goal]]
        for spec in top:
            for role_id in spec.roles:
                role = self.roles_by_id.get(role_id)
                if role is not None and role not in chosen:
                    chosen.append(role)
        return tuple(chosen)


def _display(score: float) -> float:
    """Scores are cosines; shown clipped to 0..1 and rounded so equal inputs print equally."""
    return round(min(max(score, 0.0), 1.0), 4)


def _you_chose(answers: quiz.Answers, field: str, value: str) -> str:
    label = answers.label(field, value) if field == "interests" else answers.label(field)
    return {
        "interests": f"You chose “{label}”",
        "goal": f"Your goal is “{label}”",
        "background": f"Your background is “{label}”",
        "industry": f"You named “{label}” as your industry",
    }[field]


def specialization_reason(answers: quiz.Answers, spec: Specialization, key: str) -> str:
    """One sentence on how one of the user's answers leads to a specialization."""
    field, value = key.split(":", 1)
    chose = _you_chose(answers, field, value)
    linked = (
        value
        in {
            "interests": spec.interests,
            "goal": spec.goals,
            "background": spec.backgrounds,
            "industry": spec.industries,
        }[field]
    )
    if field == "interests":
        return f"{chose}: {spec.name} is built around it." if linked else f"{chose}, which {spec.name} touches on."
    if field == "goal":
        return (
            f"{chose}, a role {spec.name} prepares you for."
            if linked
            else f"{chose}; {spec.name} skills help there too."
        )
    if field == "background":
        return (
            f"{chose}; engineers from it often move into {spec.name}."
            if linked
            else f"{chose}, which fits {spec.name}."
        )
    return (
        f"{chose}, where {spec.name} skills are in demand."
        if linked
        else f"{chose}, which uses some {spec.name} skills."
    )


def runner_up_note(answers: quiz.Answers, first: SpecializationMatch, second: SpecializationMatch) -> str:
    """Why the second specialization came second, from the answers that separate the two."""
    gaps = {k: first.contributions[k] - second.contributions.get(k, 0.0) for k in first.contributions}
    decider = max(gaps, key=lambda k: (gaps[k], k))
    field, value = decider.split(":", 1)
    label = answers.label(field, value) if field == "interests" else answers.label(field)
    support = [
        answers.label(k.split(":", 1)[0], k.split(":", 1)[1])
        if k.startswith("interests:")
        else answers.label(k.split(":", 1)[0])
        for k, v in sorted(second.contributions.items(), key=lambda kv: -kv[1])
        if v >= REASON_FLOOR
    ][:2]
    matched = f"it also matches “{'” and “'.join(support)}”" if support else "it matches fewer of your answers"
    return (
        f"{second.specialization.name} came second ({second.score:.0%} vs {first.score:.0%}): "
        f"{matched}, but “{label}” points more strongly to {first.specialization.name}."
    )


def constraint_reasons(answers: quiz.Answers, program: Program, missed: np.ndarray) -> list[str]:
    """Plain statements about each constraint the user set, and about unknown cost."""
    reasons: list[str] = []
    if answers.format != quiz.ANY:
        offered = ", ".join(quiz.FORMATS[f].lower() for f in program.formats)
        wanted = quiz.FORMATS[answers.format].lower()
        if not program.formats:
            reasons.append(f"Format not stated by the program, so it cannot be shown to be {wanted}.")
        elif missed[0]:
            reasons.append(f"Not offered {wanted}: offered {offered}.")
        else:
            reasons.append(f"Offered {wanted}, as you asked.")
    if answers.pace != quiz.ANY:
        wanted = quiz.PACES[answers.pace].split(" (")[0].lower()
        if not program.paces and not program.offers_accelerated:
            reasons.append(f"Pace not stated by the program, so it cannot be shown to be {wanted}.")
        elif missed[1]:
            reasons.append(f"Not stated as {wanted}.")
        else:
            reasons.append(f"Available {wanted}, as you asked.")
    cost = tuition_text(program)
    if answers.max_budget_usd is not None:
        if program.tuition_usd is None:
            reasons.append("Cost not known, so it cannot be checked against your budget.")
        elif missed[2]:
            reasons.append(f"Tuition {cost} is over your ${answers.max_budget_usd:,} budget.")
        else:
            reasons.append(f"Tuition {cost} is within your ${answers.max_budget_usd:,} budget.")
    elif program.tuition_usd is None:
        reasons.append("Cost not known.")
    if answers.region != quiz.ANY:
        where = quiz.REGIONS[program.region]
        reasons.append(
            f"Not in {quiz.REGIONS[answers.region]}: it is in {where}." if missed[3] else f"In {where}, as you asked."
        )
    return reasons


def tuition_text(program: Program) -> str:
    """Whole-program tuition with its year, or that the year is not stated."""
    if program.tuition_usd is None:
        return "cost not known"
    year = f"for {program.tuition_year}" if program.tuition_year else "year not stated"
    return f"${program.tuition_usd:,} ({year})"
