"""Versions: training through the CLI, the gate, activation, refresh across workers, artifacts."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from recommender.domain.catalog import load_programs
from recommender.extensions import db
from recommender.ml import artifacts
from recommender.ml.evaluation import PersonaMetrics
from recommender.orm import ActiveModel, AuditEvent, ModelVersion
from recommender.services import versions
from recommender.services.registry import ModelRegistry
from recommender.services.state import catalogs_of, registry_of
from tests.conftest import seed_version, valid_answers

ROOT = Path(__file__).resolve().parents[1]
PROGRAMS = ROOT / "data" / "programs.csv"


from tests.test_admin_uploads import reverified_programs  # noqa: E402
from tests.test_admin_uploads import smaller_programs as smaller_bytes  # noqa: E402


def smaller_programs(tmp_path: Path, drop: int = 5) -> Path:
    """The bundled catalogue less `drop` programs no program persona expects, as a file."""

    path = tmp_path / "smaller.csv"
    path.write_bytes(smaller_bytes(drop))
    return path


def state(app) -> tuple[int, str | None]:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(ModelVersion))
        pointer = db.session.get(ActiveModel, 1)
        return count, pointer.version_id if pointer else None


def test_train_prints_version_and_metrics_and_activates(app, runner, tmp_path):
    before_count, _ = state(app)
    path = tmp_path / "reverified.csv"
    path.write_bytes(reverified_programs())
    result = runner.invoke(args=["train", "--data", str(path), "--activate"])
    assert result.exit_code == 0, result.output
    version_id = result.stdout.split("version ", 1)[1].split()[0]
    assert "top-1" in result.output and f"programs {len(load_programs().programs)}" in result.output
    assert state(app) == (before_count + 1, version_id)
    assert client_version(app) == version_id
    assert (Path(app.config["MODELS_DIR"]) / version_id / "arrays.npz").exists()


def client_version(app) -> str:
    return app.test_client().get("/healthz").get_json()["model_version"]


def test_train_without_activate_leaves_the_active_version(app, runner, tmp_path):
    _, active = state(app)
    result = runner.invoke(args=["train", "--data", str(smaller_programs(tmp_path))])
    assert result.exit_code == 0
    assert state(app)[1] == active
    listing = runner.invoke(args=["models", "list"]).output
    assert listing.count("\n") == 2 and "candidate" in listing and f"* {active}" in listing


def test_a_bad_training_file_is_refused_whole_and_nothing_changes(app, runner, tmp_path):
    before = state(app)
    bad = tmp_path / "bad.csv"
    with PROGRAMS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[2]["region"] = "atlantis"  # line 4 of the file
    rows.append(rows[0])  # a duplicate id, on the last line
    with bad.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = runner.invoke(args=["train", "--data", str(bad), "--activate"])
    assert result.exit_code == 1
    assert "row 4, region: 'atlantis'" in result.output
    assert f"row {len(rows) + 1}, id:" in result.output and "already used on row 2" in result.output
    assert "Nothing was changed" in result.output
    assert state(app) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train"], "Missing option '--data'"),
        (["train", "--data", "/no/such/file.csv"], "cannot read"),
        (["train", "--data", "x.csv", "--force"], "--force only makes sense with --activate"),
        (["models", "activate", "no-such-version"], "no version 'no-such-version'"),
    ],
)
def test_bad_cli_arguments_get_clear_messages(app, runner, args, message):
    before = state(app)
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert message in result.output
    assert state(app) == before


def store(app, trained, *, top1: float, top3: float = 1.0, status: str = "candidate") -> str:
    """A copy of the session's version with other metrics (the gate reads only metrics)."""
    metrics = dataclasses.replace(trained.metrics, top1=top1, top3=top3)
    fake = dataclasses.replace(trained, version_id=f"v-{top1}-{top3}-{status}", metrics=metrics)
    version = seed_version(app, fake, activate=False)
    with app.app_context():
        db.session.get(ModelVersion, version.id).status = status
        db.session.commit()
    return version.id


def test_gate_refuses_below_the_floor_and_force_overrides(app, runner, trained):
    low = store(app, trained, top1=0.5)
    active = state(app)[1]
    result = runner.invoke(args=["models", "activate", low])
    assert result.exit_code == 1 and "below the floor" in result.output
    assert state(app)[1] == active
    forced = runner.invoke(args=["models", "activate", low, "--force"])
    assert forced.exit_code == 0 and "FORCED" in forced.output
    assert state(app)[1] == low
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert actions == ["activate_refused", "activate"]


def test_gate_refuses_a_candidate_worse_than_the_active_version(app, trained):
    worse = store(app, trained, top1=trained.metrics.top1 - 0.01)
    with app.app_context():
        decision = versions.gate(db.session, db.session.get(ModelVersion, worse), floor=0.5)
        assert not decision.allowed and "below the active version" in decision.reason
        same = store(app, trained, top1=trained.metrics.top1, top3=trained.metrics.top3)
        assert versions.gate(db.session, db.session.get(ModelVersion, same), floor=0.5).allowed


def test_rollback_to_a_retired_version_is_allowed(app, runner, trained, tmp_path):
    original = state(app)[1]
    runner.invoke(args=["train", "--data", str(smaller_programs(tmp_path)), "--activate", "--force"])
    assert state(app)[1] != original
    result = runner.invoke(args=["models", "activate", original])
    assert result.exit_code == 0, result.output
    assert state(app)[1] == original
    with app.app_context():
        assert db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id.desc())).first() == "rollback"


def test_discarded_versions_cannot_be_served(app, runner, trained):
    candidate = store(app, trained, top1=0.99)
    assert runner.invoke(args=["models", "discard", candidate]).exit_code == 0
    result = runner.invoke(args=["models", "activate", candidate])
    assert result.exit_code == 1 and "discarded" in result.output


def test_the_version_being_served_is_never_discarded_whatever_its_status(app, runner):
    """A first start on PostgreSQL left the active version a "candidate" (see the first-start test);
    discarding it then withdrew every results link it had made while it went on serving."""
    from sqlalchemy import update

    with app.app_context():
        served = versions.active_id(db.session)
        db.session.execute(update(ModelVersion).where(ModelVersion.id == served).values(status="candidate"))
        db.session.commit()
    result = runner.invoke(args=["models", "discard", served])
    assert result.exit_code == 1 and "is the active version" in result.output, result.output
    with app.app_context():
        assert db.session.get(ModelVersion, served).status == "candidate"
        assert versions.active_id(db.session) == served
    link = app.test_client().post("/api/v1/recommendations", json=valid_answers()).get_json()["result_url"]
    assert app.test_client().get(link).status_code == 200


def test_every_worker_follows_the_database_pointer(app, runner, tmp_path):
    """Two registries stand for two workers: both switch without a restart."""
    with app.app_context():
        workers = [ModelRegistry(catalogs_of(app), Path(app.config["MODELS_DIR"]), 0.0) for _ in range(2)]
        old = [w.active(db.session).version_id for w in workers]
    runner.invoke(args=["train", "--data", str(smaller_programs(tmp_path)), "--activate", "--force"])
    new = state(app)[1]
    with app.app_context():
        assert old[0] == old[1] != new
        assert [w.active(db.session).version_id for w in workers] == [new, new]


def test_refresh_waits_for_its_interval(app, runner, tmp_path):
    with app.app_context():
        slow = ModelRegistry(catalogs_of(app), Path(app.config["MODELS_DIR"]), 3600.0)
        before = slow.active(db.session).version_id
    runner.invoke(args=["train", "--data", str(smaller_programs(tmp_path)), "--activate", "--force"])
    with app.app_context():
        assert slow.active(db.session).version_id == before
        slow.forget_active()
        assert slow.active(db.session).version_id == state(app)[1]


def test_a_tampered_artifact_is_refused_and_the_previous_version_keeps_serving(app, runner, tmp_path):
    registry = registry_of(app)
    serving = client_version(app)
    runner.invoke(args=["train", "--data", str(smaller_programs(tmp_path))])
    with app.app_context():
        candidate = db.session.scalars(select(ModelVersion).where(ModelVersion.status == "candidate")).one()
        candidate.artifact_npz = candidate.artifact_npz[:-10] + b"0123456789"
        db.session.commit()
        (Path(app.config["MODELS_DIR"]) / candidate.id / "arrays.npz").write_bytes(candidate.artifact_npz)
        candidate_id = candidate.id
    result = runner.invoke(args=["models", "activate", candidate_id, "--force"])
    assert result.exit_code == 1 and "does not verify" in result.output
    assert client_version(app) == serving
    # Even if the pointer is moved behind the app's back, workers refuse and keep serving.
    with app.app_context():
        db.session.get(ActiveModel, 1).version_id = candidate_id
        db.session.commit()
    assert client_version(app) == serving
    assert registry.active_id == serving


def test_artifacts_load_without_pickle_and_record_their_provenance(trained):
    arrays, meta = artifacts.load(trained.artifact, trained.artifact.sha256)
    with zipfile.ZipFile(io.BytesIO(trained.artifact.npz)) as archive:
        for name in archive.namelist():
            np.load(io.BytesIO(archive.read(name)), allow_pickle=False)  # raises if any needs pickle
    assert set(meta["libraries"]) == {"python", "numpy", "scipy", "scikit-learn"}
    assert len(meta["training_data_sha256"]) == 64 and meta["params"]["random_state"] == 0
    assert meta["persona_metrics"]["top1"] == trained.metrics.top1
    assert trained.version_id.endswith(trained.artifact.sha256[:8])
    assert arrays["item_rows"].dtype == np.float32


def test_object_arrays_are_refused_at_dump(trained):
    with pytest.raises(artifacts.ArtifactError, match="pickle"):
        artifacts.dump({"x": np.array([{"a": 1}], dtype=object)}, {})


@pytest.mark.parametrize("part", ["npz", "meta_json"])
def test_any_changed_byte_is_detected(trained, part):
    original = getattr(trained.artifact, part)
    changed = dataclasses.replace(trained.artifact, **{part: original[:-1] + bytes([original[-1] ^ 1])})
    with pytest.raises(artifacts.ArtifactError, match="sha256"):
        artifacts.load(changed, trained.artifact.sha256)


def test_an_artifact_with_a_matching_hash_but_wrong_shape_is_refused(trained):
    arrays, meta = artifacts.load(trained.artifact, trained.artifact.sha256)
    arrays["item_rows"] = arrays["item_rows"][:-1]
    broken = artifacts.dump(arrays, {k: v for k, v in meta.items() if k != "format_version"})
    with pytest.raises(artifacts.ArtifactError, match="item rows"):
        artifacts.load(broken, broken.sha256)


def test_first_start_trains_and_activates_once(bare_app):
    from recommender.services.bootstrap import bootstrap

    bootstrap(bare_app, catalogs_of(bare_app))
    first = state(bare_app)
    bootstrap(bare_app, catalogs_of(bare_app))
    assert state(bare_app) == first and first[0] == 1 and first[1]
    with bare_app.app_context():
        version = db.session.get(ModelVersion, first[1])
        assert version.created_by == "system:first-start" and version.program_count == len(load_programs().programs)
        # On PostgreSQL the pointer's INSERT reported rowcount -1, read as a lost race: the version was
        # made active but stayed a "candidate" (audited as refused), so it could be discarded while served.
        assert version.status == "active", version.status
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert actions == ["train", "activate"], actions


def test_metrics_round_trip(trained):
    data = json.loads(json.dumps(trained.metrics.to_dict()))
    assert PersonaMetrics(**{**data, "misses": tuple(data["misses"])}) == trained.metrics
