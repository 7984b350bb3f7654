"""Serving: one query vector and one matrix product per request, then honest, explained rankings.

Nothing here calls scikit-learn; the arrays were precomputed at training time.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from recommender.domain import quiz
from recommender.domain.catalog import Catalogs, Program
from recommender.ml import explain, fit, grounding
from recommender.ml.features import query_answer_keys
from recommender.ml.fit import CONSTRAINTS, FITS
from recommender.ml.results import ProgramMatch, Ranked, Recommendation, SpecializationMatch
from recommender.ml.shortlist import shortlist_for
from recommender.ml.wording import VersionWording

ID_BITS = 20  # program id rank in the low bits of the sort key; up to ~1M programs
SCORE_BITS = 21  # (1 - score) at 1e-6 resolution: 0 .. 2e6 < 2**21
LEVEL_BITS = 6  # grounding level 0..33
BREADTH_BITS = 2  # how many of the user's other top specializations a program also names: 0..2
SCORE_STEPS = 1_000_000
RECENT_RECOMMENDATIONS = 1024  # scores are ranked at 1e-6 resolution, so float noise never reorders
# A specialization counts among the user's best for program grounding when it scores at least
# this share of the best one; a distant third says little about what they want.
TOP_SHARE = 0.5


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
        # Tables made once per version, so a request does lookups (see `fit` and `explain`).
        self.fit_codes = fit.FitCodes(self.facts)
        strength_t = np.ascontiguousarray(self.strength.T).astype(np.int16)
        self.level_tables = np.stack(
            [
                np.maximum(
                    np.where(strength_t >= grounding.NAMED, (3 - rank) * 10 + strength_t, 0),
                    np.where(strength_t == 1, 3 - rank, 0),
                )
                for rank in range(3)
            ]
        ).astype(np.int8)  # [rank, spec] -> each program's grounding level
        self.named_t = strength_t >= grounding.NAMED
        self.named_counts = self.named_t.sum(axis=1).tolist()
        codes, levels, breadth = np.meshgrid(np.arange(len(FITS)), np.arange(64), np.arange(4), indexing="ij")
        # [fit code, level, breadth] -> the high bits of a program's sort key
        self.key_heads = (
            (codes << (LEVEL_BITS + BREADTH_BITS + SCORE_BITS + ID_BITS))
            | ((63 - levels) << (BREADTH_BITS + SCORE_BITS + ID_BITS))
            | ((3 - breadth) << (SCORE_BITS + ID_BITS))
        )
        places = tuple(arrays[f"grounding_{x}"] for x in ("kind", "item", "start", "end"))
        self.explainer = explain.Explainer(programs, self.specializations, places)
        self.answer_keys = tuple(arrays["answer_keys"].tolist())
        self.wording = VersionWording(
            programs, self.specializations, self.roles_by_id, self.explainer, self.answer_keys, self.named_counts
        )
        self.shortlist = shortlist_for(self.items, self.answer_rows, self.split, self.n_specs)
        # The same answers always get the same recommendation from a version, so recent ones are
        # kept: a results page reloaded, voted on or compared, or an API client asking again.
        self.recommend = functools.lru_cache(maxsize=RECENT_RECOMMENDATIONS)(self._recommend)

    # ------------------------------------------------------------------ scores

    def _contributions(self, answers: quiz.Answers) -> tuple[list[str], np.ndarray]:
        """Each answer's scaled row: the query is their sum, so a score is the sum of their products."""
        keys, _, _, scaled = self._query_parts(answers)
        return keys, scaled

    def _query_parts(self, answers: quiz.Answers) -> tuple[list[str], list[int], tuple[float, float], np.ndarray]:
        """(answer keys, their rows, the two block scales, the scaled rows)."""
        keys = [key for _, key in query_answer_keys(answers)]
        rows = [self.answer_index[k] for k in keys]
        scaled = self.answer_rows[rows]
        total = scaled.sum(axis=0)
        # What np.linalg.norm computes for a vector (sqrt of its dot with itself, in its own dtype),
        # without the wrapper's checks: the same bits, a few microseconds less per request.
        text, answer = total[: self.split], total[self.split :]
        text_norm, answer_norm = float(np.sqrt(text.dot(text))), float(np.sqrt(answer.dot(answer)))
        text_scale = self.alpha / text_norm if text_norm else 0.0
        answer_scale = self.beta / answer_norm
        scaled[:, : self.split] *= text_scale
        scaled[:, self.split :] *= answer_scale
        return keys, rows, (text_scale, answer_scale), scaled

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

    def top_specializations(self, spec_order, spec_scores) -> list[int]:
        """The user's best specializations for grounding programs: the top three, minus distant ones."""
        best = float(spec_scores[spec_order[0]])
        return [int(i) for i in spec_order[:3] if float(spec_scores[i]) >= TOP_SHARE * best or i == spec_order[0]]

    def grounding_levels(self, top: list[int]) -> np.ndarray:
        """How strongly each program's own words name the user's best specializations.

        (3 - rank) * 10 + strength when its name, a track or a course names the specialization at
        that rank (33 = its name or a track names the best one), else 3 - rank when only its
        description mentions it, else 0. The best rank found wins.
        """
        return self._levels(top).astype(np.int64)

    def _levels(self, top: list[int]) -> np.ndarray:
        levels = self.level_tables[0, top[0]]
        for rank in range(1, len(top)):
            levels = np.maximum(levels, self.level_tables[rank, top[rank]])
        return levels

    # ------------------------------------------------------------------ ordering

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
        """The reference ordering from all scores and the full fit tables (`_select` must equal it)."""
        spec_scores = scores[: self.n_specs]
        # Specializations tie-break by their fixed contract order (lexsort: last key is primary).
        quantized = np.rint(spec_scores.astype(np.float64) * SCORE_STEPS)
        spec_order = np.lexsort((np.arange(self.n_specs), -quantized))
        top = self.top_specializations(spec_order, spec_scores)
        levels = self.grounding_levels(top)
        misses, unknown = self.fit_tables(answers)
        codes = fit.fit_codes(misses, unknown)
        breadth = self.breadth(top)
        key = self.key_heads[codes, levels, breadth] | (self._badness(scores[self.n_specs :]) << ID_BITS) | self.id_rank
        return spec_order, self._first(key, limit), codes, (misses, unknown, levels, top), key

    @staticmethod
    def _badness(scores: np.ndarray) -> np.ndarray:
        """(1 - score) at 1e-6 resolution, so float noise never reorders."""
        clipped = np.clip(scores.astype(np.float64), -1.0, 1.0)
        return np.rint((1.0 - clipped) * SCORE_STEPS).astype(np.int64)

    @staticmethod
    def _first(key: np.ndarray, limit: int) -> np.ndarray:
        """Indices of the `limit` smallest keys, in order: a partition, then a sort of those alone."""
        if limit < len(key):
            chosen = np.argpartition(key, limit)[:limit]
            return chosen[np.argsort(key[chosen])]
        return np.argsort(key)

    def _select(self, codes, levels, breadth, rows, scales, query, full, limit: int) -> tuple[np.ndarray, np.ndarray]:
        """(program order, their scores): from the full product, or for a large catalogue a proven shortlist."""
        shortlist = self.shortlist
        if full is None and shortlist is not None:
            # The sort key's high bits as one small integer per program: fit group, then grounding
            # level (descending), then breadth (descending).
            group = codes.astype(np.int16) << (LEVEL_BITS + BREADTH_BITS)
            group |= (63 - levels).astype(np.int16) << BREADTH_BITS
            group |= 3 - breadth
            candidates = shortlist.candidates(group, len(FITS) << (LEVEL_BITS + BREADTH_BITS), rows, scales, limit)
            if len(candidates) * 4 < len(codes):
                exact = shortlist.exact(candidates, query)
                key = self.key_heads[codes[candidates], levels[candidates], breadth[candidates]]
                key |= self._badness(exact) << ID_BITS
                key |= self.id_rank[candidates]
                chosen = self._first(key, limit)
                return candidates[chosen], exact[chosen]
            full = self.items @ query
        programs = full[self.n_specs :]
        key = self.key_heads[codes, levels, breadth] | (self._badness(programs) << ID_BITS) | self.id_rank
        order = self._first(key, limit)
        return order, programs[order]

    # ------------------------------------------------------------------ explanations

    def _ordering(self, answers: quiz.Answers, limit: int):
        """Scores, fit and order: everything but the words."""
        keys, rows, scales, contributions = self._query_parts(answers)
        query = contributions.sum(axis=0)
        # A small catalogue takes the one full product; a large one scores a shortlist (`_select`),
        # and its specializations alone here (two aligned blocks of rows: the same bits).
        full = self.items @ query if self.shortlist is None or limit >= len(self.programs) else None
        spec_array = full[: self.n_specs] if full is not None else self.items[: self.n_specs] @ query
        spec_scores = spec_array.tolist()
        quantized = np.rint(spec_array.astype(np.float64) * SCORE_STEPS).tolist()
        spec_order = [i for _, i in sorted(zip([-q for q in quantized], range(self.n_specs), strict=True))]
        top = self.top_specializations(spec_order, spec_scores)
        levels = self._levels(top)
        columns = self.fit_codes.columns(answers)
        codes = self.fit_codes.codes(columns)
        breadth = self.named_t[top[1:]].sum(axis=0, dtype=np.int8) if len(top) > 1 else self.fit_codes.meets_all
        order, shown_scores = self._select(codes, levels, breadth, rows, scales, query, full, limit)
        return keys, contributions, spec_order, spec_scores, top, levels, columns, codes, order, shown_scores

    def order(self, answers: quiz.Answers, limit: int = 10) -> tuple[list[int], np.ndarray, np.ndarray]:
        """The request path's ordering without explanations: (specialization order, program order, fit codes)."""
        _, _, spec_order, _, _, _, _, codes, order, _ = self._ordering(answers, limit)
        return spec_order, order, codes

    def _recommend(self, answers: quiz.Answers, limit: int = 10) -> Recommendation:
        """Rank specializations and programs for `answers`; their words are built on first use.

        Called as `recommend`, through a bounded per-instance cache.
        """
        ordering = self._ordering(answers, limit)
        keys, contributions, spec_order, spec_scores, top, levels, columns, codes, order, shown_scores = ordering
        # Each answer's share of each specialization's score, for its reasons.
        spec_parts = (contributions @ self.items[: self.n_specs].T).T
        best = top[0]
        ranked = Ranked(
            keys=keys,
            spec_order=spec_order,
            spec_scores=spec_scores,
            parts=spec_parts.tolist(),
            ranked_answers=np.argsort(-spec_parts, axis=1, kind="stable").tolist(),
            top=tuple(top),
            order=order.tolist(),
            scores=shown_scores.tolist(),
            levels=levels[order].tolist(),
            constraints=(answers.format, answers.pace, answers.max_budget_usd, answers.region),
            columns=columns,
            counts=np.bincount(codes, minlength=len(FITS)).tolist(),
            fitting=int(np.count_nonzero(self.named_t[best] & (codes == fit.MEETS))),
        )
        return Recommendation(answers, self.version_id, len(self.programs), ranked, self.wording)

    def evidence(self, index: int, spec: int) -> tuple[int, str]:
        """(kind, quoted words) of the strongest evidence of a specialization in a program."""
        return self.explainer.evidence_of(index, spec)


__all__ = ["CONSTRAINTS", "ProgramMatch", "Recommendation", "Recommender", "SpecializationMatch"]
