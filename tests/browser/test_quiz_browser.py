"""The quiz and results in a real browser: keyboard only, phone width, no JavaScript, and axe-core."""

from __future__ import annotations

import json
import re

import pytest

from recommender.web.forms import SECTIONS
from tests.browser.conftest import Watch
from tests.browser.keyboard import Keyboard

pytestmark = pytest.mark.browser

# An industrial engineer who wants to run supply chains (the core tests' persona).
PERSONA = {
    "background": "industrial",
    "experience_years": "1",
    "goal": "supply_chain_manager",
    "interests": ["improving_operations", "analyzing_data"],
}
STEPS = [list(names) for _, names in SECTIONS]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 780}


def spec_ranking(page) -> list[str]:
    return [t.strip() for t in page.locator("ol.specs h3, .spec-line > strong").all_inner_texts()]


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_keyboard_only_quiz_results_and_one_answer_changed_in_place(browser, live_server, artifacts, javascript):
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=javascript)
    watch = Watch()
    page = watch.attach(context.new_page())
    suffix = "" if javascript else "-nojs"
    try:
        page.goto(live_server + "/")
        keys = Keyboard(page)
        if javascript:
            # The stepped quiz: Enter on the last answer of a step moves on; the limits are skipped.
            assert page.locator("[data-step]:visible").count() == 1
            keys.answer_in_steps(PERSONA, STEPS)
        else:
            assert page.locator("[data-step]:visible").count() == 3  # one form, every question
            keys.answer(PERSONA)
            keys.submit_with_enter()  # Enter on the last ticked interest sends the form

        assert re.search(r"/results/[^/]+$", page.url), page.url
        assert page.locator("h1").inner_text() == "Your MEM matches"
        before = spec_ranking(page)
        assert before[0] == "Operations & Supply Chain Management"
        assert "Your goal is “Supply chain manager”" in page.locator("section.best").inner_text()
        page.screenshot(path=str(artifacts / f"results{suffix}.png"), full_page=True)
        first_url = page.url

        # "Change an answer": open the recap (a <details>), change only the goal, send.
        keys.tab_to(tag="summary")
        keys.press("Enter")
        keys.select("goal", "data_science_manager")
        keys.tab_to(tag="button", text="Update my matches")
        with page.expect_navigation():
            keys.press("Enter")

        after = spec_ranking(page)
        assert page.url.split("?")[0] != first_url
        assert after[0] == "Engineering Analytics & Data Science"
        changed = page.locator(".changed").inner_text()
        assert "Best fit is now Engineering Analytics & Data Science" in changed
        assert page.locator("#edit-goal").input_value() == "data_science_manager"
        if javascript:  # the "what changed" box is focused, so it is read first
            assert page.evaluate("document.activeElement.classList.contains('changed')")
        page.screenshot(path=str(artifacts / f"results-changed{suffix}.png"), full_page=True)
        assert watch.problems == []
    finally:
        context.close()


def through_steps(page, answers: dict) -> None:
    """Click the answers in the stepped quiz, step by step, pressing Next until the last step needed."""
    needed = max(i for i, names in enumerate(STEPS) if any(n in answers for n in names))
    for i, names in enumerate(STEPS[: needed + 1]):
        for name in names:
            for value in answers.get(name, []) if name == "interests" else [answers.get(name)]:
                if value is not None:
                    page.check(f'input[name="{name}"][value="{value}"]')
        if i < needed:
            page.click(f'[data-step="{i + 1}"] [data-step-next]')


def test_a_letter_jumps_to_the_answer_it_starts(browser, live_server):
    """Type-ahead (site.js): "s" in the goal group chooses Supply chain manager, the first S after
    the focused answer; pressing it again moves on to Systems engineer."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    try:
        page.goto(live_server + "/")
        through_steps(page, {"background": "civil", "experience_years": "0", "goal": None})
        keys = Keyboard(page)
        keys.tab_to(name="goal")
        keys.press("s")
        assert page.evaluate("() => document.querySelector('input[name=goal]:checked').value") == "supply_chain_manager"
        keys.press("s")
        assert keys.focused()["value"] == "systems_engineer" and keys.focused()["checked"]
        typed = Keyboard(page, typeahead=True)
        typed.choose("goal", "founder")
        assert typed.presses == ["f"]
    finally:
        context.close()


def test_the_stepped_quiz_shows_progress_and_names_what_is_missing(browser, live_server):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(live_server + "/")
        current = page.locator('[data-progress-step][aria-current="step"]')
        assert current.inner_text().startswith("Step 1 of 3")
        page.click('[data-step="1"] [data-step-next]')
        problem = page.locator('[data-step="1"] [data-step-problem]')
        assert problem.inner_text() == "Please answer: Your background; Years of work"
        assert page.evaluate("document.activeElement.name") == "background"
        page.check('input[name="background"][value="civil"]')
        page.check('input[name="experience_years"][value="9"]')
        page.click('[data-step="1"] [data-step-next]')
        assert current.inner_text().startswith("Step 2 of 3")
        assert page.locator('[data-step="2"]').is_visible() and not page.locator('[data-step="1"]').is_visible()
        page.click('[data-step="2"] [data-step-next]')  # goal and interests still open
        assert (
            "Role you aim for; What you enjoy most" in page.locator('[data-step="2"] [data-step-problem]').inner_text()
        )
        page.click('[data-step="2"] [data-step-back]')
        assert current.inner_text().startswith("Step 1 of 3")
        assert page.locator('input[name="background"][value="civil"]').is_checked()
    finally:
        context.close()


def test_phone_width_has_no_horizontal_scroll_and_errors_are_read_first(browser, live_server, artifacts):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    watch = Watch()
    page = watch.attach(context.new_page())
    try:
        page.goto(live_server + "/")
        assert no_horizontal_scroll(page)
        through_steps(page, {"background": "civil", "experience_years": "9", "goal": "construction_manager"})
        for value in ("leading_projects", "improving_operations", "analyzing_data", "sustainability"):
            page.check(f'input[name="interests"][value="{value}"]')
        assert "Please untick 1" in page.locator("#interests-count").inner_text()
        with page.expect_navigation():
            page.click("[data-step-skip]")
        # the refused form comes back whole, with the summary focused, so it is read out first
        assert page.evaluate("document.activeElement.classList.contains('error-summary')")
        assert page.locator("[data-step]:visible").count() == 3
        assert "Choose 1 to 3 interests (got 4)." in page.locator("#interests-error").inner_text()
        assert page.locator('input[name="background"][value="civil"]').is_checked()
        assert no_horizontal_scroll(page)

        page.uncheck('input[name="interests"][value="sustainability"]')
        with page.expect_navigation():
            page.click("[data-submit-row] button")
        assert "/results/" in page.url and no_horizontal_scroll(page)

        tray = page.locator("[data-compare-tray]")
        assert tray.is_hidden()
        for box in page.locator('input[name="ids"]').all()[:3]:
            box.check()
        assert tray.is_visible() and "3 of 3 ticked." in tray.inner_text()
        with page.expect_navigation():
            tray.locator("button").click()
        assert "/compare?" in page.url and page.locator("table.compare th[scope=col]").count() == 3
        assert no_horizontal_scroll(page)
        # The refused quiz answers 422 on purpose (and chromium logs that status); nothing else may fail.
        assert [p for p in watch.problems if "422" not in p] == []
        assert len(watch.problems) <= 2
    finally:
        context.close()


def axe_violations(page, axe_script) -> list[dict]:
    """Every axe-core violation on the page as it is now, of any impact."""
    page.add_script_tag(path=str(axe_script))
    result = page.evaluate("async () => JSON.stringify(await axe.run(document, {resultTypes: ['violations']}))")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in json.loads(result)["violations"]
    ]


def test_axe_finds_no_violations_on_any_page(browser, live_server, axe_script):
    # bypass_csp lets Playwright inject axe-core as an inline script. This is the test harness
    # only; the keyboard test above runs under the real CSP and fails on any CSP console error.
    # axe runs as a script, so the pages are checked with JavaScript on; the whole one-form quiz
    # (what a browser without JavaScript shows) is checked as the refused form, which shows it all.
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    page = context.new_page()
    found: dict[str, list[dict]] = {}
    answers = {"background": "industrial", "experience_years": "5", "goal": "engineering_manager",
               "interests": ["leading_projects", "analyzing_data", "sustainability", "building_products"],
               "max_budget_usd": "50000"}  # fmt: skip
    try:
        page.goto(live_server + "/")
        found["quiz, first step"] = axe_violations(page, axe_script)
        through_steps(page, answers)
        found["quiz, last step"] = axe_violations(page, axe_script)
        with page.expect_navigation():
            page.click("[data-submit-row] button")
        assert page.locator("[data-step]:visible").count() == 3
        found["quiz with errors, every question shown"] = axe_violations(page, axe_script)
        page.uncheck('input[name="interests"][value="sustainability"]')
        page.uncheck('input[name="interests"][value="building_products"]')
        with page.expect_navigation():
            page.click("[data-submit-row] button")
        assert "/results/" in page.url
        found["results"] = axe_violations(page, axe_script)
        results_url = page.url

        page.click("details.recap > summary")
        page.select_option("#edit-goal", "product_manager")
        found["results, answers open to edit"] = axe_violations(page, axe_script)
        with page.expect_navigation():
            page.click("#answers-form button")
        assert page.locator(".changed").count() == 1
        found["results with what changed"] = axe_violations(page, axe_script)

        page.goto(results_url)
        for box in page.locator('input[name="ids"]').all()[:4]:
            box.check()
        with page.expect_navigation():
            page.locator("#compare-form button").click()
        found["compare refused"] = axe_violations(page, axe_script)

        page.goto(results_url)
        for box in page.locator('input[name="ids"]').all()[:2]:
            box.check()
        with page.expect_navigation():
            page.locator("#compare-form button").click()
        found["compare"] = axe_violations(page, axe_script)

        for name, path in (("about", "/about"), ("404", "/results/not-a-link")):
            page.goto(live_server + path)
            found[name] = axe_violations(page, axe_script)
    finally:
        context.close()
    assert {page: v for page, v in found.items() if v} == {}
