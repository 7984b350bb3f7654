"""The quiz and results in a real browser: keyboard only, phone width, no JavaScript, and axe-core."""

from __future__ import annotations

import json
import re

import pytest

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
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 780}


def spec_ranking(page) -> list[str]:
    return page.locator("ol.specs h3").all_inner_texts()


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_keyboard_only_quiz_results_and_one_changed_answer(browser, live_server, artifacts, javascript):
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=javascript)
    watch = Watch()
    page = watch.attach(context.new_page())
    suffix = "" if javascript else "-nojs"
    try:
        page.goto(live_server + "/")
        page.screenshot(path=str(artifacts / f"quiz{suffix}.png"), full_page=True)
        keys = Keyboard(page)
        keys.answer(PERSONA)
        keys.submit_with_enter()  # Enter on the last ticked interest sends the form

        assert re.search(r"/results/[^/]+$", page.url), page.url
        assert page.locator("h1").inner_text() == "Your MEM matches"
        before = spec_ranking(page)
        assert before[0].endswith("Operations & Supply Chain Management")
        assert "Your goal is “Supply chain manager”" in page.locator("#specializations").inner_text()
        page.screenshot(path=str(artifacts / f"results{suffix}.png"), full_page=True)
        first_url = page.url

        # "Change an answer": follow the in-page link, then change only the goal and send.
        keys.tab_to(href="#change")
        keys.press("Enter")
        keys.answer({"goal": "data_science_manager"})
        keys.submit_with_enter()

        after = spec_ranking(page)
        assert page.url != first_url
        assert after[0].endswith("Engineering Analytics & Data Science")
        assert after != before
        checked_goal = page.locator('#change input[name="goal"]:checked').get_attribute("value")
        assert checked_goal == "data_science_manager"
        page.screenshot(path=str(artifacts / f"results-changed{suffix}.png"), full_page=True)
        assert watch.problems == []
    finally:
        context.close()


def test_a_letter_jumps_to_the_answer_it_starts(browser, live_server):
    """Type-ahead (site.js): "s" in the goal group chooses Supply chain manager, the first S after
    the focused answer; pressing it again moves on to Systems engineer."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    try:
        page.goto(live_server + "/")
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


def test_focus_is_always_visible_on_the_quiz(browser, live_server):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    try:
        page.goto(live_server + "/")
        keys = Keyboard(page)
        for _ in range(6):
            keys.press("Tab")
            outline = page.evaluate(
                "() => { const e = document.activeElement; const target = e.closest('label.choice') || e;"
                " const s = getComputedStyle(target); return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
            )
            assert outline[0] != "none" and outline[1] >= 2, (keys.focused(), outline)
    finally:
        context.close()


def test_phone_width_has_no_horizontal_scroll_and_errors_are_read_first(browser, live_server, artifacts):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    watch = Watch()
    page = watch.attach(context.new_page())
    try:
        page.goto(live_server + "/")
        assert no_horizontal_scroll(page)
        page.screenshot(path=str(artifacts / "quiz-phone.png"), full_page=True)
        for value in ("leading_projects", "improving_operations", "analyzing_data", "sustainability"):
            page.check(f'input[name="interests"][value="{value}"]')
        assert "Please untick 1" in page.locator("#interests-count").inner_text()
        page.check('input[name="background"][value="civil"]')
        with page.expect_navigation():
            page.click("button[type=submit]")
        # the refused form comes back with the summary focused, so it is read out first
        assert page.evaluate("document.activeElement.classList.contains('error-summary')")
        assert "Choose 1 to 3 interests (got 4)." in page.locator("#interests-error").inner_text()
        assert page.locator('input[name="background"][value="civil"]').is_checked()
        assert no_horizontal_scroll(page)
        page.screenshot(path=str(artifacts / "quiz-error-phone.png"), full_page=True)

        page.uncheck('input[name="interests"][value="sustainability"]')
        page.check('input[name="experience_years"][value="9"]')
        page.check('input[name="goal"][value="construction_manager"]')
        with page.expect_navigation():
            page.click("button[type=submit]")
        assert "/results/" in page.url and no_horizontal_scroll(page)
        page.screenshot(path=str(artifacts / "results-phone.png"), full_page=True)

        for box in page.locator('input[name="ids"]').all()[:3]:
            box.check()
        with page.expect_navigation():
            page.locator("#compare-form button").click()
        assert "/compare?" in page.url and page.locator("table.compare th[scope=col]").count() == 3
        assert no_horizontal_scroll(page)
        page.screenshot(path=str(artifacts / "compare-phone.png"), full_page=True)
        # The refused quiz answers 422 on purpose (and chromium logs that status); nothing else may fail.
        assert [p for p in watch.problems if "422" not in p] == []
        assert len(watch.problems) <= 2
    finally:
        context.close()


def axe_serious(page, axe_script) -> list[dict]:
    page.add_script_tag(path=str(axe_script))
    result = page.evaluate("async () => JSON.stringify(await axe.run(document, {resultTypes: ['violations']}))")
    violations = json.loads(result)["violations"]
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def test_axe_finds_no_serious_or_critical_problems(browser, live_server, axe_script):
    # bypass_csp lets Playwright inject axe-core as an inline script. This is the test harness
    # only; the keyboard test above runs under the real CSP and fails on any CSP console error.
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    page = context.new_page()
    found: dict[str, list[dict]] = {}
    try:
        page.goto(live_server + "/")
        found["quiz"] = axe_serious(page, axe_script)

        for value in ("leading_projects", "improving_operations", "analyzing_data", "sustainability"):
            page.check(f'input[name="interests"][value="{value}"]')
        with page.expect_navigation():
            page.click("button[type=submit]")
        found["quiz with errors"] = axe_serious(page, axe_script)

        page.uncheck('input[name="interests"][value="sustainability"]')
        for name, value in (("background", "industrial"), ("experience_years", "5"), ("goal", "engineering_manager")):
            page.check(f'input[name="{name}"][value="{value}"]')
        page.check('input[name="max_budget_usd"][value="50000"]')
        with page.expect_navigation():
            page.click("button[type=submit]")
        assert "/results/" in page.url
        found["results"] = axe_serious(page, axe_script)
        results_url = page.url

        for box in page.locator('input[name="ids"]').all()[:4]:
            box.check()
        with page.expect_navigation():
            page.locator("#compare-form button").click()
        found["compare refused"] = axe_serious(page, axe_script)

        page.goto(results_url)
        for box in page.locator('input[name="ids"]').all()[:2]:
            box.check()
        with page.expect_navigation():
            page.locator("#compare-form button").click()
        found["compare"] = axe_serious(page, axe_script)

        page.goto(live_server + "/results/not-a-link")
        found["404"] = axe_serious(page, axe_script)
    finally:
        context.close()
    assert {page: v for page, v in found.items() if v} == {}
