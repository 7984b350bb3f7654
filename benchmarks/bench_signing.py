"""The session cookie's and the CSRF token's checks, itsdangerous's own against remembered, side by side.

    .venv/bin/python benchmarks/bench_signing.py [--number 20000]

In one process, on one app (SQLite in a temporary folder): Flask opening the session of a quiz
post (its cookie's signature, age and payload checked) and Flask-WTF validating the posted token,
each with a plain `URLSafeTimedSerializer` and with `recommender.web.signing`'s remembering one.
Prints microseconds per check (best of 5 repeats) and the ratios.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def best_us(check, number: int) -> float:
    check()
    return min(timeit.repeat(check, number=number, repeat=5)) / number * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=20000, help="checks per repeat")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="memmatch-signing-"))
    os.environ.update({"MEMMATCH_ENV": "development", "SECRET_KEY": "bench", "MODELS_DIR": str(workdir / "models"),
                       "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}"})  # fmt: skip
    sys.stderr = open(os.devnull, "w")  # noqa: SIM115  (the first start's log lines)
    import flask_wtf.csrf
    from flask import request
    from flask.sessions import SecureCookieSessionInterface
    from itsdangerous import URLSafeTimedSerializer

    from recommender import create_app

    app = create_app()
    client = app.test_client()
    page = client.get("/")
    cookie = page.headers["Set-Cookie"].split(";", 1)[0]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True)).group(1)
    remembering_session, remembering_csrf = app.session_interface, flask_wtf.csrf.URLSafeTimedSerializer
    plain_session = SecureCookieSessionInterface()
    rows = []
    with app.test_request_context("/", method="POST", headers={"Cookie": cookie}):
        for name, plain, remembered in [
            ("open the session (cookie)",
             lambda: plain_session.open_session(app, request),
             lambda: remembering_session.open_session(app, request)),
            ("validate the CSRF token", None, lambda: flask_wtf.csrf.validate_csrf(token)),
        ]:  # fmt: skip
            after = best_us(remembered, args.number)
            if plain is None:  # Flask-WTF's own serializer, for the same call
                flask_wtf.csrf.URLSafeTimedSerializer = URLSafeTimedSerializer
                try:
                    before = best_us(remembered, args.number)
                finally:
                    flask_wtf.csrf.URLSafeTimedSerializer = remembering_csrf
            else:
                before = best_us(plain, args.number)
            rows.append((name, before, after))
    print(f"{'check':<28}{'itsdangerous µs':>17}{'remembered µs':>15}{'ratio':>7}")
    for name, before, after in rows:
        print(f"{name:<28}{before:>17.2f}{after:>15.2f}{after / before:>7.2f}")


if __name__ == "__main__":
    main()
