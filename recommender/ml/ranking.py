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
from recommender.ml import fit, grounding, reasons
from recommender.ml.features import query_answer_keys
from recommender.ml.fit import CONSTRAINTS, FITS

MAX_REASONS = 4
ID_BITS = 20  # program id rank in the low bits of the sort key; up to ~1M programs
SCORE_BITS = 21  # (1 - score) at 1e-6 resolution: 0 .. 2e6 < 2**21
LEVEL_BITS = 6  # grounding level 0..33
BREADTH_BITS = 2  # how many of the user's other top specializations a program also names: 0..2
SCORE_STEPS = 1_000_000
RECENT_RECOMMENDATIONS = 1024  # scores are ranked at 1e-6 resolution, so float noise never reorders
# A specialization counts among the user's best for program grounding when it scores at least
# this share of the best one; a distant third says little about what they want.
TOP_SHARE = 0.5


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
        if [s.id for s in catalogs.specializations] != arrays["specialization_ids"].tolist():
            raise ValueError("artifact specializations do not match the catalogue")
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
        self.id_rank = arrays["program_id_rank"]
        self.facts = fit.FitArrays(
            format_mask=arrays["format_mask"],
            pace_mask=arrays["pace_mask"],
            accelerated_unknown=arrays["accelerated_unknown"],
            tuition=arrays["tuition"],
            region_code=np.array([fit.REGION_CODES[str(r)] for r in arrays["region"]], dtype=np.int8),
        )
        self.grounding_kind = arrays["grounding_kind"]
        self.strength = grounding.STRENGTH[self.grounding_kind]
        self._grounding = (arrays["grounding_item"], arrays["grounding_start"], arrays["grounding_end"])
        # Sentences depend only on (program, specialization, rank) or (program, constraints);
        # building them is most of the cost of explaining, so each is built once and reused.
        self._sentences: dict[tuple[object, ...], Any] = {}
        # The same answers always get the same recommendation from a version, so recent ones are
        # kept: a results page reloaded, voted on or compared, or an API client asking again.
        self.recommend = functools.lru_cache(maxsize=RECENT_RECOMMENDATIONS)(self._recommend)

    # ------------------------------------------------------------------ the fast path

    def _contributions(self, answers: quiz.Answers) -> tuple[list[str], np.ndarray]:
        """Each answer's scaled row: the query is their sum, so a score is the sum of their products."""
        keys = [key for _, key in query_answer_keys(answers)]
        rows = self.answer_rows[[self.answer_index[k] for k in keys]]
        total = rows.sum(axis=0)
        text_norm = float(np.linalg.norm(total[: self.split]))
        answer_norm = float(np.linalg.norm(total[self.split :]))
        scaled = rows.copy()
        scaled[:, : self.split] *= self.alpha / text_norm if text_norm else 0.0
        scaled[:, self.split :] *= self.beta / answer_norm
        return keys, scaled

    def query_vector(self, answers: quiz.Answers) -> np.ndarray:
        """The unit query vector for a set of answers: a sum of precomputed rows, block-scaled."""
        return self._contributions(answers)[1].sum(axis=0)

    def scores(self, answers: quiz.Answers) -> np.ndarray:
        """Scores of every specialization then every program: the one matrix product."""
        return self.items @ self.query_vector(answers)

    def fit_tables(self, answers: quiz.Answers) -> tuple[np.ndarray, np.ndarray]:
        """(known misses, unknowns) as two (programs x 4) boolean tables."""
        return fit.tables(answers, self.facts)

    def misses(self, answers: quiz.Answers) -> np.ndarray:
        """The known-misses table alone (an unpublished fact is never a miss)."""
        return self.fit_tables(answers)[0]

    def top_specializations(self, spec_order: np.ndarray, spec_scores: np.ndarray) -> list[int]:
        """The user's best specializations for grounding programs: the top three, minus distant ones."""
        best = float(spec_scores[spec_order[0]])
        return [int(i) for i in spec_order[:3] if float(spec_scores[i]) >= TOP_SHARE * best or i == spec_order[0]]

    def grounding_levels(self, top: list[int]) -> np.ndarray:
        """How strongly each program's own words name the user's best specializations.

        (3 - rank) * 10 + strength when its name, a track or a course names the specialization at
        that rank (33 = its name or a track names the best one), else 3 - rank when only its
        description mentions it, else 0. The best rank found wins.
        """
        level = np.zeros(len(self.programs), dtype=np.int64)
        for rank, spec in enumerate(top):
            strength = self.strength[:, spec].astype(np.int64)
            named = np.where(strength >= grounding.NAMED, (3 - rank) * 10 + strength, 0)
            described = np.where(strength == 1, 3 - rank, 0)
            level = np.maximum(level, np.maximum(named, described))
        return level

    def breadth(self, top: list[int]) -> np.ndarray:
        """How many of the user's top specializations after the best one each program also names (0..2)."""
        named = self.strength[:, top[1:]] >= grounding.NAMED
        return named.sum(axis=1).astype(np.int64)

    def rank(self, answers: quiz.Answers, limit: int = 10) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Order specializations and the top `limit` programs; no explanations.

        Returns (specialization order, all scores, program order, fit codes). Programs are ordered
        by fit group (meets, unknown, misses), then by how their own words name the user's best
        specializations, then by score, then by id: a total order.
        """
        scores = self.scores(answers)
        spec_order, program_order, codes, _, _ = self._rank(answers, scores, limit)
        return spec_order, scores, program_order, codes

    def _rank(self, answers: quiz.Answers, scores: np.ndarray, limit: int):
        spec_scores = scores[: self.n_specs]
        # Specializations tie-break by their fixed contract order (lexsort: last key is primary).
        quantized = np.rint(spec_scores.astype(np.float64) * SCORE_STEPS)
        spec_order = np.lexsort((np.arange(self.n_specs), -quantized))
        top = self.top_specializations(spec_order, spec_scores)
        levels = self.grounding_levels(top)
        misses, unknown = self.fit_tables(answers)
        codes = fit.fit_codes(misses, unknown)
        clipped = np.clip(scores[self.n_specs :].astype(np.float64), -1.0, 1.0)
        badness = np.rint((1.0 - clipped) * SCORE_STEPS).astype(np.int64)
        breadth = self.breadth(top)
        key = (
            (codes << (LEVEL_BITS + BREADTH_BITS + SCORE_BITS + ID_BITS))
            | ((63 - levels) << (BREADTH_BITS + SCORE_BITS + ID_BITS))
            | ((3 - breadth) << (SCORE_BITS + ID_BITS))
            | (badness << ID_BITS)
            | self.id_rank
        )
        if limit < len(key):
            chosen = np.argpartition(key, limit)[:limit]
            program_order = chosen[np.argsort(key[chosen])]
        else:
            program_order = np.argsort(key)
        return spec_order, program_order, codes, (misses, unknown, levels, top), key

    # ------------------------------------------------------------------ explanations

    def _recommend(self, answers: quiz.Answers, limit: int = 10) -> Recommendation:
        """Rank specializations and programs for `answers` and explain each result.

        Called as `recommend`, through a bounded per-instance cache.
        """
        keys, contributions = self._contributions(answers)
        scores = self.items @ contributions.sum(axis=0)
        spec_order, program_order, codes, (misses, unknown, levels, top), _ = self._rank(answers, scores, limit)
        # Each answer's share of each specialization's score, for its reasons.
        spec_parts = (contributions @ self.items[: self.n_specs].T).T
        ranked_answers = np.argsort(-spec_parts, axis=1, kind="stable").tolist()
        parts = spec_parts.tolist()
        spec_scores = scores[: self.n_specs].tolist()
        specs = tuple(
            self._specialization_match(answers, keys, i, spec_scores[i], parts[i], ranked_answers[i])
            for i in spec_order.tolist()
        )
        shown = program_order.tolist()
        shown_scores = scores[self.n_specs + program_order].tolist()
        programs = tuple(
            self._program_match(
                answers,
                index,
                shown_scores[col],
                int(levels[index]),
                int(codes[index]),
                tuple(misses[index].tolist()),
                tuple(unknown[index].tolist()),
                top,
            )
            for col, index in enumerate(shown)
        )
        counts = np.bincount(codes, minlength=len(FITS)).tolist()
        return Recommendation(
            answers=answers,
            model_version=self.version_id,
            specializations=specs,
            programs=programs,
            fit_counts=dict(zip(FITS, counts, strict=True)),
            coverage_notes=self._coverage_notes(top[0], codes),
            catalog_size=len(self.programs),
            roles=self.roles_for(answers, [m.specialization for m in specs[:3]]),
            runner_up_note=reasons.runner_up_note(
                answers,
                reasons.Contribution(specs[0].specialization, specs[0].score, specs[0].contributions),
                reasons.Contribution(specs[1].specialization, specs[1].score, specs[1].contributions),
            ),
        )

    def _coverage_notes(self, best: int, codes: np.ndarray) -> tuple[str, ...]:
        """How many programs in the catalogue name the best specialization, and how many of those fit."""
        spec = self.specializations[best]
        named = self.strength[:, best] >= grounding.NAMED
        count, total = int(named.sum()), len(self.programs)
        fitting = int((named & (codes == fit.MEETS)).sum())
        what = f"{reasons.a(spec.subject)} track, degree or course"
        if count == 0:
            return (f"None of the {total:,} programs in our catalogue name {what}.",)
        verb = "names" if count == 1 else "name"
        fits = "it fits" if count == 1 else f"{fitting:,} fit"
        if count == 1 and not fitting:
            fits = "it is outside your limits or its facts are not published"
        return (f"{count:,} of {total:,} programs in our catalogue {verb} {what}; {fits} your limits.",)

    def _specialization_match(
        self, answers: quiz.Answers, keys: list[str], index: int, score: float, parts: list[float], ranked: list[int]
    ) -> SpecializationMatch:
        spec = self.specializations[index]
        said = [
            self._memo((spec.id, keys[j]), lambda j=j: reasons.specialization_reason(answers, spec, keys[j]))
            for j in ranked[:MAX_REASONS]
            if parts[j] >= reasons.REASON_FLOOR
        ]
        if not said:
            said = ["Few of your answers point here; it ranks on general overlap with them."]
        shown = reasons.display(score)
        return SpecializationMatch(
            spec, shown, tuple(said), dict(zip(keys, parts, strict=True)), reasons.specialization_band(shown)
        )

    def evidence(self, index: int, spec: int) -> tuple[int, str]:
        """(kind, quoted words) of the strongest evidence of a specialization in a program."""
        kind = int(self.grounding_kind[index, spec])
        item, start, end = (int(a[index, spec]) for a in self._grounding)
        return kind, grounding.quote(self.programs[index], kind, item, start, end)

    def _program_match(
        self,
        answers: quiz.Answers,
        index: int,
        score: float,
        level: int,
        code: int,
        missed: tuple[bool, ...],
        unknown: tuple[bool, ...],
        top: list[int],
    ) -> ProgramMatch:
        program = self.programs[index]
        said = self._memo(("fit", index, *top), lambda: self._fit_reasons(index, top))
        evidence = self._memo(("evidence", index), lambda: self._evidence_list(index))
        missed_names, unknown_names = fit.names(list(missed)), fit.names(list(unknown))
        constraints = (answers.format, answers.pace, answers.max_budget_usd, answers.region)
        notes = self._memo(
            ("notes", index, constraints),
            lambda: fit.constraint_notes(answers, program, missed_names, unknown_names),
        )
        return ProgramMatch(
            program=program,
            score=reasons.display(score),
            band=reasons.program_band(level),
            fit=FITS[code],
            constraint_misses=missed_names,
            constraint_unknowns=unknown_names,
            reasons=said,
            constraint_notes=notes,
            evidence=evidence,
            general=level < 12,
        )

    def _fit_reasons(self, index: int, top: list[int]) -> tuple[str, ...]:
        """Up to two sentences quoting what the program's words name among the user's best specializations."""
        program = self.programs[index]
        said: list[str] = []
        for rank, spec in enumerate(top):
            kind, quote = self.evidence(index, spec)
            if grounding.STRENGTH[kind] >= grounding.NAMED and len(said) < 2:
                said.append(reasons.evidence_reason(program, self.specializations[spec], rank, kind, quote))
        best_kind, best_quote = self.evidence(index, top[0])
        if grounding.STRENGTH[best_kind] < grounding.NAMED:
            said.append(reasons.absence_reason(program, self.specializations[top[0]], best_kind, best_quote))
        return tuple(said)

    def _evidence_list(self, index: int) -> tuple[tuple[str, str, str], ...]:
        found = []
        for spec in range(self.n_specs):
            kind, quote = self.evidence(index, spec)
            if kind:
                found.append((self.specializations[spec].id, grounding.KIND_NAMES[kind], quote))
        return tuple(found)

    def _memo(self, key: tuple[object, ...], build):
        """A value from the per-process cache, built on first use (the cache is bounded)."""
        found = self._sentences.get(key)
        if found is None:
            if len(self._sentences) > 200_000:
                self._sentences.clear()
            found = self._sentences[key] = build()
        return found

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


__all__ = ["CONSTRAINTS", "ProgramMatch", "Recommendation", "Recommender", "SpecializationMatch"]
