"""Ranking a large catalogue without a full matrix product, to exactly the same result.

At 100k programs the one product (programs x ~300 dimensions) reads over 100 MB a request. A
query is a weighted sum of at most six answer rows, so each program's score is, up to float
rounding, a weighted sum of its products with those rows, precomputed once per version (two
(answer values x programs) tables). Those approximate scores pick a shortlist that provably holds
the true top `limit` (the margin covers both roundings and the score quantum); only the shortlist
gets the exact product, and its rows are gathered in aligned blocks of four so the BLAS kernel
gives them bit for bit the scores the full product gives. A check at load proves that on this
machine's BLAS, or the recommender keeps the full product.
"""

from __future__ import annotations

import numpy as np

# Below this many programs the full product costs less than building a shortlist.
MIN_PROGRAMS = 20_000
# Two float32 roundings of a unit-vector dot product of ~300 terms stay well under 4e-5 each; the
# shortlist keeps every program within this much of the last one shown, plus two score quanta.
MARGIN = 1e-4
BLOCK = 16  # rows gathered together: a multiple of the rows BLAS gemv kernels compute at once


class Shortlist:
    """Per-answer projection tables and the exact gather for one version's item rows."""

    def __init__(self, items: np.ndarray, answer_rows: np.ndarray, split: int, n_specs: int):
        self.items = items
        self.n_specs = n_specs
        programs = items[n_specs:]
        self.text = np.ascontiguousarray((programs[:, :split] @ answer_rows[:, :split].T).T)
        self.answers = np.ascontiguousarray((programs[:, split:] @ answer_rows[:, split:].T).T)

    def approximate(self, rows: list[int], text_scale: float, answer_scale: float) -> np.ndarray:
        """Each program's score up to float rounding, from the answers' rows and block scales."""
        approx = self.text[rows].sum(axis=0)
        approx *= np.float32(text_scale)
        approx += np.float32(answer_scale) * self.answers[rows].sum(axis=0)
        return approx

    def approximate_some(self, rows: list[int], scales: tuple[float, float], programs: np.ndarray) -> np.ndarray:
        """`approximate` for some programs only: the same sums, in the same order, over their columns."""
        picked = np.ix_(rows, programs)
        approx = self.text[picked].sum(axis=0)
        approx *= np.float32(scales[0])
        approx += np.float32(scales[1]) * self.answers[picked].sum(axis=0)
        return approx

    def candidates(self, group: np.ndarray, groups: int, rows: list[int], scales, limit: int) -> np.ndarray:
        """Programs that provably hold the `limit` first by (group, score), from approximate scores.

        `group` ranks each program's fit group, grounding and breadth (smaller first; the score only
        orders within a group). Every program in a group before the one where the `limit`-th falls
        is in; of that group, those within MARGIN of its `limit`-th approximate score. Only that
        group's programs get approximate scores.
        """
        counts = np.bincount(group, minlength=groups)
        last = int(np.searchsorted(np.cumsum(counts), limit))  # the group holding the limit-th program
        wanted = limit - int(counts[:last].sum())
        upto = np.flatnonzero(group <= last)
        in_last = group[upto] == last
        members = upto[in_last]
        badness = 1.0 - np.clip(self.approximate_some(rows, scales, members), -1, 1)
        threshold = np.partition(badness, wanted - 1)[wanted - 1]
        return np.concatenate([upto[~in_last], members[badness <= threshold + MARGIN]])

    def exact(self, programs: np.ndarray, query: np.ndarray) -> np.ndarray:
        """The full product's scores of some programs, bit for bit, from aligned blocks of rows."""
        rows = programs + self.n_specs
        blocks = np.unique(rows // BLOCK)
        gathered = (blocks[:, None] * BLOCK + np.arange(BLOCK)).ravel()
        gathered = gathered[gathered < len(self.items)]
        scores = self.items[gathered] @ query
        return scores[np.searchsorted(gathered, rows)]

    def verified(self, answer_rows: np.ndarray, split: int, seed: int = 1) -> bool:
        """True when gathered scores equal the full product's and the approximation stays in its margin."""
        rng = np.random.default_rng(seed)
        n = len(self.items) - self.n_specs
        for _ in range(4):
            rows = sorted(rng.choice(len(answer_rows), 5, replace=False).tolist())
            scaled = answer_rows[rows].copy()
            total = scaled.sum(axis=0)
            text_scale = 0.5 / float(np.linalg.norm(total[:split]))
            answer_scale = 0.8 / float(np.linalg.norm(total[split:]))
            scaled[:, :split] *= text_scale
            scaled[:, split:] *= answer_scale
            query = scaled.sum(axis=0)
            full = self.items @ query
            # Random rows, the last ones (a kernel's tail) and those around where threads split the work.
            near = [np.arange(max(0, n * k // d - 40), min(n, n * k // d + 40)) for d in (2, 3, 4) for k in range(1, d)]
            picked = np.unique(
                np.concatenate([rng.choice(n, min(n, 2000), replace=False), np.arange(n - 40, n), *near])
            )
            if not np.array_equal(self.exact(picked, query), full[self.n_specs + picked]):
                return False
            error = np.abs(self.approximate(rows, text_scale, answer_scale) - full[self.n_specs :]).max()
            if not error <= MARGIN / 4:
                return False
        return True


def shortlist_for(items: np.ndarray, answer_rows: np.ndarray, split: int, n_specs: int) -> Shortlist | None:
    """A verified shortlist for a large catalogue, or None (small catalogue, or a BLAS that disagrees)."""
    if len(items) - n_specs < MIN_PROGRAMS:
        return None
    shortlist = Shortlist(items, answer_rows, split, n_specs)
    return shortlist if shortlist.verified(answer_rows, split) else None
