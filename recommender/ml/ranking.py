"""Serving: one query vector and one matrix product per request, then honest, explained rankings.

Nothing here calls scikit-learn; the arrays were precomputed at training time.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from recommender.domain import quiz
from recommender.domain.catalog import Catalogs, Program, Role, Specialization
from recommender.ml.features import FORMAT_BITS, PACE_BITS, query_answer_keys

CONSTRAINTS: tuple[str, ...] = ("format", "pace", "budget", "region")
MAX_REASONS = 4
# Contributions below this are noise from the text block, not a reason worth telling.
REASON_FLOOR = 0.01
ID_BITS = 20  # program id rank in the low bits of the sort key; up to ~1M programs
SCORE_STEPS = 1_000_000
RECENT_RECOMMENDATIONS = 1024  # scores are ranked at 1e-6 resolution, so float noise never reorders


class SpecializationMatch(NamedTuple):
    """A ranked specialization with its score and the answers that put it there."""

    specialization: Specialization
    score: float
    reasons: tuple[str, ...]
    contributions: dict[str, float]


# NamedTuples rather than dataclasses: a response builds eighteen of these per request.
class ProgramMatch(NamedTuple):
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
        # An unknown tuition is infinite, so it never fits a budget (the contract's honesty rule).
        self.tuition_or_inf = np.nan_to_num(arrays["tuition"], nan=np.inf)
        self.region_codes = {r: i for i, r in enumerate(quiz.REGIONS)}
        self.region_code = np.array([self.region_codes[str(r)] for r in arrays["region"]], dtype=np.int8)
        self.vocabulary = arrays["vocabulary"]
        self._program_terms = (arrays["program_terms_indptr"], arrays["program_terms"])
        self._answer_terms = (arrays["answer_terms_indptr"], arrays["answer_terms"])
        self.evidence: list[dict[str, str]] = meta["evidence"]
        # Sentences depend only on (program, answer) or (program, constraints); building them is
        # most of the cost of explaining, so each is built once per process and reused.
        self._sentences: dict[tuple[object, ...], object] = {}
        # The same answers always get the same recommendation from a version, so recent ones are
        # kept: a results page reloaded, voted on or compared, or an API client asking again.
        self.recommend = functools.lru_cache(maxsize=RECENT_RECOMMENDATIONS)(self._recommend)
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
            table[:, 2] = ~(self.tuition_or_inf <= answers.max_budget_usd)
        if answers.region != quiz.ANY:
            table[:, 3] = self.region_code != self.region_codes[answers.region]
        return table

    def rank(self, answers: quiz.Answers, limit: int = 10) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Order specializations and the top `limit` programs; no explanations.

        Returns (specialization order, all scores, program order, misses table). Programs meeting
        every constraint come first, then fewer misses, then higher score, then id: a total order.
        """
        return self._rank(answers, self.scores(answers), limit)

    def _rank(
        self, answers: quiz.Answers, scores: np.ndarray, limit: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
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

    def _recommend(self, answers: quiz.Answers, limit: int = 10) -> Recommendation:
        """Rank specializations and programs for `answers` and explain each result.

        Called as `recommend`, through a bounded per-instance cache.
        """
        keys, rows, text_norm, answer_norm = self._query_parts(answers)
        # Each answer's share of a score: the product is linear in the answers' rows, so the
        # query is the sum of these contributions and the scores the sum of their products.
        contributions = rows.copy()
        contributions[:, : self.split] *= self.alpha / text_norm if text_norm else 0.0
        contributions[:, self.split :] *= self.beta / answer_norm
        spec_order, scores, program_order, misses = self._rank(answers, self.items @ contributions.sum(axis=0), limit)
        shown = np.concatenate([spec_order, self.n_specs + program_order])
        products = (contributions @ self.items[shown].T).T  # per shown item, per answer
        parts = products.tolist()
        # Answers ordered by their share of each specialization's score, biggest first (stable).
        spec_reason_order = np.argsort(-products[: self.n_specs], axis=1, kind="stable").tolist()
        # Which specialization carries each answer into each shown program, and how strongly.
        carriers = self.profile[program_order][:, :, None] * self.links[:, [self.answer_index[k] for k in keys]]
        carrier_spec, carrier_weight = carriers.argmax(axis=1).tolist(), carriers.max(axis=1).tolist()
        said = {k: _you_chose(answers, *k.split(":", 1)) for k in keys}
        # Only the shown rows become Python objects: the whole table would be O(programs) work.
        shown_scores, shown_misses = scores[shown].tolist(), misses[program_order].tolist()
        specs = tuple(
            self._specialization_match(answers, keys, i, shown_scores[col], parts[col], spec_reason_order[col])
            for col, i in enumerate(spec_order.tolist())
        )
        programs = tuple(
            self._program_match(
                answers,
                keys,
                said,
                p,
                shown_scores[self.n_specs + col],
                parts[self.n_specs + col],
                (carrier_spec[col], carrier_weight[col]),
                shown_misses[col],
            )
            for col, p in enumerate(program_order.tolist())
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
        self,
        answers: quiz.Answers,
        keys: list[str],
        index: int,
        score: float,
        parts: list[float],
        ranked: list[int],
    ) -> SpecializationMatch:
        spec = self.specializations[index]
        contributions = dict(zip(keys, parts, strict=True))
        reasons = [
            self._memo((spec.id, keys[j]), lambda j=j: specialization_reason(answers, spec, keys[j]))
            for j in ranked[:MAX_REASONS]
            if parts[j] >= REASON_FLOOR
        ]
        if not reasons:
            reasons = ["Few of your answers point here; it ranks on general overlap with them."]
        return SpecializationMatch(spec, _display(score), tuple(reasons[:MAX_REASONS]), contributions)

    def _program_match(
        self,
        answers: quiz.Answers,
        keys: list[str],
        said: dict[str, str],
        index: int,
        score: float,
        parts: list[float],
        carriers: tuple[list[int], list[float]],
        missed: list[bool],
    ) -> ProgramMatch:
        program = self.programs[index]
        reasons: list[str] = []
        for j in sorted(range(len(keys)), key=lambda j: (-parts[j], j)):
            if parts[j] < REASON_FLOOR or len(reasons) >= 2:
                break
            key, carrier = keys[j], self.specializations[carriers[0][j]].id if carriers[1][j] > 0 else ""
            reason = self._memo(
                (index, key, carrier),
                lambda key=key, carrier=carrier: self._answer_reason(said[key], key, index, carrier),
            )
            if reason and reason not in reasons:
                reasons.append(reason)
        constraints = (answers.format, answers.pace, answers.max_budget_usd, answers.region)
        reasons += self._memo((index, constraints), lambda: constraint_reasons(answers, program, missed))
        return ProgramMatch(
            program=program,
            score=_display(score),
            reasons=tuple(reasons),
            constraint_misses=self._memo(
                ("misses", *missed), lambda: tuple(c for c, m in zip(CONSTRAINTS, missed, strict=True) if m)
            ),
            cost_known=program.tuition_usd is not None,
            inferred_specializations=() if program.specializations else tuple(self.evidence[index]),
        )

    def _memo(self, key: tuple[object, ...], build):
        """A sentence from the per-process cache, built on first use (the cache is bounded)."""
        found = self._sentences.get(key)
        if found is None:
            if len(self._sentences) > 200_000:
                self._sentences.clear()
            found = self._sentences[key] = build()
        return found

    def _answer_reason(self, said: str, key: str, index: int, carrier: str) -> str:
        """Why one answer reaches a program: a specialization it teaches, or shared words."""
        if carrier:  # the answer reaches this program through a specialization it teaches
            return f"{said}; {self.evidence[index][carrier]}."
        terms = self._shared_terms(self.answer_index[key], index)
        return f"{said}; its courses and description mention {', '.join(terms)}." if terms else ""

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
        goal = self.roles_by_id[answers.goal]
        seen = {goal.id}
        related: list[Role] = []
        for spec in top:
            for role_id in spec.roles:
                if role_id in self.roles_by_id and role_id not in seen:
                    seen.add(role_id)
                    related.append(self.roles_by_id[role_id])
        return (goal, *sorted(related, key=lambda r: r.ladder_step))


def _display(score: float) -> float:
    """Scores are cosines; shown clipped to 0..1 and rounded so equal inputs print equally."""
    return round(min(max(score, 0.0), 1.0), 4)


def _you_chose(answers: quiz.Answers, field: str, value: str) -> str:
    """How a reason quotes one of the user's answers."""
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


def constraint_reasons(answers: quiz.Answers, program: Program, missed: list[bool]) -> tuple[str, ...]:
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
    return tuple(reasons)


def tuition_text(program: Program) -> str:
    """Whole-program tuition with its year, or that the year is not stated."""
    if program.tuition_usd is None:
        return "cost not known"
    year = f"for {program.tuition_year}" if program.tuition_year else "year not stated"
    return f"${program.tuition_usd:,} ({year})"
