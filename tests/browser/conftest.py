"""Real-browser fixtures: the app served for real on loopback, and Debian's chromium via Playwright.

Never a downloaded browser build: the tests use /usr/bin/chromium and skip, saying why, without it.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from tests.conftest import ROOT, make_app, seed_version

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"


@dataclass
class Live:
    """A served app: its address, and the app object (to seed accounts or rows directly)."""

    url: str
    app: Any


@pytest.fixture(scope="module")
def live_server(live) -> str:
    """The address of the served app."""
    return live.url


@pytest.fixture(scope="module")
def live(tmp_path_factory, trained) -> Iterator[Live]:
    """The app with the session's trained version, served by a threaded WSGI server on 127.0.0.1."""
    tmp = tmp_path_factory.mktemp("live")
    # Always SQLite: the browser tests exercise pages, not the database engine.
    app = make_app((f"sqlite:///{tmp / 'live.sqlite3'}", {"connect_args": {"timeout": 15}}), tmp)
    seed_version(app, trained)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # werkzeug logs every request at INFO on its own logger; the app logs them already.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield Live(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        from recommender.extensions import db

        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Watch:
    """Everything that went wrong in a page: console errors, page errors, failed requests."""

    problems: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> Any:
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.method} {r.url} {r.failure}"))
        page.on(
            "response",
            lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.request.method} {r.url}"),
        )
        return page


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def shots() -> Path:
    """Where full-page screenshots go: $MEMMATCH_SHOTS_DIR, else test-artifacts/shots (git-ignored)."""
    path = Path(os.environ.get("MEMMATCH_SHOTS_DIR") or ARTIFACTS / "shots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def axe_script() -> Path:
    if not AXE.exists():
        pytest.skip("axe-core is not installed: npm ci --prefix tests/browser")
    return AXE
