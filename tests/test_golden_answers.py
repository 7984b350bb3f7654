"""Nothing answered changes: 1,000 seeded quizzes get byte for byte the answers recorded before the fast path.

The reference answers were recorded by `tests/golden_answers.py` from the request path as it was
before it was made fast (issue 12), with the model they were served by, which is served here too
(training's last bits differ between CPUs); see that file to re-record them after a change of data.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import golden_answers as golden
import pytest


@pytest.fixture(scope="module")
def recorded() -> dict:
    return golden.load()


@pytest.fixture(scope="module")
def served(recorded: dict, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[bytes]]:
    """The current code's answers to the recorded quizzes, with the version id it trained."""
    items = [(q["answers"], q["limit"]) for q in recorded["quizzes"]]
    tmp: Path = tmp_path_factory.mktemp("golden")
    with golden.golden_client(tmp, golden.stored_model()) as (client, version_id), golden.pinned_year():
        return version_id, golden.answers_of(client, items)


def test_the_quizzes_are_the_seeded_ones(recorded: dict) -> None:
    """The generator still makes the recorded quizzes, so a regenerated file tests the same inputs."""
    assert [(q["answers"], q["limit"]) for q in recorded["quizzes"]] == golden.quizzes()
    assert {q["limit"] for q in recorded["quizzes"]} == {10, 50}


def test_the_stored_model_is_the_bundled_catalogue_trained_at_the_fixed_time(recorded: dict) -> None:
    """The model the answers were recorded with belongs to today's data, so they test today's catalogue."""
    from recommender.domain.catalog import load_catalogs, load_programs

    model = golden.stored_model()
    meta = model.meta
    assert golden.version_id_of(model) == recorded["version_id"]
    assert meta["training_data_sha256"] == load_programs().sha256, "programs.csv changed: re-record"
    assert meta["catalogs_sha256"] == load_catalogs().sha256(), "a catalogue changed: re-record"
    assert meta["created_at"] == golden.TRAINED_AT.isoformat(timespec="seconds")


def test_training_here_gives_that_model_up_to_its_last_bits() -> None:
    """The stored model is what the training code makes of today's data, whatever the CPU.

    Facts, ids, masks and grounding are equal; the answer-by-item similarities (which every score
    is made of, and which do not move when a component's sign does) agree to well under the 1e-4
    a score is shown to. A change to training fails here and needs a re-recording.
    """
    import io

    import numpy as np

    stored, trained = golden.stored_model(), golden.trained_model()
    with np.load(io.BytesIO(stored.npz)) as a, np.load(io.BytesIO(trained.npz)) as b:
        assert sorted(a.files) == sorted(b.files)
        for name in a.files:
            assert (a[name].dtype, a[name].shape) == (b[name].dtype, b[name].shape), name
            if a[name].dtype.kind != "f":
                assert np.array_equal(a[name], b[name]), name
        np.testing.assert_array_equal(a["tuition"], b["tuition"])
        np.testing.assert_allclose(a["query_blocks"], b["query_blocks"], rtol=1e-6)
        similarities = [z["answer_rows"] @ z["item_rows"].T for z in (a, b)]
        np.testing.assert_allclose(*similarities, rtol=0, atol=1e-5)
    same = ("params", "program_count", "training_data_sha256", "catalogs_sha256", "format_version", "created_at")
    assert {k: stored.meta[k] for k in same} == {k: trained.meta[k] for k in same}


def test_every_answer_is_byte_identical(recorded: dict, served: tuple[str, list[bytes]]) -> None:
    version_id, bodies = served
    assert version_id == recorded["version_id"]
    for index, (body, quiz) in enumerate(zip(bodies, recorded["quizzes"], strict=True)):
        if golden.digest(body) == quiz["sha256"]:
            continue
        detail = ""
        if index < len(recorded["bodies"]):
            want = json.dumps(recorded["bodies"][index], indent=1, ensure_ascii=False).splitlines()
            got = json.dumps(json.loads(body), indent=1, ensure_ascii=False).splitlines()
            detail = "\n".join(list(difflib.unified_diff(want, got, lineterm=""))[:60])
        pytest.fail(f"answer {index} changed for {quiz['answers']} limit {quiz['limit']}\n{detail}")


def test_results_pages_are_byte_identical(recorded: dict, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The results pages those answers link to show the same HTML (CSRF token values aside)."""
    items = [(q["answers"], q["limit"]) for q in recorded["quizzes"][: len(recorded["pages_sha256"])]]
    tmp = tmp_path_factory.mktemp("pages")
    with golden.golden_client(tmp, golden.stored_model()) as (client, _), golden.pinned_year():
        pages = golden.pages_of(client, golden.answers_of(client, items))
    for index, (page, want) in enumerate(zip(pages, recorded["pages_sha256"], strict=True)):
        assert golden.digest(page) == want, f"results page {index} changed for {items[index]}"


def test_full_bodies_parse_to_the_hashed_bytes(recorded: dict) -> None:
    """The kept bodies are the hashed ones (orjson's compact form), so a diff shown is a real one."""
    import orjson

    for body, quiz in zip(recorded["bodies"], recorded["quizzes"], strict=False):
        assert golden.digest(orjson.dumps(body)) == quiz["sha256"]
