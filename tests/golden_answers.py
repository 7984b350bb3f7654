"""The "nothing answered changes" golden set: 1,000 seeded quizzes and the API's answer to each.

    .venv/bin/python tests/golden_answers.py           # train, and rewrite the model and the answers
    .venv/bin/python tests/golden_answers.py --pages   # rewrite only the results pages' hashes

Run it only with code whose answers are known right (the file is the reference that
`test_golden_answers.py` holds every later version of the request path to). To re-record after a
change of data, run this file from an export of the reference code with the new data, e.g.
`git archive <ref> | tar -x -C /tmp/ref && cp data/* /tmp/ref/data/ && cp tests/golden_answers.py
tests/conftest.py /tmp/ref/tests/ && cd /tmp/ref && .../python tests/golden_answers.py`, then copy
`tests/data/golden_*` back. `--pages` is for an intended change of the results page's markup: it
keeps the model and the API answers and re-hashes the pages with the code importable now.

The answers are recorded with the model they were served by, `tests/data/golden_model.npz` and
`.json` (the artifact, 95 KB), and the test serves that same model: training's last bits follow
the machine's BLAS kernels (the same code and libraries trained `…5409597b` on one CPU and
`…0901de24` on another, and one of the 1,000 answers moved in a score's fourth decimal), and what
is held here is the request path, not the floating point of training. The model is trained with a
fixed `now` and the academic year is pinned, so the version id, the result links and the "possibly
outdated" flags are the same on any day.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import random
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "golden_answers.json.gz"
MODEL = ROOT / "tests" / "data" / "golden_model"  # .npz (arrays) and .json (metadata): one artifact
SEED = 20261201
COUNT = 1000
FULL_BODIES = 25  # kept whole so that a failure can show what changed, not only that something did
PAGES = 200  # results pages (HTML) of the first quizzes, checked the same way
CSRF_VALUE = re.compile(rb'(name="csrf_token" value=")[^"]*(")')
TRAINED_AT = dt.datetime(2026, 12, 1, 9, 0, 0, tzinfo=dt.UTC)
ACADEMIC_YEAR = 2026


def quizzes(count: int = COUNT, seed: int = SEED) -> list[tuple[dict[str, Any], int]]:
    """`count` valid contract answers with every field varied, each with an API limit (10 or 50)."""
    from recommender.domain import quiz

    rng = random.Random(seed)
    budgets = [None, 0, 1, 25_000, 40_000, 52_000, 60_000, 75_000, 100_000, 500_000]
    out = []
    for _ in range(count):
        answers = {
            "interests": rng.sample(list(quiz.INTERESTS), rng.randint(1, 3)),
            "background": rng.choice(list(quiz.BACKGROUNDS)),
            "experience_years": rng.choice([0, 50, rng.randint(0, 50)]),
            "goal": rng.choice(list(quiz.GOALS)),
            "industry": rng.choice(list(quiz.INDUSTRIES)),
            "format": rng.choice(list(quiz.FORMATS)),
            "pace": rng.choice(list(quiz.PACES)),
            "max_budget_usd": rng.choice([*budgets, rng.randint(0, 500_000)]),
            "region": rng.choice(list(quiz.REGIONS)),
        }
        out.append((answers, rng.choice([10, 10, 50])))
    return out


@contextmanager
def pinned_year() -> Iterator[None]:
    """Ages of facts are counted from a fixed academic year, so the answers do not age."""
    with mock.patch("recommender.domain.catalog.sources.academic_year", lambda today=None: ACADEMIC_YEAR):
        yield


def digest(body: bytes) -> str:
    """The hash one answer is compared by."""
    return hashlib.sha256(body).hexdigest()


def answers_of(client, items: list[tuple[dict[str, Any], int]]) -> list[bytes]:
    """The API's exact response bytes for each quiz; every one must be a 200."""
    bodies = []
    for answers, limit in items:
        response = client.post(f"/api/v1/recommendations?limit={limit}", json=answers)
        assert response.status_code == 200, (answers, response.status_code, response.get_data(as_text=True)[:300])
        bodies.append(response.get_data())
    return bodies


def pages_of(client, bodies: list[bytes]) -> list[bytes]:
    """The results page each answer links to, with the per-session CSRF token values blanked."""
    pages = []
    for body in bodies:
        response = client.get(json.loads(body)["result_url"])
        assert response.status_code == 200, response.status_code
        pages.append(CSRF_VALUE.sub(rb"\1\2", response.get_data()))
    return pages


def stored_model() -> Any:
    """The artifact the golden answers were recorded with."""
    from recommender.ml.artifacts import Artifact

    return Artifact(MODEL.with_suffix(".npz").read_bytes(), MODEL.with_suffix(".json").read_bytes())


def version_id_of(artifact: Any) -> str:
    """The id `train(now=TRAINED_AT)` gives this artifact."""
    return f"{TRAINED_AT:%Y%m%d-%H%M%S}-{artifact.sha256[:8]}"


@contextmanager
def golden_client(tmp: Path, artifact: Any) -> Iterator[tuple[Any, str]]:
    """A test client on a fresh SQLite app serving `artifact` (the bundled catalogue's model)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from recommender.extensions import db
    from tests.conftest import make_app, seed_artifact  # "conftest" alone may name tests/browser's

    meta, version_id = artifact.meta, version_id_of(artifact)
    metrics = {**meta["persona_metrics"], "programs": meta["program_metrics"], "catalog": meta["catalog_coverage"]}
    app = make_app((f"sqlite:///{tmp / 'golden.sqlite3'}", {}), tmp, LOG_LEVEL="WARNING")
    seed_artifact(app, version_id, artifact, metrics, meta["program_count"])
    try:
        yield app.test_client(), version_id
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def trained_model() -> Any:
    """The bundled catalogue trained at TRAINED_AT by the code importable now."""
    from recommender.domain.catalog import load_catalogs, load_programs
    from recommender.ml.pipeline import train

    return train(load_programs(), load_catalogs(), now=TRAINED_AT).artifact


def record() -> None:
    """Train, and write the model and the golden file from the code importable now."""
    items = quizzes()
    artifact = trained_model()
    with (
        tempfile.TemporaryDirectory() as tmp,
        golden_client(Path(tmp), artifact) as (client, version_id),
        pinned_year(),
    ):
        bodies = answers_of(client, items)
        pages = pages_of(client, bodies[:PAGES])
    golden = {
        "seed": SEED,
        "count": COUNT,
        "version_id": version_id,
        "academic_year": ACADEMIC_YEAR,
        "quizzes": [{"answers": a, "limit": n, "sha256": digest(b)} for (a, n), b in zip(items, bodies, strict=True)],
        "bodies": [json.loads(b) for b in bodies[:FULL_BODIES]],
        "pages_sha256": [digest(p) for p in pages],
    }
    MODEL.with_suffix(".npz").write_bytes(artifact.npz)
    MODEL.with_suffix(".json").write_bytes(artifact.meta_json)
    write(golden)


def record_pages() -> None:
    """Re-hash the results pages with the code importable now; the model and API answers stay."""
    golden = load()
    items = [(q["answers"], q["limit"]) for q in golden["quizzes"][:PAGES]]
    with tempfile.TemporaryDirectory() as tmp, golden_client(Path(tmp), stored_model()) as (client, version_id):
        if version_id != golden["version_id"]:
            raise SystemExit(f"the stored model is {version_id}, the answers were recorded with {golden['version_id']}")
        with pinned_year():
            bodies = answers_of(client, items)
            if [digest(b) for b in bodies] != [q["sha256"] for q in golden["quizzes"][:PAGES]]:
                raise SystemExit("the API answers changed: --pages re-records pages only")
            golden["pages_sha256"] = [digest(p) for p in pages_of(client, bodies)]
    write(golden)


def write(golden: dict[str, Any]) -> None:
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    GOLDEN.write_bytes(gzip.compress(json.dumps(golden).encode(), mtime=0))
    print(f"wrote {GOLDEN.relative_to(ROOT)}: {COUNT} answers, version {golden['version_id']}, "
          f"{GOLDEN.stat().st_size:,} bytes")  # fmt: skip


def load() -> dict[str, Any]:
    """The recorded golden set."""
    return json.loads(gzip.decompress(GOLDEN.read_bytes()))


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", action="store_true", help="re-hash the results pages only")
    sys.path.insert(0, str(ROOT))
    record_pages() if parser.parse_args().pages else record()
