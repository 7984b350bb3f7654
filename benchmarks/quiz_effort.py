"""Quiz effort: key presses (and clicks) a user needs to finish the quiz, and the first-load weight.

    .venv/bin/python benchmarks/quiz_effort.py

Serves the app with one real gunicorn on loopback (fresh SQLite; first start trains a version),
drives Debian's chromium (/usr/bin/chromium) through Playwright with the keyboard only — Tab,
Space, arrow keys, Enter — counting every key pressed until the results page is on screen, for a
few kinds of user. Clicks are what a mouse or touch user needs: one per answer that differs from
its default, plus the submit button. Goal: <= 15 key presses; first load (HTML + CSS + JS) <= 60 KB.
"""

from __future__ import annotations

import collections
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_pages import gunicorn_server  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.browser.keyboard import Keyboard  # noqa: E402

SCENARIOS: dict[str, dict[str, object]] = {
    "fewest keys: first choice of each open question, one interest, defaults kept": {
        "background": "mechanical",
        "experience_years": "0",
        "goal": "project_manager",
        "interests": ["leading_projects"],
    },
    "an industrial engineer, 1-4 years, aiming at supply chains, two interests": {
        "background": "industrial",
        "experience_years": "1",
        "goal": "supply_chain_manager",
        "interests": ["improving_operations", "analyzing_data"],
    },
    "the same, who also wants online, part-time, up to $50,000, in the US South": {
        "background": "industrial",
        "experience_years": "1",
        "goal": "supply_chain_manager",
        "interests": ["improving_operations", "analyzing_data"],
        "format": "online",
        "pace": "part_time",
        "max_budget_usd": "50000",
        "region": "us_south",
    },
}


def first_load(browser, base: str) -> dict[str, int]:
    """Bytes of every response of a cold first load of the quiz, by kind."""
    context = browser.new_context()
    page = context.new_page()
    sizes: dict[str, int] = collections.Counter()
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(base + "/", wait_until="load")
    for response in responses:
        kind = response.request.resource_type  # document, stylesheet, script, image...
        sizes[kind] += len(response.body())
    context.close()
    return dict(sizes)


def run(browser, base: str, answers: dict[str, object]) -> tuple[int, collections.Counter]:
    """Answer the quiz from a fresh page by keyboard; returns presses and their breakdown."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base + "/")
    keys = Keyboard(page, typeahead=True)
    keys.answer(answers)
    keys.submit_with_enter()
    if not re.search(r"/results/[^/]+$", page.url):
        raise SystemExit(f"the quiz did not reach results: {page.url}")
    context.close()
    return len(keys.presses), collections.Counter(keys.presses)


def clicks(answers: dict[str, object]) -> int:
    """Mouse or touch: one click per chosen answer that is not already the default, plus submit."""
    defaults = {"format": "any", "pace": "any", "max_budget_usd": "", "region": "any", "industry": "any"}
    n = 0
    for name, value in answers.items():
        if name == "interests":
            n += len(value)  # type: ignore[arg-type]
        elif defaults.get(name) != value:
            n += 1
    return n + 1


def main() -> None:
    if not CHROMIUM.exists():
        raise SystemExit("Debian's chromium is needed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with (
        tempfile.TemporaryDirectory(prefix="memmatch-effort-") as tmp,
        gunicorn_server(1, Path(tmp)) as base,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            weight = first_load(browser, base)
            total = sum(weight.values())
            parts = ", ".join(f"{kind} {size:,}" for kind, size in sorted(weight.items()))
            print(f"first load of the quiz: {total:,} bytes ({total / 1024:.1f} KB; goal <= 60 KB): {parts}")
            for name, answers in SCENARIOS.items():
                presses, kinds = run(browser, base, answers)
                detail = ", ".join(f"{k} x{v}" for k, v in sorted(kinds.items()))
                print(f"{name}: {presses} key presses ({detail}); {clicks(answers)} clicks")
        finally:
            browser.close()
    print("goal: <= 15 key presses. Enter on the last answered control submits (implicit submission).")


if __name__ == "__main__":
    main()
