"""Quiz effort: clicks, key presses and words to read to finish the quiz, and the first-load weight.

    .venv/bin/python benchmarks/quiz_effort.py

Serves the app with one real gunicorn on loopback (fresh SQLite; first start trains a version) and
drives Debian's chromium (/usr/bin/chromium) through Playwright, with JavaScript on (the stepped
quiz), for three typical profiles:

- clicks: a mouse or touch user clicks each answer that differs from its default, the step
  buttons, and the button that sends; every click is a real `page.click` and is counted;
- key presses: the same with the keyboard only (Tab, Space, arrows, letters, Enter);
- words to read: the words on screen on each step the user passes through (headings, questions,
  hints, answer labels, buttons; the site header and footer excluded), counted once per step.

Goals (issue 9): at most 8 clicks and 150 words on the required path (limits skipped).
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
from recommender.web.forms import SECTIONS  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.browser.keyboard import VISIBLE_STEP, Keyboard  # noqa: E402

STEPS = [list(names) for _, names in SECTIONS]
DEFAULTS = {"industry": "any", "format": "any", "pace": "any", "max_budget_usd": "", "region": "any"}
SCENARIOS: dict[str, dict[str, object]] = {
    "a final-year student: mechanical, under a year, project manager, one interest": {
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
    "a software engineer, 5-8 years, engineering manager, online, part-time, up to $60,000": {
        "background": "software",
        "experience_years": "5",
        "goal": "engineering_manager",
        "interests": ["leading_projects", "building_products"],
        "format": "online",
        "pace": "part_time",
        "max_budget_usd": "60000",
    },
}
# The words a reader takes in on one step: visible text of the form, plus the page's heading and
# lead the first time. The hidden steps are display:none, so innerText leaves them out.
STEP_WORDS = """(first) => {
  const words = (text) => text.split(/\\s+/).filter(w => /[A-Za-z0-9$]/.test(w)).length;
  const form = document.querySelector('form[data-quiz]');
  let n = words(form.innerText);
  // Text only a screen reader gets (.vh) is not on screen; the progress list is read once.
  form.querySelectorAll('.vh').forEach(e => { n -= words(e.innerText); });
  if (!first) {
    form.querySelectorAll('[data-progress]').forEach(e => {
      n -= words(e.innerText);
      e.querySelectorAll('.vh').forEach(v => { n += words(v.innerText); });  // already taken off
    });
  }
  if (first) { document.querySelectorAll('.intro').forEach(e => { n += words(e.innerText); }); }
  return n;
}"""


def first_load(browser, base: str) -> dict[str, int]:
    """Bytes of every response of a cold first load of the quiz, by kind."""
    context = browser.new_context()
    page = context.new_page()
    sizes: dict[str, int] = collections.Counter()
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(base + "/", wait_until="load")
    for response in responses:
        sizes[response.request.resource_type] += len(response.body())
    context.close()
    return dict(sizes)


def by_keyboard(browser, base: str, answers: dict[str, object]) -> collections.Counter:
    """Answer the stepped quiz from a fresh page with the keyboard only; the keys pressed."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base + "/")
    keys = Keyboard(page, typeahead=True)
    keys.answer_in_steps(answers, STEPS)
    if not re.search(r"/results/[^/]+$", page.url):
        raise SystemExit(f"the quiz did not reach results by keyboard: {page.url}")
    context.close()
    return collections.Counter(keys.presses)


def by_mouse(browser, base: str, answers: dict[str, object]) -> tuple[int, int]:
    """Answer the stepped quiz by clicking on a phone-sized page: (clicks, words read on the way)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(base + "/")
    clicks = 0
    words = page.evaluate(STEP_WORDS, True)
    last = max(i for i, names in enumerate(STEPS) if any(n in answers for n in names))
    for i, names in enumerate(STEPS[: last + 1]):
        for name in names:
            if name not in answers:
                continue
            values = answers[name] if name == "interests" else [answers[name]]
            for value in values:  # type: ignore[union-attr]
                if name != "interests" and DEFAULTS.get(name) == value:
                    continue
                page.click(f'label[for]:has(input[name="{name}"][value="{value}"])')
                clicks += 1
        if i == last:
            break
        page.click(f'[data-step="{i + 1}"] [data-step-next]')
        clicks += 1
        page.wait_for_function(f"() => ({VISIBLE_STEP})() === {i + 2}")
        words += page.evaluate(STEP_WORDS, False)
    sender = f'[data-step="{last + 1}"] [data-step-skip]' if last < len(STEPS) - 1 else "[data-submit-row] button"
    with page.expect_navigation():
        page.click(sender)
    clicks += 1
    if not re.search(r"/results/[^/]+$", page.url):
        raise SystemExit(f"the quiz did not reach results by clicks: {page.url}")
    context.close()
    return clicks, words


def main() -> None:
    if not CHROMIUM.exists():
        raise SystemExit("Debian's chromium is needed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with (
        tempfile.TemporaryDirectory(prefix="memmatch-effort-") as tmp,
        gunicorn_server(1, Path(tmp)) as (base, _),
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            weight = first_load(browser, base)
            total = sum(weight.values())
            parts = ", ".join(f"{kind} {size:,}" for kind, size in sorted(weight.items()))
            print(f"first load of the quiz: {total:,} bytes ({total / 1024:.1f} KB): {parts}")
            for name, answers in SCENARIOS.items():
                kinds = by_keyboard(browser, base, answers)
                clicks, words = by_mouse(browser, base, answers)
                detail = ", ".join(f"{k} x{v}" for k, v in sorted(kinds.items()))
                print(
                    f"{name}:\n  {clicks} clicks, {words} words to read; {sum(kinds.values())} key presses ({detail})"
                )
        finally:
            browser.close()
    print("goal: <= 8 clicks and <= 150 words on the required path (the optional limits step skipped).")


if __name__ == "__main__":
    main()
