"""A new quiz's API answer in one pass over the version's tables: no match object, few calls (issue 12).

`VersionEncoder` keeps, per version and academic year, each item's JSON cut around its
answer-dependent fields (see `api_json`), with the few values those fields take already encoded:
a specialization's band, a program's band and `general` flag. A request then joins kept bytes,
looking up the words (`ml.wording`) and encoding only the scores. `tests/test_fast_path.py` and
`tests/test_golden_answers.py` hold the result to `orjson.dumps(to_api(...))`, byte for byte.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import orjson

from recommender.ml import reasons
from recommender.ml.results import ProgramMatch, Recommendation, SpecializationMatch
from recommender.ml.wording import BANDS_BY_LEVEL, GENERAL_BELOW, VersionWording
from recommender.services import api_json

BANDS = reasons.BANDS  # strong, good, some, little
BAND_INDEX_BY_LEVEL = tuple(BANDS.index(band) for band in BANDS_BY_LEVEL)
# The bytes between a program's fit and its misses, and between its misses and unknowns.
MISSES_FIELD, UNKNOWNS_FIELD = b',"constraint_misses":', b',"constraint_unknowns":'
MAX_KEPT = 50_000  # per table and worker: a budget typed digit by digit makes new notes, so keep it small
# Every score the API can show (`reasons.display`: clipped to 0..1, four decimals), encoded once; the
# last two are -0.0, which display() keeps (max(-0.0, 0.0) is -0.0), and NaN, which it also keeps.
SCORE_STEPS = 10_000
NEGATIVE_ZERO, NOT_A_NUMBER = SCORE_STEPS + 1, SCORE_STEPS + 2
SCORE_VALUES = (*(k / SCORE_STEPS for k in range(SCORE_STEPS + 1)), -0.0, float("nan"))
SCORE_BYTES = tuple(orjson.dumps(value) for value in SCORE_VALUES)
# A specialization's band by its shown score's step: the same comparisons as `specialization_band`.
SPEC_BAND_BY_STEP = bytes(BANDS.index(reasons.specialization_band(value)) for value in SCORE_VALUES)
NEAR_HALF = 1e-7  # a step's fraction this close to a half is decided by round() itself


def shown_step(score: float) -> int:
    """The index in SCORE_VALUES of `reasons.display(score)`, without round()'s decimal conversion.

    round(x, 4) is the double nearest to x's exact value rounded half-even to four decimals, and
    k / 10000 is the double nearest to k's quotient (IEEE division), so the two agree whenever
    x * 10000 (off by at most ~1e-12) is not within NEAR_HALF of a half; those few go to round().
    """
    y = min(max(score, 0.0), 1.0) * SCORE_STEPS
    if y != y:  # NaN passes through display() and encodes as null; it must not reach int()
        return NOT_A_NUMBER
    k = int(y + 0.5)
    if NEAR_HALF < y + 0.5 - k < 1.0 - NEAR_HALF:
        return k if k or math.copysign(1.0, y) > 0 else NEGATIVE_ZERO
    shown = reasons.display(score)
    return round(shown * SCORE_STEPS) if shown or math.copysign(1.0, shown) > 0 else NEGATIVE_ZERO


class Shapes:
    """The API's own shaping functions (`recommendations.*_to_api`), which the pieces are cut from."""

    def __init__(self, specialization: Callable[..., dict], program: Callable[..., dict], role: Callable[..., dict]):
        self.specialization, self.program, self.role = specialization, program, role


class VersionEncoder:
    """One version's kept pieces for one academic year."""

    def __init__(self, wording: VersionWording, shapes: Shapes, year: int):
        self.wording, self.shapes, self.year = wording, shapes, year
        self.specs = [self._spec_pieces(i) for i in range(len(wording.specializations))]
        self.programs: dict[int, tuple] = {}
        self.fit_bytes: dict[tuple, bytes] = {}
        self.reason_bytes: dict[tuple, bytes] = {}

    def _spec_pieces(self, index: int) -> tuple[bytes, tuple[bytes, ...], bytes]:
        """(head to the score, per band: the bytes from after the score to the reasons, the tail)."""
        spec = self.wording.specializations[index]
        match = SpecializationMatch(spec, 0.0, (), {}, "")
        p = api_json.specialization_pieces(match, self.shapes.specialization)
        return p[0], tuple(p[1] + orjson.dumps(band) + p[2] for band in BANDS), p[3]

    def _program_pieces(self, index: int) -> tuple:
        """(head, per band: score-to-fit bytes, bytes after unknowns up to the reasons, per general: the tail)."""
        wording = self.wording
        evidence = wording.explainer.program(index).evidence
        match = ProgramMatch(wording.programs[index], 0.0, "", "", (), (), (), (), evidence, False)
        p = api_json.program_pieces(match, self.shapes.program)
        if (p[3], p[4]) != (MISSES_FIELD, UNKNOWNS_FIELD):
            raise ValueError("program_to_api no longer writes fit, misses and unknowns side by side")
        found = (
            p[0],
            tuple(p[1] + orjson.dumps(band) + p[2] for band in BANDS),
            p[5],
            (p[6] + b"false" + p[7], p[6] + b"true" + p[7]),
        )
        if len(self.programs) > MAX_KEPT:
            self.programs.clear()
        self.programs[index] = found
        return found

    def _fit(self, fitted: tuple) -> bytes:
        """fit, misses and unknowns as written between a program's band and its reasons."""
        found = self.fit_bytes[fitted] = b"".join(
            (orjson.dumps(fitted[0]), MISSES_FIELD, orjson.dumps(fitted[1]), UNKNOWNS_FIELD, orjson.dumps(fitted[2]))
        )
        return found

    def _reasons(self, key: tuple) -> bytes:
        found = self.reason_bytes[key] = orjson.dumps([*key[0], *key[1]])
        return found

    def body(self, recommendation: Recommendation) -> bytes:
        """Everything but the result link: `orjson.dumps(to_api(...))` without its last field and brace."""
        ranked, wording, answers = recommendation.ranked, self.wording, recommendation.answers
        if len(self.fit_bytes) > MAX_KEPT or len(self.reason_bytes) > MAX_KEPT:
            self.fit_bytes.clear()
            self.reason_bytes.clear()
        dumps, step_of, score_bytes, spec_band = orjson.dumps, shown_step, SCORE_BYTES, SPEC_BAND_BY_STEP
        out: list[bytes] = [b'{"model_version":', dumps(recommendation.model_version), b',"specializations":[']
        for n, index in enumerate(ranked.spec_order):
            head, mids, tail = self.specs[index]
            step = step_of(ranked.spec_scores[index])
            said = wording.specialization_reasons(ranked, index)
            said_bytes = api_json.strings_bytes(said)
            out += (b"," if n else b"", head, score_bytes[step], mids[spec_band[step]], said_bytes, tail)
        out.append(b'],"programs":[')
        programs, reason_bytes, fit_bytes = self.programs, self.reason_bytes, self.fit_bytes
        for n, (index, score, level) in enumerate(zip(ranked.order, ranked.scores, ranked.levels, strict=True)):
            pieces = programs.get(index) or self._program_pieces(index)
            fitted = wording.program_fit(ranked, answers, index)
            key = (wording.program_reasons(ranked, index), fitted[3])
            out += (
                b"," if n else b"",
                pieces[0],
                score_bytes[step_of(score)],
                pieces[1][BAND_INDEX_BY_LEVEL[level]],
                fit_bytes.get(fitted) or self._fit(fitted),
                pieces[2],
                reason_bytes.get(key) or self._reasons(key),
                pieces[3][level < GENERAL_BELOW],
            )
        out += (
            b'],"programs_meeting_constraints":',
            dumps(recommendation.programs_meeting_constraints),
            b',"fit_counts":',
            dumps(recommendation.fit_counts),
            b',"coverage":',
            api_json.strings_bytes(recommendation.coverage_notes),
            b',"roles":',
            api_json.fixed_list_bytes(recommendation.roles, self.shapes.role, self.year),
            b',"runner_up":',
            dumps(recommendation.runner_up_note),
        )
        return b"".join(out)


_encoders: dict[int, tuple[VersionWording, VersionEncoder]] = {}


def encoder_for(wording: VersionWording, shapes: Shapes, year: int) -> VersionEncoder:
    """The kept encoder of a version for an academic year (made on first use)."""
    found = _encoders.get(id(wording))
    # The entry holds the wording itself, so its id cannot be reused by another version meanwhile.
    if found is not None and found[0] is wording and found[1].year == year:
        return found[1]
    if len(_encoders) > 16:
        _encoders.clear()
    encoder = VersionEncoder(wording, shapes, year)
    _encoders[id(wording)] = (wording, encoder)
    return encoder
