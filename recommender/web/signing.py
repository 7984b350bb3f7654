"""Signed values checked once per process: the session cookie and the CSRF token (issue 12).

Every page view and quiz post sends the same session cookie and, with the quiz, the same signed
CSRF token, again and again. itsdangerous checks each from scratch: a new serializer and signer,
the key derived, the HMAC computed, base64 and JSON decoded, some 15 us a value in Python. The
answer for the same text under the same keys is always the same, so a value that passed once is
remembered, by its exact text, and only its age is checked again: a remembered value is accepted
exactly when itsdangerous would accept it (same keys, same text, age from 0 to `max_age`); anything
else, a new value, a forged one, an expired one, goes through itsdangerous itself and fails there
with its own error. Only successes are kept, at most `REMEMBERED` per serializer, only texts as
itsdangerous writes them (at most `MAX_TEXT` characters), and only flat payloads (a string, or a
dict of strings, numbers and booleans), which are handed out as copies, so no caller can change
what a later request is given. A client sending many genuine values in turn can push others'
values out, which costs them the shortcut, never a wrong answer.
"""

from __future__ import annotations

import re
import threading
import time
from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer

REMEMBERED = 4096
MAX_TEXT = 1024  # the session cookie and the CSRF token are some 70-120 characters
# What itsdangerous writes: URL-safe base64 without padding, parts joined by ".", a compressed
# payload starting with ".".
AS_WRITTEN = re.compile(r"\.?[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+){2}")
_SCALARS = (str, int, float, bool, type(None))


def _flat(payload: Any) -> bool:
    if isinstance(payload, str):
        return True
    return isinstance(payload, dict) and all(isinstance(k, str) and isinstance(v, _SCALARS) for k, v in payload.items())


class RememberingSerializer(URLSafeTimedSerializer):
    """`URLSafeTimedSerializer` whose `loads` remembers the values it verified (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._verified: dict[str, tuple[int, Any]] = {}
        self._lock = threading.Lock()

    def loads(  # type: ignore[override]
        self,
        s: str | bytes,
        max_age: int | None = None,
        return_timestamp: bool = False,
        salt: str | bytes | None = None,
    ) -> Any:
        # Only text as itsdangerous writes it is remembered: its base64 decoding skips characters
        # outside the alphabet, so `token + "!" * 400_000` verifies too, and keeping such texts
        # would let one token fill the memory. Bytes go unremembered (Flask passes text; a bytes
        # key could meet a text one that itsdangerous encodes differently).
        plain = salt is None and not return_timestamp and isinstance(s, str) and len(s) <= MAX_TEXT
        if plain and (hit := self._verified.get(s)) is not None:
            signed_at, payload = hit
            age = int(time.time()) - signed_at  # as TimestampSigner.unsign counts it
            if max_age is None or 0 <= age <= max_age:
                return dict(payload) if isinstance(payload, dict) else payload
        payload, signed_at = super().loads(s, max_age=max_age, return_timestamp=True, salt=salt)
        if plain and _flat(payload) and AS_WRITTEN.fullmatch(s):
            with self._lock:
                if len(self._verified) >= REMEMBERED:
                    self._verified.pop(next(iter(self._verified)), None)  # the oldest first
                self._verified[s] = (int(signed_at.timestamp()), payload)
            payload = dict(payload) if isinstance(payload, dict) else payload
        return (payload, signed_at) if return_timestamp else payload


class RememberingSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with one remembering serializer per set of keys."""

    def __init__(self) -> None:
        self._serializers: dict[tuple[Any, ...], RememberingSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)  # current key last, as Flask
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = RememberingSerializer(
                list(keys),
                salt=self.salt,
                serializer=self.serializer,
                signer_kwargs={"key_derivation": self.key_derivation, "digest_method": self.digest_method},
            )
            self._serializers = {keys: serializer}  # a changed key replaces the old one's memory
        return serializer


_csrf_serializers: dict[tuple[Any, str], RememberingSerializer] = {}


def csrf_serializer(secret_key: Any, salt: str = "itsdangerous") -> RememberingSerializer:
    """What Flask-WTF asks for as `URLSafeTimedSerializer(key, salt=...)`: one per key and salt."""
    key = (tuple(secret_key) if isinstance(secret_key, list) else secret_key, salt)
    serializer = _csrf_serializers.get(key)
    if serializer is None:
        serializer = RememberingSerializer(secret_key, salt=salt)
        if len(_csrf_serializers) >= 8:  # keys rotated, or many test apps: forget the old ones
            _csrf_serializers.clear()
        _csrf_serializers[key] = serializer
    return serializer


def init_app(app: Flask) -> None:
    """The session cookie and Flask-WTF's token are checked through remembering serializers.

    Flask-WTF builds a new `URLSafeTimedSerializer` by that module-level name inside
    `generate_csrf` and `validate_csrf`, with no setting to give it another; its own checks (token
    missing, expired, invalid, not this session's) stay as they are, only the serializer they get
    is this module's. tests/test_signing.py fails if Flask-WTF stops looking the name up.
    """
    import flask_wtf.csrf

    app.session_interface = RememberingSessionInterface()
    flask_wtf.csrf.URLSafeTimedSerializer = csrf_serializer  # type: ignore[assignment,misc]
