"""Signed values checked once per process (recommender.web.signing): the same answers as itsdangerous."""

from __future__ import annotations

from unittest import mock

import flask_wtf.csrf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from recommender.web import signing
from recommender.web.signing import RememberingSerializer
from tests.conftest import csrf_token_from, valid_answers
from tests.test_pages_helpers import form_answers


class Clock:
    """time.time for itsdangerous and for the module, moved by hand."""

    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock(1_800_000_000.0)
    monkeypatch.setattr("itsdangerous.timed.time.time", clock)
    monkeypatch.setattr(signing.time, "time", clock)
    return clock


def counting(serializer: RememberingSerializer) -> list[int]:
    """Counts how often the serializer really unsigns (itsdangerous's own check)."""
    calls = [0]
    real = serializer.iter_unsigners

    def iter_unsigners(salt=None):
        calls[0] += 1
        return real(salt)

    serializer.iter_unsigners = iter_unsigners  # type: ignore[method-assign]
    return calls


def test_a_value_is_checked_once_then_remembered(clock):
    s = RememberingSerializer("key", salt="s")
    signed = s.dumps({"csrf_token": "abc"})
    calls = counting(s)
    assert s.loads(signed, max_age=60) == {"csrf_token": "abc"}
    assert s.loads(signed, max_age=60) == {"csrf_token": "abc"}
    assert calls[0] == 1


def test_a_remembered_value_expires_exactly_when_itsdangerous_says(clock):
    s = RememberingSerializer("key", salt="s")
    plain = URLSafeTimedSerializer("key", salt="s")
    signed = s.dumps("token")
    s.loads(signed, max_age=60)
    clock.now += 60
    assert s.loads(signed, max_age=60) == plain.loads(signed, max_age=60) == "token"
    clock.now += 1
    with pytest.raises(SignatureExpired):
        plain.loads(signed, max_age=60)
    with pytest.raises(SignatureExpired):
        s.loads(signed, max_age=60)


def test_a_value_signed_in_the_future_is_refused_even_when_remembered(clock):
    s = RememberingSerializer("key", salt="s")
    signed = s.dumps("token")
    s.loads(signed, max_age=60)
    clock.now -= 5  # the clock went back
    with pytest.raises(SignatureExpired):
        s.loads(signed, max_age=60)


def test_a_changed_signature_or_payload_is_refused_after_the_real_one_was_remembered(clock):
    s = RememberingSerializer("key", salt="s")
    signed = s.dumps({"user": 1})
    s.loads(signed)
    _, stamp, signature = signed.split(".")[-3:]
    middle = len(signed) - 10  # inside the signature (its last character has bits base64 ignores)
    forged_signature = signed[:middle] + ("A" if signed[middle] != "A" else "B") + signed[middle + 1 :]
    other = URLSafeTimedSerializer("other", salt="s").dumps({"user": 2})
    forged_payload = ".".join([other.split(".")[0], stamp, signature])
    for forged in (forged_signature, forged_payload, signed + "x"):
        with pytest.raises(BadSignature):
            s.loads(forged)


def test_another_key_does_not_accept_what_one_key_remembered(clock):
    mine = RememberingSerializer("key", salt="s")
    signed = mine.dumps("token")
    mine.loads(signed)
    with pytest.raises(BadSignature):
        RememberingSerializer("other key", salt="s").loads(signed)


def test_a_caller_that_changes_what_it_was_given_does_not_change_the_next_answer(clock):
    s = RememberingSerializer("key", salt="s")
    signed = s.dumps({"csrf_token": "abc"})
    for _ in range(3):  # the first answer is checked, the next ones remembered
        given = s.loads(signed)
        assert given == {"csrf_token": "abc"}
        given["csrf_token"] = "changed"
        given["extra"] = 1


def test_nested_payloads_are_never_remembered(clock):
    s = RememberingSerializer("key", salt="s")
    signed = s.dumps({"_flashes": [["info", "Saved."]]})
    calls = counting(s)
    s.loads(signed)["_flashes"].append(["info", "again"])
    assert s.loads(signed) == {"_flashes": [["info", "Saved."]]}
    assert calls[0] == 2


def test_a_padded_or_overlong_text_gets_itsdangerous_answer_but_is_never_remembered(clock):
    """itsdangerous's base64 skips characters outside its alphabet, so padding still verifies;
    remembering such texts would let one genuine token fill a worker's memory."""
    s = RememberingSerializer("key", salt="s")
    plain = URLSafeTimedSerializer("key", salt="s")
    signed = s.dumps("token")
    for padded in (signed + "!!!!", signed + "*" * 5000):
        assert plain.loads(padded) == "token"  # the library's own leniency, not ours
        assert s.loads(padded) == "token"
    assert s._verified == {}
    assert s.loads(signed.encode()) == "token"  # bytes: answered, not remembered
    assert s._verified == {}
    s.loads(signed)
    assert list(s._verified) == [signed]


def test_memory_is_bounded_and_forgets_the_oldest_first(clock, monkeypatch):
    monkeypatch.setattr(signing, "REMEMBERED", 3)
    s = RememberingSerializer("key", salt="s")
    values = [s.dumps(f"v{i}") for i in range(5)]
    for value in values:
        s.loads(value)
    assert list(s._verified) == values[2:]


def test_the_session_cookie_is_checked_once_and_a_new_secret_key_forgets_it(app):
    client = app.test_client()
    client.get("/")  # sets the session cookie with the CSRF token
    serializer = app.session_interface.get_signing_serializer(app)
    assert isinstance(serializer, RememberingSerializer)
    calls = counting(serializer)
    for _ in range(3):
        assert client.get("/").status_code == 200
    assert calls[0] == 1
    old_key = app.secret_key
    app.secret_key = "a different secret key, at least thirty-two characters long"
    try:
        assert app.session_interface.get_signing_serializer(app) is not serializer
        page = client.get("/")
        assert "Set-Cookie" in page.headers  # the old cookie was refused, so a new session began
    finally:
        app.secret_key = old_key


def csrf_token_of(client) -> str:
    """A fresh CSRF token from the quiz page, as a browser gets one."""
    return csrf_token_from(client.get("/").text)


def test_flask_wtf_builds_its_token_serializer_through_the_name_we_replace(app, client, monkeypatch):
    """If Flask-WTF stops calling `URLSafeTimedSerializer` by that name, this fails (we would lose speed only)."""
    token = csrf_token_of(client)
    made = []
    replaced = flask_wtf.csrf.URLSafeTimedSerializer
    monkeypatch.setattr(flask_wtf.csrf, "URLSafeTimedSerializer", lambda *a, **k: made.append(a) or replaced(*a, **k))
    client.post("/", data={"csrf_token": token})
    assert made, "Flask-WTF no longer builds its serializer through flask_wtf.csrf.URLSafeTimedSerializer"
    assert isinstance(replaced(app.secret_key, salt="wtf-csrf-token"), RememberingSerializer)


def test_a_remembered_csrf_token_is_still_refused_in_another_session(app):
    mine, theirs = app.test_client(), app.test_client()
    token = csrf_token_of(mine)
    assert mine.post("/", data=form_answers(valid_answers(), token)).status_code == 303  # checked, remembered
    csrf_token_of(theirs)  # a session of its own, with its own raw token
    refused = theirs.post("/", data=form_answers(valid_answers(), token))
    assert refused.status_code == 400
    assert "expired" in refused.get_data(as_text=True)


def outcome(serializer, text: str, max_age: int | None):
    try:
        return ("ok", serializer.loads(text, max_age=max_age))
    except Exception as exc:  # the error's kind is part of the answer
        return ("error", type(exc).__name__)


SIGNED_AT = 1_800_000_000
REMEMBERED_BEFORE = RememberingSerializer("key", salt="s")
with mock.patch("time.time", lambda: SIGNED_AT):
    GENUINE = [REMEMBERED_BEFORE.dumps(v) for v in ("a", {"csrf_token": "b"}, {"user": 1, "fresh": True}, [1, 2])]


@settings(max_examples=300, deadline=None)
@given(
    pick=st.integers(0, len(GENUINE) - 1),
    cut=st.integers(0, 120),
    insert=st.text(max_size=4),
    max_age=st.one_of(st.none(), st.integers(-5, 10**12)),
)
def test_any_text_gets_the_answer_itsdangerous_gives(pick, cut, insert, max_age):
    """A value remembered or not, genuine, cut, spliced or expired: the same result or the same error."""
    with mock.patch("time.time", lambda: SIGNED_AT + 100):  # no second ticks between the two answers
        for genuine in GENUINE:
            REMEMBERED_BEFORE.loads(genuine)  # remembered (the flat ones) before the hostile text arrives
        base = GENUINE[pick]
        for text in (base, base[:cut] + insert + base[cut:], base[:cut] + insert + base[cut + len(insert) :]):
            plain = URLSafeTimedSerializer("key", salt="s")
            assert outcome(REMEMBERED_BEFORE, text, max_age) == outcome(plain, text, max_age)


@pytest.mark.parametrize(
    "cookie",
    ["", "x", ".", "..", "é" * 50, "٣.٣.٣", "a" * 4000, "\x00", "e30.aw7zcw.xxxxxxxxxxxxxxxxxxxxxxxxxxx", ".eJw.a.b"],
)
def test_a_hostile_session_cookie_starts_a_new_session_and_is_not_remembered(app, cookie):
    client = app.test_client()
    client.set_cookie("session", cookie)
    page = client.get("/")
    assert page.status_code == 200
    assert "session=" in page.headers.get("Set-Cookie", "")  # refused, so a new session began
    assert cookie not in app.session_interface.get_signing_serializer(app)._verified
    token = csrf_token_of(client)
    client.set_cookie("session", cookie)
    assert client.post("/", data=form_answers(valid_answers(), token)).status_code == 400


def test_threads_checking_and_forgetting_at_once_all_get_the_right_answers(monkeypatch):
    """gthread workers share one serializer: a full memory evicting while others read must not break."""
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setattr(signing, "REMEMBERED", 8)
    s = RememberingSerializer("key", salt="s")
    values = {s.dumps({"csrf_token": f"t{i}"}): {"csrf_token": f"t{i}"} for i in range(40)}
    forged = next(iter(values))[:-6] + "AAAAAA"

    def work(offset: int) -> bool:
        texts = list(values)
        for n in range(400):
            text = texts[(offset + n) % len(texts)]
            if s.loads(text) != values[text]:
                return False
            with pytest.raises(BadSignature):
                s.loads(forged)
        return True

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(work, range(8)))
    assert len(s._verified) <= 8
