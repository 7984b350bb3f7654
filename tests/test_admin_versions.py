"""Comparing, promoting, discarding and rolling back versions through the admin area."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from werkzeug.security import generate_password_hash

from recommender.app import catalogs_of
from recommender.extensions import db
from recommender.ml.pipeline import TrainedVersion
from recommender.orm import ModelVersion
from recommender.services import accounts, catalog_import, dashboard, versions
from tests.conftest import make_app, seed_version
from tests.test_admin import FAST_SCRYPT, actions, admin_client, state, token_of
from tests.test_admin_uploads import program_rows, reverified_programs, to_csv

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch):
    monkeypatch.setattr(accounts, "hash_password", lambda password: generate_password_hash(password, FAST_SCRYPT))


def train_candidate(app, raw: bytes, name: str = "candidate.csv") -> str:
    """A candidate trained through the shared import path (as an upload's job does)."""
    with app.app_context():
        _, programs_file = catalog_import.receive(db.session, raw, source_name=name, actor="test")
        outcome = versions.train_version(
            db.session,
            programs_file,
            catalogs_of(app),
            actor="test",
            source_name=name,
            models_dir=Path(app.config["MODELS_DIR"]),
            floor=app.config["MODEL_ACCURACY_FLOOR"],
        )
        return outcome.version.id


def store(app, trained: TrainedVersion, *, top1: float, top3: float = 1.0) -> str:
    """A candidate with other metrics (the gate reads only metrics)."""
    metrics = dataclasses.replace(trained.metrics, top1=top1, top3=top3)
    fake = dataclasses.replace(trained, version_id=f"v-{top1}-{top3}", metrics=metrics)
    return seed_version(app, fake, activate=False).id


def post_action(client, version_id: str, action: str):
    token = token_of(client, f"/admin/versions/{version_id}")
    return client.post(f"/admin/versions/{version_id}/{action}", data={"csrf_token": token})


def serving(client) -> str:
    return client.get("/healthz").get_json()["model_version"]


def status_of(app, version_id: str) -> str:
    with app.app_context():
        return db.session.get(ModelVersion, version_id).status


# ----------------------------------------------------------------------------- the whole flow


@pytest.fixture
def slow_app(database_url, tmp_path, trained):
    """Refreshing the pointer only hourly: only this process's own activation can switch it at once."""
    app = make_app(database_url, tmp_path, MODEL_REFRESH_SECONDS=3600.0)
    seed_version(app, trained)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_promote_then_roll_back_through_the_web(slow_app, trained):
    app = slow_app
    client = admin_client(app)
    original = trained.version_id
    assert serving(client) == original
    candidate = train_candidate(app, reverified_programs())

    listing = client.get("/admin/versions").get_data(as_text=True)
    assert f"/admin/versions/{candidate}/activate" in listing and f"/admin/versions/{candidate}/discard" in listing

    promoted = post_action(client, candidate, "activate")
    assert promoted.status_code == 302
    page = client.get(promoted.headers["Location"]).get_data(as_text=True)
    assert f"Promoted {candidate}" in page
    assert state(app)[1] == candidate and serving(client) == candidate
    assert status_of(app, original) == "retired"

    # Any earlier version is one click away.
    listing = client.get("/admin/versions").get_data(as_text=True)
    assert f"/admin/versions/{original}/activate" in listing and "Roll back to this version" in listing
    rolled = post_action(client, original, "activate")
    assert f"Rolled back to {original}" in client.get(rolled.headers["Location"]).get_data(as_text=True)
    assert state(app)[1] == original and serving(client) == original
    assert status_of(app, candidate) == "retired"
    assert actions(app)[-2:] == ["activate", "rollback"]

    audit = client.get("/admin/audit").get_data(as_text=True)
    assert audit.count("admin@example.org") >= 3 and candidate in audit and "rollback" in audit


def test_a_gate_refusal_is_shown_and_changes_nothing(app, trained):
    client = admin_client(app)
    low = store(app, trained, top1=0.5)
    page = client.get(f"/admin/versions/{low}").get_data(as_text=True)
    assert "refused: persona top-1 accuracy 50.0% is below the floor of 85.0%" in page
    response = post_action(client, low, "activate")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Not activated: the gate refused: persona top-1 accuracy 50.0% is below the floor" in page
    assert "The active version is unchanged" in page
    assert state(app)[1] == trained.version_id and serving(client) == trained.version_id
    assert status_of(app, low) == "candidate"
    assert actions(app)[-1] == "activate_refused"


def test_a_candidate_worse_than_the_active_version_is_refused_with_both_scores(app, trained):
    client = admin_client(app)
    worse = store(app, trained, top1=trained.metrics.top1 - 0.01)
    page = client.get(client.post(f"/admin/versions/{worse}/activate", data={
        "csrf_token": token_of(client)}).headers["Location"]).get_data(as_text=True)  # fmt: skip
    assert "below the active version" in page and trained.version_id in page
    assert state(app)[1] == trained.version_id


def test_discard_a_candidate(app, trained):
    client = admin_client(app)
    candidate = store(app, trained, top1=0.99)
    response = post_action(client, candidate, "discard")
    assert f"Discarded {candidate}" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert status_of(app, candidate) == "discarded"
    again = post_action(client, candidate, "activate")
    assert "cannot be served" in client.get(again.headers["Location"]).get_data(as_text=True)
    # The active version cannot be discarded.
    refused = post_action(client, trained.version_id, "discard")
    assert "only candidates can be discarded" in client.get(refused.headers["Location"]).get_data(as_text=True)
    assert state(app)[1] == trained.version_id


def test_actions_need_a_csrf_token(app, trained):
    client = admin_client(app)
    candidate = store(app, trained, top1=0.99)
    assert client.post(f"/admin/versions/{candidate}/activate").status_code == 400
    assert client.post(f"/admin/versions/{candidate}/discard").status_code == 400
    assert status_of(app, candidate) == "candidate" and state(app)[1] == trained.version_id


def test_unknown_versions_are_404(app):
    client = admin_client(app)
    token = token_of(client)
    assert client.get("/admin/versions/nope").status_code == 404
    assert client.post("/admin/versions/nope/activate", data={"csrf_token": token}).status_code == 404
    assert client.post("/admin/versions/nope/discard", data={"csrf_token": token}).status_code == 404


# ----------------------------------------------------------------------------- comparison with the active version


def test_a_candidate_shows_metric_deltas_and_how_each_persona_moves(app, trained, catalogs):
    client = admin_client(app)
    persona = catalogs.personas[0]
    _, _, order, _ = trained.recommender.rank(persona.answers, limit=5)
    first = trained.recommender.programs[int(order[0])]
    rows = [row for row in program_rows() if row["id"] != first.id]
    candidate = train_candidate(app, to_csv(rows))

    page = client.get(f"/admin/versions/{candidate}?all=1").get_data(as_text=True)
    for label in (
        "Specialization top-1 accuracy",
        "Specialization top-3 accuracy",
        "Specialization mean reciprocal rank",
        "Program precision@3",
        "Program nDCG@10",
        "Program reasons grounded in program text",
    ):
        assert label in page
    assert re.search(r'class="delta (up|down|same)">[+-]\d', page)
    row = page.split(f'<th scope="row">{persona.id}</th>', 1)[1].split("</tr>", 1)[0]
    assert f"{first.university} — {first.program}" in row
    assert "was 1, now out of the top five" in row
    assert "new in top five" in row  # something took its place

    only_changes = client.get(f"/admin/versions/{candidate}").get_data(as_text=True)
    assert only_changes.count('<tr>\n      <th scope="row">') <= page.count('<tr>\n      <th scope="row">')


def test_the_active_version_compares_with_nothing(app, trained):
    page = admin_client(app).get(f"/admin/versions/{trained.version_id}").get_data(as_text=True)
    assert "This is the active version" in page
    assert "Promote" not in page and "Roll back" not in page


def test_compare_names_every_move(trained, catalogs):
    recommender = trained.recommender
    same = dashboard.compare(recommender, trained.metrics.to_dict(), recommender, trained.metrics.to_dict(),
                             catalogs.personas)  # fmt: skip
    assert same.top_changes == 0 and same.program_changes == 0
    assert all(m.delta == 0 for m in same.metrics)
    assert all(m.movement == "same" for p in same.personas for m in p.moves)
    moves = [
        dashboard.ProgramMove("a", "A", 3, 1),
        dashboard.ProgramMove("b", "B", 1, 2),
        dashboard.ProgramMove("c", "C", None, 3),
        dashboard.ProgramMove("d", "D", 2, None),
    ]
    assert [m.movement for m in moves] == ["up 2", "down 1", "new", "out"]
    alone = dashboard.compare(recommender, trained.metrics.to_dict(), None, None, catalogs.personas[:2])
    assert alone.active_id is None and alone.metrics[0].delta is None and alone.top_changes == 0
