"""The fast request path says exactly what the plain one says (issue 12).

Each table or shortcut is checked against the function it replaces: fit statuses against the full
fit tables, sentence tables against `constraint_notes` and `reasons`, the spliced API bytes against
`orjson.dumps(to_api(...))`, the large-catalogue shortlist against the full product, and the
batched evidence search against a per-text search.
"""

from __future__ import annotations

import dataclasses
import random
import re

import numpy as np
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.domain import quiz
from recommender.domain.catalog import load_catalogs
from recommender.ml import fit, grounding, reasons, shortlist
from recommender.ml.ranking import Recommender
from recommender.services import api_encoder, api_json, recommendations


def random_answers(rng: random.Random, **fixed) -> quiz.Answers:
    values = {
        "interests": tuple(rng.sample(list(quiz.INTERESTS), rng.randint(1, 3))),
        "background": rng.choice(list(quiz.BACKGROUNDS)),
        "experience_years": rng.randint(0, 50),
        "goal": rng.choice(list(quiz.GOALS)),
        "industry": rng.choice(list(quiz.INDUSTRIES)),
        "format": rng.choice(list(quiz.FORMATS)),
        "pace": rng.choice(list(quiz.PACES)),
        "max_budget_usd": rng.choice([None, 0, 30_000, 52_000, 75_000, rng.randint(0, 500_000)]),
        "region": rng.choice(list(quiz.REGIONS)),
    }
    values.update(fixed)
    return quiz.parse_answers({**values, "interests": list(values["interests"])})


def test_fit_statuses_give_the_fit_tables_codes(trained):
    recommender = trained.recommender
    rng = random.Random(1)
    for _ in range(300):
        answers = random_answers(rng)
        misses, unknown = recommender.fit_tables(answers)
        columns = recommender.fit_codes.columns(answers)
        assert np.array_equal(recommender.fit_codes.codes(columns), fit.fit_codes(misses, unknown))
        for column, status in columns:
            assert np.array_equal(status == fit.STATUS_MISSES, misses[:, column])
            assert np.array_equal(status == fit.STATUS_UNKNOWN, unknown[:, column])


def test_note_tables_say_what_constraint_notes_says(trained):
    recommender = trained.recommender
    rng = random.Random(2)
    for _ in range(300):
        answers = random_answers(rng)
        misses, unknown = recommender.fit_tables(answers)
        index = rng.randrange(len(recommender.programs))
        program = recommender.programs[index]
        missed, unknowns = fit.names(list(misses[index])), fit.names(list(unknown[index]))
        per = tuple((c, int(s[index])) for c, s in recommender.fit_codes.columns(answers))
        table = recommender.explainer.program(index).notes
        assert fit.notes_from_table(table, answers, per) == fit.constraint_notes(answers, program, missed, unknowns)


def test_the_request_ordering_equals_the_reference_ordering(trained):
    recommender = trained.recommender
    rng = random.Random(3)
    for _ in range(300):
        answers = random_answers(rng)
        limit = rng.choice([1, 10, 50, 500])
        spec_order, _, program_order, codes = recommender.rank(answers, limit=limit)
        fast_specs, fast_order, fast_codes = recommender.order(answers, limit=limit)
        assert list(spec_order) == fast_specs
        assert np.array_equal(program_order, fast_order)
        assert np.array_equal(codes, fast_codes)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), limit=st.sampled_from([10, 50]), year=st.sampled_from([2026, 2031]))
def test_spliced_api_bytes_equal_the_plain_encoding(trained, seed, limit, year):
    answers = random_answers(random.Random(seed))
    with pytest.MonkeyPatch.context() as patch:
        # A later academic year ages tuition facts: the kept pieces must follow it.
        patch.setattr("recommender.domain.catalog.sources.academic_year", lambda today=None: year)
        # Encoded first, from a recommendation whose match objects were never built (the API's
        # path), then compared with the plain encoding of those objects.
        fresh = trained.recommender._recommend(answers, limit)
        fast = recommendations.to_api_bytes(fresh, "/results/x")
        assert "programs" not in vars(fresh), "the API path built the match objects it should skip"
        plain = orjson.dumps(recommendations.to_api(trained.recommender._recommend(answers, limit), "/results/x"))
        assert fast == plain


def test_a_marker_missing_from_an_item_is_refused():
    with pytest.raises(ValueError, match="marker"):
        api_json._split(b'{"a":1}', (b'"\\u0000score"',))


def test_the_shortlist_ranks_a_large_catalogue_exactly_as_the_full_product(trained, catalogs):
    """A catalogue of 4,000 near-copies (many near-ties) with the shortlist forced on."""
    base = trained.recommender
    rng = np.random.default_rng(4)
    copies = 4000 // len(base.programs) + 1
    n = copies * len(base.programs)
    arrays = {key: value for key, value in trained.fitted.arrays.items()}
    spec_rows = arrays["item_rows"][: base.n_specs]
    rows = np.tile(arrays["item_rows"][base.n_specs :], (copies, 1))
    rows += rng.normal(0, 1e-3, rows.shape).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    arrays["item_rows"] = np.vstack([spec_rows, rows]).astype(np.float32)
    programs = tuple(dataclasses.replace(p, id=f"{p.id}-{k:03d}") for k in range(copies) for p in base.programs)
    ids = np.array([p.id for p in programs])
    arrays["program_ids"] = ids
    arrays["program_id_rank"] = np.argsort(np.argsort(ids, kind="stable"), kind="stable").astype(np.int64)
    for key in ("format_mask", "pace_mask", "accelerated_unknown", "region", "tuition"):
        arrays[key] = np.tile(arrays[key], copies)
    for key in ("grounding_kind", "grounding_item", "grounding_start", "grounding_end"):
        arrays[key] = np.tile(arrays[key], (copies, 1))
    big = Recommender("big", arrays, {}, programs, catalogs)
    assert big.shortlist is None, "below MIN_PROGRAMS the full product is used"
    big.shortlist = shortlist.Shortlist(big.items, big.answer_rows, big.split, big.n_specs)
    assert big.shortlist.verified(big.answer_rows, big.split)
    exact, shortlisted = big.shortlist.exact, []
    big.shortlist.exact = lambda programs, query: shortlisted.append(len(programs)) or exact(programs, query)
    rand = random.Random(5)
    for _ in range(200):
        answers = random_answers(rand)
        limit = rand.choice([1, 10, 50])
        spec_order, scores, program_order, _ = big.rank(answers, limit=limit)
        fast_specs, fast_order, _ = big.order(answers, limit=limit)
        assert list(spec_order) == fast_specs
        assert np.array_equal(program_order, fast_order)
        fast = big._recommend(answers, limit)
        assert [m.score for m in fast.programs] == [
            round(min(max(float(scores[base.n_specs + i]), 0.0), 1.0), 4) for i in program_order
        ]
    assert len(shortlisted) >= 300, "most rankings went through the shortlist, not the fallback"
    assert max(shortlisted) < n / 4


def _reference_evidence(programs, specializations):
    """The evidence pass as it was: each place searched on its own, case-insensitively."""
    pattern, groups = grounding.term_pattern(specializations)
    spec_index = {s.id: i for i, s in enumerate(specializations)}
    shape = (len(programs), len(specializations))
    kind, item, start, end = (np.zeros(shape, dtype=t) for t in (np.int8, np.int16, np.int32, np.int32))
    for row, program in enumerate(programs):
        places = [(grounding.NAME, 0, program.program)]
        places += [(grounding.TRACK, i, c) for i, c in enumerate(program.concentrations)]
        places += [(grounding.COURSE, i, c) for i, c in enumerate(program.core_courses)]
        places.append((grounding.DESCRIPTION, 0, program.description))
        for place_kind, index, text in places:
            for match in pattern.finditer(text):
                spec, left, right = groups[match.lastgroup], match.start(), match.end()
                if place_kind <= kind[row, spec]:
                    continue
                if place_kind in (grounding.NAME, grounding.TRACK, grounding.COURSE):
                    left, right = 0, len(text)
                elif place_kind == grounding.DESCRIPTION:
                    left, right = grounding.phrase_around(text, left, right)
                kind[row, spec], item[row, spec], start[row, spec], end[row, spec] = place_kind, index, left, right
        for spec_id in program.specializations:
            if kind[row, spec_index[spec_id]] < grounding.TRACK:
                kind[row, spec_index[spec_id]] = grounding.LISTED
    return {"grounding_kind": kind, "grounding_item": item, "grounding_start": start, "grounding_end": end}


@pytest.mark.parametrize("odd", ["", "\u212a", "É"])
def test_the_batched_evidence_search_finds_what_a_per_text_search_finds(programs_file, odd):
    """The real catalogue, plus shuffled words, case changes and (once) a character that folds to ASCII."""
    specializations = load_catalogs().specializations
    rng = random.Random(6)
    terms = [t.rstrip("*") for s in specializations for t in s.track_terms]
    programs = list(programs_file.programs)
    for i in range(300):
        base = rng.choice(programs_file.programs)
        words = (base.description + " " + " ".join(rng.sample(terms, 4))).split()
        rng.shuffle(words)
        words = [w.upper() if rng.random() < 0.2 else w for w in words]
        text = " ".join(words) + (odd + "nowledge" if i % 50 == 0 else "")
        programs.append(
            dataclasses.replace(
                base,
                id=f"x-{i}",
                program=rng.choice(terms).title() + " " + base.program,
                concentrations=tuple(rng.sample(terms, 2)),
                core_courses=(rng.choice(terms) + "s", "Intro to " + rng.choice(terms)),
                description=text,
            )
        )
    want = _reference_evidence(tuple(programs), specializations)
    got = grounding.evidence_arrays(tuple(programs), specializations)
    for key in want:
        assert np.array_equal(want[key], got[key]), key


def test_the_set_of_characters_folding_to_ascii_is_complete():
    ascii_alnum = re.compile(r"[a-zA-Z0-9]", re.IGNORECASE)
    found = {chr(cp) for cp in range(0x80, 0x110000) if not 0xD800 <= cp < 0xE000 and ascii_alnum.fullmatch(chr(cp))}
    assert found == set(grounding.FOLDS_TO_ASCII)


@settings(max_examples=400, deadline=None)
@given(
    score=st.one_of(
        st.floats(-0.5, 1.5, allow_nan=False),
        st.sampled_from([-0.0, 0.0, 1.0, 2e-5, 5e-5, -5e-5, 0.99995, 1.00001, float("nan"), float("inf")]),
        # Exactly or nearly half-way between two shown steps, where rounding is decided.
        st.integers(0, 9999).map(lambda k: (k + 0.5) / 10_000),
        st.tuples(st.integers(0, 9999), st.floats(-1e-9, 1e-9)).map(lambda t: (t[0] + 0.5) / 10_000 + t[1]),
    )
)
def test_the_shown_score_table_says_what_display_says(score):
    step = api_encoder.shown_step(score)
    assert repr(api_encoder.SCORE_VALUES[step]) == repr(reasons.display(score))  # repr tells -0.0 from 0.0
    assert api_encoder.SCORE_BYTES[step] == orjson.dumps(reasons.display(score))
    band = reasons.BANDS[api_encoder.SPEC_BAND_BY_STEP[step]]
    assert band == reasons.specialization_band(reasons.display(score))
