"""Uploading a programs file through the admin area: refused whole with every problem named, or
trained in the background by a job the page follows."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.security import generate_password_hash
from werkzeug.test import encode_multipart

from recommender.domain.catalog import MAX_FILE_BYTES, load_program_personas
from recommender.extensions import db
from recommender.orm import ModelVersion, ProgramUpload, TrainingJob, utcnow
from recommender.services import accounts, catalog_import, jobs, versions
from tests.test_admin import FAST_SCRYPT, actions, admin_client, state, token_of

ROOT = Path(__file__).resolve().parents[1]
PROGRAMS = ROOT / "data" / "programs.csv"


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch):
    monkeypatch.setattr(accounts, "hash_password", lambda password: generate_password_hash(password, FAST_SCRYPT))


def program_rows() -> list[dict[str, str]]:
    with PROGRAMS.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def to_csv(rows: list[dict[str, str]], fieldnames: list[str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fieldnames or list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def expendable_ids() -> set[str]:
    """Programs no labelled program persona expects: dropping them cannot lower the program metrics."""
    expected = {pid for persona in load_program_personas() for pid in persona.expected}
    return {row["id"] for row in program_rows()} - expected


def reverified_programs(count: int = 5) -> bytes:
    """The bundled catalogue with `count` programs marked verified: a new file whose model scores the same.

    Dropping programs retrains the text model on a different corpus, which can move rankings and
    so the program metrics; a file whose program words are unchanged passes the gate like the active one.
    """
    rows = program_rows()
    for row in rows[:count]:
        row["last_verified"] = "2026-11-02"
    return to_csv(rows)


def smaller_programs(drop: int = 5) -> bytes:
    """The bundled catalogue less its last `drop` programs that no program persona expects."""
    rows = program_rows()
    dropped = [row["id"] for row in rows if row["id"] in expendable_ids()][-drop:]
    return to_csv([row for row in rows if row["id"] not in dropped])


def upload(client, raw: bytes, name: str = "programs.csv"):
    # Encoded in memory: werkzeug's test builder spools big bodies to a temp file it never closes.
    fields = {"csrf_token": token_of(client, "/admin/upload"), "file": FileStorage(io.BytesIO(raw), name)}
    boundary, body = encode_multipart(MultiDict(fields))
    return client.post("/admin/upload", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def catalogue(client) -> tuple[str, object]:
    """What students see: the serving version and its programs."""
    return client.get("/healthz").get_json()["model_version"], client.get("/api/v1/programs").get_json()


def job_id_of(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    location = response.headers["Location"]
    assert location.startswith("/admin/jobs/")
    return int(location.rsplit("/", 1)[1])


# ----------------------------------------------------------------------------- a good upload


def test_a_good_upload_trains_a_candidate_in_the_background(app):
    client = admin_client(app)
    before_catalogue, before_state = catalogue(client), state(app)
    job_id = job_id_of(upload(client, smaller_programs()))
    jobs.runner_of(app).wait(job_id, timeout=120)
    status = client.get(f"/admin/jobs/{job_id}.json").get_json()
    assert status["status"] == "succeeded" and status["finished"] and status["version_id"]
    page = client.get(f"/admin/jobs/{job_id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page and f"/admin/versions/{status['version_id']}" in page
    with app.app_context():
        version = db.session.get(ModelVersion, status["version_id"])
        expected = ("candidate", len(program_rows()) - 5, "admin@example.org")
        assert (version.status, version.program_count, version.created_by) == expected
        assert version.programs_csv == smaller_programs()
        job = db.session.get(TrainingJob, job_id)
        assert db.session.get(ProgramUpload, job.upload_id).status == "accepted"
    # A candidate is only a candidate: students see exactly what they saw before.
    assert catalogue(client) == before_catalogue
    assert state(app) == (before_state[0] + 1, before_state[1])
    assert actions(app)[-4:] == ["upload", "job_queued", "train", "job_succeeded"]


def test_an_unfinished_job_page_reloads_itself(app):
    client = admin_client(app)
    with app.app_context():
        job = TrainingJob(
            actor="admin@example.org", source_name="programs.csv", status="running", error="", heartbeat_at=utcnow()
        )
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    page = client.get(f"/admin/jobs/{job_id}").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in page and "running" in page
    assert client.get(f"/admin/jobs/{job_id}.json").get_json()["finished"] is False


def test_a_job_left_behind_by_a_stopped_web_process_is_reported_failed(app):
    client = admin_client(app)
    with app.app_context():
        job = TrainingJob(
            actor="x", source_name="p.csv", status="queued", error="", created_at=utcnow() - jobs.STALE_AFTER * 2
        )
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    status = client.get(f"/admin/jobs/{job_id}.json").get_json()
    assert status["status"] == "failed" and "interrupted" in status["error"]


def test_a_training_failure_is_shown_and_changes_nothing(app, monkeypatch):
    client = admin_client(app)
    before = catalogue(client), state(app)

    def explode(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(versions, "train_version", explode)
    job_id = job_id_of(upload(client, smaller_programs()))
    jobs.runner_of(app).wait(job_id, timeout=60)
    page = client.get(f"/admin/jobs/{job_id}").get_data(as_text=True)
    assert "Training failed: RuntimeError: the disk is full" in page and "Nothing was changed" in page
    assert (catalogue(client), state(app)) == before
    assert actions(app)[-1] == "train_failed"


def test_unknown_jobs_and_reports_are_404(app):
    client = admin_client(app)
    assert client.get("/admin/jobs/999").status_code == 404
    assert client.get("/admin/jobs/999.json").status_code == 404
    assert client.get("/admin/uploads/999/report.csv").status_code == 404


# ----------------------------------------------------------------------------- bad uploads


def bad_programs() -> bytes:
    rows = program_rows()
    rows[2]["region"] = "atlantis"  # line 4
    rows[3]["description"] = '=HYPERLINK("https://evil.example","click")'  # line 5
    rows[4]["tuition_usd"] = "lots"  # line 6
    rows.append(dict(rows[0]))  # a duplicate id on the last line
    return to_csv(rows)


def test_a_bad_upload_names_every_row_and_reason_and_changes_nothing(app):
    client = admin_client(app)
    before_catalogue, before_state = catalogue(client), state(app)
    response = upload(client, bad_programs())
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "4 problems" in html and "Nothing was changed" in html
    for line, column, reason in [
        ("4", "region", "is not one of"),
        ("5", "description", "starts with a formula character"),
        ("6", "tuition_usd", "is not a whole number"),
        (str(len(program_rows()) + 2), "id", "already used on row 2"),  # the appended duplicate
    ]:
        assert f'<td class="num">{line}</td><td>{column}</td><td>' in html and reason in html, line
    assert catalogue(client) == before_catalogue and state(app) == before_state
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TrainingJob)) == 0
    assert actions(app)[-1] == "upload_refused"


def test_the_full_report_downloads_as_formula_safe_csv(app):
    client = admin_client(app)
    rows = program_rows()
    raw = to_csv(rows, fieldnames=[*rows[0], "=cmd|' /C calc'!A0"])
    response = upload(client, raw)
    assert response.status_code == 422
    # An unknown column refuses the file before any row is read: one problem, named formula-safely.
    report_url = next(
        line.split('href="')[1].split('"')[0]
        for line in response.get_data(as_text=True).splitlines()
        if "report.csv" in line
    )
    report = client.get(report_url)
    assert report.status_code == 200 and report.mimetype == "text/csv"
    assert "attachment" in report.headers["Content-Disposition"]
    parsed = list(csv.reader(io.StringIO(report.get_data(as_text=True))))
    assert parsed[0] == ["line", "column", "problem"]
    assert parsed[1][:2] == ["1", "'=cmd|' /C calc'!A0"]


def test_more_problems_than_a_screenful_are_all_in_the_report(app):
    client = admin_client(app)
    rows = program_rows()
    for row in rows:
        row["region"] = "atlantis"
        row["formats"] = "by-post"
    response = upload(client, to_csv(rows))
    html = response.get_data(as_text=True)
    total = len(rows) * 2
    assert f"{total} problems" in html and "The first 50 are listed below" in html
    assert html.count('<tr><td class="num">') == 50
    with app.app_context():
        upload_id = db.session.scalars(select(ProgramUpload.id)).one()
    report = list(csv.reader(io.StringIO(client.get(f"/admin/uploads/{upload_id}/report.csv").get_data(as_text=True))))
    assert len(report) == total + 1
    assert {r[1] for r in report[1:]} == {"region", "formats"}


@pytest.mark.parametrize(
    ("raw", "name", "reason"),
    [
        (smaller_programs(), "programs.xlsx", "the file name must end in .csv"),
        (b"\xff\xfe not utf-8", "programs.csv", "not UTF-8 text"),
        (b"", "programs.csv", "the file is empty"),
        (b"id,university\n", "programs.csv", "required column is missing"),
        (b"a" * (MAX_FILE_BYTES + 1), "programs.csv", "the limit is 5,242,880"),
        # More digits than int() reads (4,300) raised Python's ValueError: a 500, and no record.
        (to_csv([{**program_rows()[0], "tuition_usd": "9" * 5000}]), "programs.csv", "the limit is 4,000"),
    ],
)
def test_files_of_the_wrong_kind_are_refused(app, raw, name, reason):
    client = admin_client(app)
    before = catalogue(client), state(app)
    response = upload(client, raw, name)
    assert response.status_code == 422 and reason in response.get_data(as_text=True)
    assert (catalogue(client), state(app)) == before
    with app.app_context():
        upload_id = db.session.scalars(select(ProgramUpload.id)).one()
    report = client.get(f"/admin/uploads/{upload_id}/report.csv").get_data(as_text=True)
    assert reason in report and len(report.splitlines()) >= 2


def test_only_the_file_name_is_kept_from_an_uploaded_path(app):
    client = admin_client(app)
    upload(client, b"", "/home/me/programs.csv")
    upload(client, b"", "../../etc/programs.csv")
    with app.app_context(), pytest.raises(catalog_import.ImportRefused):
        catalog_import.receive(db.session, b"", source_name="C:\\Users\\me\\programs.csv", actor="test")
    with app.app_context():
        assert db.session.scalars(select(ProgramUpload.source_name)).all() == ["programs.csv"] * 3


def test_a_body_over_the_request_limit_is_413(app):
    client = admin_client(app)
    response = upload(client, b"a" * (app.config["MAX_CONTENT_LENGTH"] + 1))
    assert response.status_code == 413


def test_a_file_over_the_request_limit_gets_the_upload_page_and_is_recorded_as_refused(app):
    client = admin_client(app)
    size = app.config["MAX_CONTENT_LENGTH"] + 1
    response = upload(client, b"a" * size, name="huge.csv")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "was refused" in page and "over the limit of 5,242,880 bytes" in page and "it was not read" in page
    with app.app_context():
        [row] = db.session.scalars(select(ProgramUpload)).all()
        assert (row.status, row.error_count, row.content) == ("refused", 1, b"")
        assert row.size_bytes > size, "the whole request, the file and its multipart wrapping"
        upload_id = row.id
    assert actions(app)[-1] == "upload_refused"
    report = client.get(f"/admin/uploads/{upload_id}/report.csv")
    assert report.status_code == 200 and "over the limit of 5,242,880 bytes" in report.get_data(as_text=True)


@pytest.mark.parametrize("extra", [[(f"f{i}", "v") for i in range(1100)], [("reason", "x" * 600_000)]])
def test_a_small_upload_whose_form_cannot_be_read_is_not_called_too_large(app, extra):
    """werkzeug answers 413 for more than 1,000 form parts or a text field over 500 KB; the upload
    page and its record said "the upload is 95,028 bytes, over the limit of 5,242,880 bytes"."""
    client = admin_client(app)
    fields = MultiDict([("csrf_token", token_of(client, "/admin/upload")), *extra])
    fields.add("file", FileStorage(io.BytesIO(reverified_programs()), "programs.csv"))
    boundary, body = encode_multipart(fields)
    response = client.post("/admin/upload", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "too many parts, or too long a text field" in page and "over the limit" not in page
    with app.app_context():
        [row] = db.session.scalars(select(ProgramUpload)).all()
    report = client.get(f"/admin/uploads/{row.id}/report.csv").get_data(as_text=True)
    assert f"form ({len(body):,} bytes) has too many parts" in report and "over the limit" not in report


def test_an_anonymous_body_over_the_limit_is_a_plain_413_and_records_nothing(app):
    response = app.test_client().post(
        "/admin/upload",
        data=b"a" * (app.config["MAX_CONTENT_LENGTH"] + 1),
        content_type="multipart/form-data; boundary=x",
    )
    assert response.status_code == 413
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProgramUpload)) == 0


def test_an_upload_without_a_file_or_token_is_refused(app):
    client = admin_client(app)
    token = token_of(client, "/admin/upload")
    missing = client.post("/admin/upload", data={"csrf_token": token}, content_type="multipart/form-data")
    assert missing.status_code == 400 and "Choose a CSV file" in missing.get_data(as_text=True)
    no_token = client.post(
        "/admin/upload", data={"file": (io.BytesIO(smaller_programs()), "p.csv")}, content_type="multipart/form-data"
    )
    assert no_token.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProgramUpload)) == 0
