"""Structured JSON logs: one object per line, a request id on every line, security events with who and what."""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import re
import threading

import pytest
from flask_wtf.csrf import generate_csrf

from recommender import logs
from recommender.extensions import db
from recommender.orm import ActiveModel, ModelVersion
from tests.conftest import make_app, valid_answers

log = logging.getLogger("recommender.tests")
HEX_ID = re.compile(r"[0-9a-f]{32}")


def json_lines(capsys) -> list[dict]:
    """Every line written to stderr so far, each of which must be a JSON object."""
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]
    assert all(isinstance(r, dict) for r in records)
    return records


def request_lines(records: list[dict]) -> list[dict]:
    return [r for r in records if r.get("event") == "request"]


def test_a_request_writes_one_json_line_with_its_id(client, capsys):
    response = client.post("/api/v1/recommendations", json=valid_answers(), headers={"X-Request-ID": "lb-7f3a.1"})
    assert response.headers["X-Request-ID"] == "lb-7f3a.1"
    [line] = request_lines(json_lines(capsys))
    assert line["request_id"] == "lb-7f3a.1"
    assert line["method"] == "POST" and line["path"] == "/api/v1/recommendations" and line["status"] == 200
    assert line["duration_ms"] >= 0
    assert line["level"] == "INFO" and line["logger"] == "recommender.request"
    assert dt.datetime.fromisoformat(line["ts"]).tzinfo is not None


def test_without_an_incoming_id_one_is_made_and_every_request_gets_its_own(client, capsys):
    ids = [client.post("/api/v1/recommendations", json=valid_answers()).headers["X-Request-ID"] for _ in range(3)]
    assert all(HEX_ID.fullmatch(i) for i in ids)
    assert len(set(ids)) == 3
    assert [r["request_id"] for r in request_lines(json_lines(capsys))] == ids


@pytest.mark.parametrize(
    "incoming",
    ["", "has space", "tab\there", 'quote"', "x" * 129, "ünïcode", "-leading-dash", "semi;colon"],
)
def test_an_unsafe_incoming_id_is_replaced(client, capsys, incoming):
    response = client.get("/api/v1/roles", headers={"X-Request-ID": incoming.encode("utf-8").decode("latin-1")})
    assert HEX_ID.fullmatch(response.headers["X-Request-ID"])
    [line] = request_lines(json_lines(capsys))
    assert line["request_id"] == response.headers["X-Request-ID"]


def test_every_line_written_during_a_request_carries_its_id(app, capsys):
    @app.get("/_test/chatty")
    def chatty():
        log.info("first")
        log.warning("second", extra={"event": "something", "detail": {"n": 2}})
        return "ok"

    response = app.test_client().get("/_test/chatty", headers={"X-Request-ID": "abc-123"})
    records = json_lines(capsys)
    assert [r["message"] for r in records] == ["first", "second", "request"]
    assert {r["request_id"] for r in records} == {"abc-123"}
    assert response.headers["X-Request-ID"] == "abc-123"


def test_security_event_fields_appear_in_the_json(app, capsys):
    with app.test_request_context(headers={"X-Request-ID": "sec-1"}):
        logging.getLogger("recommender.web.admin").warning(
            "login failed",
            extra={"event": "login_failed", "actor": "someone@example.com", "target": "someone@example.com",
                   "detail": {"ip": "203.0.113.9"}},
        )  # fmt: skip
    [record] = json_lines(capsys)
    assert record["event"] == "login_failed"
    assert record["actor"] == "someone@example.com"
    assert record["target"] == "someone@example.com"
    assert record["detail"] == {"ip": "203.0.113.9"}
    assert record["request_id"] == "sec-1"
    assert list(record)[:9] == ["ts", "level", "logger", "message", "request_id", "event", "actor", "target", "detail"]


def test_a_failed_admin_login_is_logged_with_who(app, capsys):
    if "admin.login" not in app.view_functions:
        pytest.skip("no admin login route")

    @app.get("/_test/csrf")
    def csrf():
        return generate_csrf()

    client = app.test_client()
    token = client.get("/_test/csrf").get_data(as_text=True)
    capsys.readouterr()
    client.post(
        "/admin/login",
        data={"email": "intruder@example.com", "password": "wrong horse battery", "csrf_token": token},
        headers={"X-Request-ID": "login-1"},
    )
    events = [r for r in json_lines(capsys) if r.get("event") == "login_failed"]
    assert events, "a failed login leaves a login_failed event"
    assert events[0]["actor"] == "intruder@example.com" or events[0]["target"] == "intruder@example.com"
    assert events[0]["request_id"] == "login-1"


def test_a_refused_model_version_is_logged_with_what(app, trained, capsys):
    """An activated artifact that fails verification: the worker refuses it and says which and why."""
    client = app.test_client()
    assert client.post("/api/v1/recommendations", json=valid_answers()).status_code == 200
    with app.app_context():
        good = db.session.get(ModelVersion, trained.version_id)
        bad = ModelVersion(
            **{c.key: getattr(good, c.key) for c in ModelVersion.__table__.columns if c.key != "id"},
            id="20990101-000000-deadbeef",
        )
        bad.artifact_npz = good.artifact_npz[:-10] + b"0123456789"
        bad.status = "candidate"
        db.session.add(bad)
        db.session.get(ActiveModel, 1).version_id = bad.id
        db.session.commit()
    capsys.readouterr()
    body = client.post("/api/v1/recommendations", json=valid_answers(), headers={"X-Request-ID": "r-9"}).get_json()
    assert body["model_version"] == trained.version_id, "the previous version keeps serving"
    [refused] = [r for r in json_lines(capsys) if r.get("event") == "version_refused"]
    assert refused["target"] == "20990101-000000-deadbeef"
    assert "sha256" in refused["detail"]["error"]
    assert refused["detail"]["serving"] == trained.version_id
    assert refused["level"] == "ERROR" and refused["request_id"] == "r-9"


def test_an_unhandled_error_is_logged_with_its_traceback_and_the_id_the_client_saw(app, capsys):
    @app.get("/_test/boom")
    def boom():
        raise RuntimeError("kaboom")

    response = app.test_client().get("/_test/boom")
    assert response.status_code == 500
    records = json_lines(capsys)
    [error] = [r for r in records if r.get("event") == "server_error"]
    assert error["exc_type"] == "RuntimeError"
    assert "kaboom" in error["exc"] and "Traceback" in error["exc"]
    assert error["request_id"] == response.headers["X-Request-ID"]
    assert request_lines(records)[0]["status"] == 500


def test_values_json_cannot_hold_are_written_as_text_and_newlines_stay_escaped(app, capsys):
    log.info("multi\nline", extra={"detail": {"when": dt.date(2026, 1, 2), "set": {1}}, "obj": object()})
    output = capsys.readouterr().err
    assert output.count("\n") == 1, "one record, one line"
    record = json.loads(output)
    assert record["message"] == "multi\nline"
    assert record["detail"]["when"] == "2026-01-02"
    assert record["request_id"] is None, "outside a request"
    assert record["obj"].startswith("<object object")


def test_a_background_thread_logs_without_a_request_id(app, capsys):
    thread = threading.Thread(target=lambda: log.info("from a thread"))
    thread.start()
    thread.join()
    [record] = json_lines(capsys)
    assert record["request_id"] is None and record["message"] == "from a thread"


def test_creating_the_app_again_does_not_stack_handlers(database_url, tmp_path):
    for _ in range(2):
        app = make_app(database_url, tmp_path)
        with app.app_context():
            db.engine.dispose()
    ours = [h for h in logging.getLogger().handlers if getattr(h, "_memmatch", False)]
    assert len(ours) == 1
    assert isinstance(ours[0].formatter, logs.JsonFormatter)


def test_successful_health_probes_are_not_logged_but_failures_are(client, capsys):
    client.get("/healthz")
    client.get("/readyz")
    assert request_lines(json_lines(capsys)) == []


# Where rounding to microseconds carries into the next millisecond or second, and exact halves.
EDGE_FRACTIONS = [0.0, 0.0005, 0.0004995, 0.0004996, 0.0000005, 0.0000015, 0.5, 0.9995, 0.9999985, 0.9999995]


@pytest.mark.parametrize("second", [0, 1, 1_700_000_000, 1_799_999_999, 4_102_444_799, -1, -31_536_000])
def test_the_timestamp_is_the_text_datetime_makes_even_where_microseconds_round(second):
    """`iso_ms` replaced `datetime.fromtimestamp(..., UTC).isoformat(timespec="milliseconds")`."""
    rng = random.Random(second)
    values = [second + sign * f for f in EDGE_FRACTIONS for sign in (1, -1)]
    values += [second + rng.random() for _ in range(2000)] + [second + rng.uniform(-5e8, 5e8) for _ in range(2000)]
    for created in values:
        assert logs.iso_ms(created) == dt.datetime.fromtimestamp(created, dt.UTC).isoformat(timespec="milliseconds")


def test_the_timestamp_cache_follows_the_clock_back_and_forth():
    times = [1_700_000_000.25, 1_700_000_001.5, 1_700_000_000.75, 1_600_000_000.0, 1_700_000_001.999]
    assert [logs.iso_ms(t) for t in times] == [
        dt.datetime.fromtimestamp(t, dt.UTC).isoformat(timespec="milliseconds") for t in times
    ]


@pytest.mark.parametrize(
    ("send", "status"),
    [
        (lambda c: c.get("/about"), 200),
        (lambda c: c.post("/", data={"interests": ["nope"]}), 400),
        (lambda c: c.post("/", json={"a": 1}), 415),  # refused by the first hook after the timer
    ],
)
def test_the_request_line_has_the_same_fields_in_the_same_order(client, capsys, send, status):
    response = send(client)
    assert response.status_code == status
    [line] = request_lines(json_lines(capsys))
    expected = ["ts", "level", "logger", "message", "request_id", "event", "method", "path", "status"]
    assert list(line) == [*expected, "duration_ms", "remote_addr", "pid"]
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert line["status"] == status and line["remote_addr"] == "127.0.0.1"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
