"""The CLI side of the admin area: create-admin, and train/promote/roll back through the shared path."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from recommender.extensions import db
from recommender.orm import AdminUser, ProgramUpload
from recommender.services import accounts
from tests.test_admin import FAST_SCRYPT, PASSWORD, actions, login, state
from tests.test_admin_uploads import program_rows, reverified_programs, smaller_programs, to_csv

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch):
    monkeypatch.setattr(accounts, "hash_password", lambda password: generate_password_hash(password, FAST_SCRYPT))


def admin_row(app, email: str) -> AdminUser | None:
    with app.app_context():
        user = db.session.scalars(select(AdminUser).where(AdminUser.email == email)).first()
        if user is not None:
            db.session.expunge(user)
        return user


# ----------------------------------------------------------------------------- create-admin


def test_create_admin_prompts_twice_and_the_account_can_log_in(app, runner, monkeypatch):
    monkeypatch.delenv("MEMMATCH_ADMIN_PASSWORD", raising=False)
    result = runner.invoke(args=["create-admin", "Boss@Example.org"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "created admin boss@example.org" in result.output and PASSWORD not in result.output
    assert admin_row(app, "boss@example.org").password_hash.startswith("scrypt:")
    assert login(app.test_client(), "boss@example.org", PASSWORD).status_code == 302
    assert "create_admin" in actions(app)


def test_create_admin_refuses_passwords_that_do_not_match(app, runner, monkeypatch):
    monkeypatch.delenv("MEMMATCH_ADMIN_PASSWORD", raising=False)
    result = runner.invoke(
        args=["create-admin", "boss@example.org"],
        input=f"{PASSWORD}\nsomething else entirely\n{PASSWORD}\n{PASSWORD}\n",
    )
    assert "do not match" in result.output.lower() or "don't match" in result.output.lower()
    assert result.exit_code == 0 and admin_row(app, "boss@example.org") is not None


def test_create_admin_reads_the_password_from_the_environment(app, runner):
    result = runner.invoke(args=["create-admin", "bot@example.org"], env={"MEMMATCH_ADMIN_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.output
    assert "Password" not in result.output
    assert login(app.test_client(), "bot@example.org", PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["create-admin", "not-an-address"], PASSWORD, "is not an e-mail address"),
        (["create-admin", "x@example.org"], "too short", "at least 12 characters"),
        (["create-admin"], PASSWORD, "Missing argument 'EMAIL'"),
    ],
)
def test_create_admin_explains_refusals(app, runner, args, password, message):
    result = runner.invoke(args=args, env={"MEMMATCH_ADMIN_PASSWORD": password})
    assert result.exit_code != 0 and message in result.output


def test_an_existing_admin_is_only_changed_with_reset(app, runner):
    env = {"MEMMATCH_ADMIN_PASSWORD": PASSWORD}
    assert runner.invoke(args=["create-admin", "a@example.org"], env=env).exit_code == 0
    client = app.test_client()
    assert login(client, "a@example.org", PASSWORD).status_code == 302
    again = runner.invoke(args=["create-admin", "a@example.org"], env=env)
    assert again.exit_code == 1 and "already exists" in again.output
    new = {"MEMMATCH_ADMIN_PASSWORD": "a brand new passphrase"}
    reset = runner.invoke(args=["create-admin", "a@example.org", "--reset"], env=new)
    assert reset.exit_code == 0 and "password reset for a@example.org" in reset.output
    # A new password ends the sessions opened with the old one.
    assert client.get("/admin/").status_code == 302
    assert login(app.test_client(), "a@example.org", "a brand new passphrase", ip="10.5.0.1").status_code == 302


# ----------------------------------------------------------------------------- the same import path as uploads


def write(tmp_path: Path, name: str, raw: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(raw)
    return path


def test_cli_training_is_recorded_like_an_upload(app, runner, tmp_path):
    path = write(tmp_path, "fewer.csv", smaller_programs())
    result = runner.invoke(args=["train", "--data", str(path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        upload = db.session.scalars(select(ProgramUpload)).one()
        assert (upload.actor, upload.source_name, upload.status) == ("cli", "fewer.csv", "accepted")
    assert actions(app)[-2:] == ["upload", "train"]


def test_cli_refuses_what_the_upload_refuses(app, runner, tmp_path):
    before = state(app)
    path = write(tmp_path, "programs.txt", to_csv(program_rows()))
    result = runner.invoke(args=["train", "--data", str(path), "--activate"])
    assert result.exit_code == 1 and "the file name must end in .csv" in result.output
    assert "Nothing was changed" in result.output and state(app) == before
    assert actions(app)[-1] == "upload_refused"


def test_the_whole_promote_and_rollback_flow_through_the_cli(app, runner, tmp_path, trained):
    original = trained.version_id
    trained_out = runner.invoke(args=["train", "--data", str(write(tmp_path, "fewer.csv", reverified_programs()))])
    assert trained_out.exit_code == 0, trained_out.output
    candidate = trained_out.stdout.split("version ", 1)[1].split()[0]
    assert state(app)[1] == original

    listing = runner.invoke(args=["models", "list"]).output
    assert f"* {original}" in listing and f"  {candidate}  candidate" in listing

    promoted = runner.invoke(args=["models", "activate", candidate])
    assert promoted.exit_code == 0 and f"active {candidate}" in promoted.output
    assert state(app)[1] == candidate
    assert app.test_client().get("/healthz").get_json()["model_version"] == candidate

    rolled = runner.invoke(args=["models", "activate", original])
    assert rolled.exit_code == 0 and f"active {original}" in rolled.output
    assert state(app)[1] == original
    assert app.test_client().get("/healthz").get_json()["model_version"] == original
    assert actions(app)[-2:] == ["activate", "rollback"]

    # What the CLI did is in the admin area's audit log and version list.
    runner.invoke(args=["create-admin", "a@example.org"], env={"MEMMATCH_ADMIN_PASSWORD": PASSWORD})
    client = app.test_client()
    login(client, "a@example.org", PASSWORD)
    audit = client.get("/admin/audit").get_data(as_text=True)
    assert "<td>cli</td><td>rollback</td>" in audit and "<td>cli</td><td>activate</td>" in audit
    versions_page = client.get("/admin/versions").get_data(as_text=True)
    assert f"/admin/versions/{candidate}/activate" in versions_page  # retired: one click to go back to it


def test_train_output_is_unchanged(app, runner, tmp_path):
    """Scripts read these lines; the shared import path must not change them."""
    result = runner.invoke(args=["train", "--data", str(write(tmp_path, "p.csv", smaller_programs()))])
    lines = result.stdout.splitlines()
    assert (
        lines[0].startswith("version ")
        and lines[1] == f"programs {len(program_rows()) - 5}"
        and lines[2].startswith("metrics top-1 ")
    )
