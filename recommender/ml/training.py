"""Training: fit the feature space with scikit-learn and precompute every matrix a request needs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from recommender.domain.catalog import Program, Specialization
from recommender.ml import features
from recommender.ml.features import FORMAT_BITS, PACE_BITS, Params
from recommender.ml.fit import accelerated_unknown
from recommender.ml.grounding import evidence_arrays

SVD_FIT_PROGRAMS = 20_000


@dataclass(frozen=True)
class Fitted:
    """What training produces: the arrays a `Recommender` serves, plus the scikit-learn objects.

    The scikit-learn objects are kept only for the equivalence test and evaluation; they are never
    written to disk, because the request path needs nothing but the arrays.
    """

    arrays: dict[str, np.ndarray]
    vectorizer: TfidfVectorizer
    svd: TruncatedSVD
    params: Params


def _text_vectorizer(params: Params) -> TfidfVectorizer:
    return TfidfVectorizer(
        stop_words="english",
        ngram_range=(1, 2),
        sublinear_tf=True,
        max_features=params.max_features,
        dtype=np.float64,
    )


def fit(programs: tuple[Program, ...], specializations: tuple[Specialization, ...], params: Params) -> Fitted:
    """Fit the feature space on the catalogues and build the specialization and program rows."""
    keys = features.answer_keys()
    key_index = {k: i for i, k in enumerate(keys)}
    spec_ids = [s.id for s in specializations]

    vectorizer = _text_vectorizer(params)
    tfidf = vectorizer.fit_transform([s.text() for s in specializations] + [p.text() for p in programs])
    n_components = max(1, min(params.max_text_components, min(tfidf.shape) - 1))
    svd = TruncatedSVD(n_components=n_components, random_state=params.random_state)
    n_specs = len(specializations)
    rows = _svd_rows(n_specs, len(programs))
    svd.fit(tfidf if rows is None else tfidf[rows])
    spec_tfidf, prog_tfidf = tfidf[:n_specs], tfidf[n_specs:]

    # Answer block of each specialization: the answers an adviser links to it. A value linked to
    # many specializations says less about each, so its links are damped (Params.link_damping).
    links = np.zeros((n_specs, len(keys)), dtype=np.float64)
    for row, spec in enumerate(specializations):
        for field, values in (
            ("interests", spec.interests),
            ("goal", spec.goals),
            ("background", spec.backgrounds),
            ("industry", spec.industries),
        ):
            for value in values:
                links[row, key_index[f"{field}:{value}"]] = 1.0
    counts = links.sum(axis=0)
    links = links / np.maximum(counts, 1.0) ** params.link_damping

    profile = _profiles(programs, specializations, spec_tfidf, prog_tfidf, params)

    a_spec, b_spec = features.unit_pair(params.specialization_blocks)
    a_prog, b_prog = features.unit_pair(params.program_blocks)
    spec_rows = np.hstack(
        [
            a_spec * normalize(svd.transform(spec_tfidf)),
            b_spec * normalize(links),
        ]
    )
    prog_rows = np.hstack(
        [
            a_prog * normalize(svd.transform(prog_tfidf)),
            b_prog * normalize(profile @ links),
        ]
    )

    # One row per answer value: its words in the text block, its own column in the answer block,
    # premultiplied by its field's weight so a query is a plain sum of rows.
    answer_text = svd.transform(vectorizer.transform([features.ANSWER_TEXT[k] for k in keys]))
    weights = np.array([params.field_weight(k.split(":", 1)[0]) for k in keys])
    answer_rows = weights[:, None] * np.hstack([answer_text, np.eye(len(keys))])

    program_ids = np.array([p.id for p in programs], dtype=str)
    arrays = {
        "answer_keys": np.array(keys, dtype=str),
        "answer_rows": answer_rows.astype(np.float32),
        "block_split": np.array([n_components], dtype=np.int64),
        "query_blocks": np.array(features.unit_pair(params.query_blocks), dtype=np.float32),
        "item_rows": np.vstack([spec_rows, prog_rows]).astype(np.float32),
        "specialization_ids": np.array(spec_ids, dtype=str),
        "program_ids": program_ids,
        "program_id_rank": np.argsort(np.argsort(program_ids, kind="stable"), kind="stable").astype(np.int64),
        "format_mask": np.array([_mask(p.formats, FORMAT_BITS) for p in programs], dtype=np.uint8),
        "pace_mask": np.array([_pace_mask(p) for p in programs], dtype=np.uint8),
        "accelerated_unknown": np.array([accelerated_unknown(p) for p in programs], dtype=bool),
        "region": np.array([p.region for p in programs], dtype=str),
        "tuition": np.array([np.nan if p.tuition_usd is None else p.tuition_usd for p in programs], dtype=np.float64),
        **evidence_arrays(programs, specializations),
    }
    return Fitted(arrays, vectorizer, svd, params)


def _svd_rows(n_specs: int, n_programs: int) -> np.ndarray | None:
    """The documents the text space is fitted on: all of them, or for a large catalogue an even sample.

    The truncated SVD's cost grows with the documents it is fitted on; 20k evenly spread programs
    (and every specialization) span the catalogue's vocabulary as well as 100k do, and every
    program is still projected into the space. Smaller catalogues are fitted on everything, as before.
    """
    if n_programs <= SVD_FIT_PROGRAMS:
        return None
    sample = np.linspace(0, n_programs - 1, SVD_FIT_PROGRAMS).round().astype(np.int64)
    return np.concatenate([np.arange(n_specs), n_specs + np.unique(sample)])


def _mask(values: tuple[str, ...], bits: dict[str, int]) -> int:
    return sum(bits[v] for v in values)


def _pace_mask(program: Program) -> int:
    # The contract derives "accelerated" (full-time, 12 months or less) when a file does not say it.
    paces = set(program.paces)
    if program.offers_accelerated:
        paces.add("accelerated")
    return _mask(tuple(paces), PACE_BITS)


def _profiles(
    programs: tuple[Program, ...],
    specializations: tuple[Specialization, ...],
    spec_tfidf: Any,
    prog_tfidf: Any,
    params: Params,
) -> np.ndarray:
    """Which specializations each program teaches, as weights that sum to one per program.

    A program's own `specializations` column wins; otherwise the closest specializations by
    text are inferred, keeping those within `profile_keep_ratio` of the best. These weights only
    place a program in the feature space; its reasons come from its own words (`grounding`).
    """
    spec_index = {s.id: i for i, s in enumerate(specializations)}
    similarity = (prog_tfidf @ spec_tfidf.T).toarray()
    profile = np.zeros((len(programs), len(specializations)))
    for row, program in enumerate(programs):
        if program.specializations:
            for spec_id in program.specializations:
                profile[row, spec_index[spec_id]] = 1.0
        elif similarity[row].max() > 0:
            best = similarity[row].max()
            kept = similarity[row] >= params.profile_keep_ratio * best
            profile[row, kept] = similarity[row, kept]
    totals = profile.sum(axis=1, keepdims=True)
    return np.divide(profile, totals, out=np.zeros_like(profile), where=totals > 0)


def sklearn_query(fitted: Fitted, answers: Any) -> np.ndarray:
    """The query vector computed the slow way, with scikit-learn, for the equivalence test."""
    params = fitted.params
    pairs = features.query_answer_keys(answers)
    keys = list(features.answer_keys())
    text = sum(
        params.field_weight(field) * fitted.svd.transform(fitted.vectorizer.transform([features.ANSWER_TEXT[key]]))[0]
        for field, key in pairs
    )
    onehot = np.zeros(len(keys))
    for field, key in pairs:
        onehot[keys.index(key)] += params.field_weight(field)
    alpha, beta = features.unit_pair(params.query_blocks)
    text_norm = np.linalg.norm(text)
    return np.concatenate(
        [
            alpha * (text / text_norm if text_norm else text),
            beta * onehot / np.linalg.norm(onehot),
        ]
    )
