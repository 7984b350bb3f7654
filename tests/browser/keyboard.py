"""Driving the quiz with the keyboard alone (Tab, Space, arrow keys, Enter), counting every press.

Shared by the real-browser tests and `benchmarks/quiz_effort.py`. Reading the page (which element
has focus, which radio is checked) uses JavaScript evaluation; every action is a key press.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FOCUSED = """() => {
  const e = document.activeElement;
  return {tag: e.tagName.toLowerCase(), id: e.id || '', name: e.getAttribute('name') || '',
          type: e.getAttribute('type') || '', value: e.value === undefined ? '' : String(e.value),
          checked: !!e.checked, href: e.getAttribute('href') || '',
          form: e.form ? (e.form.getAttribute('action') || '') : '',
          text: (e.innerText || '').trim().slice(0, 80)};
}"""
GROUP = """(name) => {
  const e = document.activeElement;
  const scope = e.form || document;
  const radios = [...scope.querySelectorAll(`input[type=radio][name="${name}"]`)];
  return {values: radios.map(r => r.value), checked: radios.findIndex(r => r.checked),
          focused: radios.indexOf(e),
          initials: radios.map(r => ((r.labels[0] || {}).textContent || '').trim().charAt(0).toLowerCase())};
}"""


class KeyboardError(AssertionError):
    """The page could not be operated the way a keyboard user would."""


@dataclass
class Keyboard:
    """A page driven by key presses only; `presses` records every key pressed."""

    page: Any
    presses: list[str] = field(default_factory=list)
    max_tabs: int = 120
    # With site.js, a letter jumps to the next answer starting with it; used when it is cheaper.
    typeahead: bool = False

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.presses.append(key)

    def focused(self) -> dict[str, Any]:
        return self.page.evaluate(FOCUSED)

    def tab_to(self, **wanted: str) -> dict[str, Any]:
        """Press Tab until the focused element has all the `wanted` attributes (name, value, href...)."""
        for _ in range(self.max_tabs):
            self.press("Tab")
            now = self.focused()
            if all(now.get(k) == v for k, v in wanted.items()):
                return now
        raise KeyboardError(f"Tab never reached an element with {wanted}; focus ended on {self.focused()}")

    def choose(self, name: str, value: str) -> None:
        """With focus in a radio group, pick `value` with the arrow keys (or Space when already on it)."""
        group = self.page.evaluate(GROUP, name)
        if group["focused"] < 0:
            raise KeyboardError(f"focus is not in the {name!r} group: {self.focused()}")
        values, target = group["values"], group["values"].index(value)
        start = group["checked"] if group["checked"] >= 0 else group["focused"]
        down, up = (target - start) % len(values), (start - target) % len(values)
        if self.typeahead and group["checked"] != target:
            letter, focused, n = group["initials"][target], group["focused"], len(values)
            steps = (target - focused) % n or n
            letters = sum(group["initials"][(focused + k) % n] == letter for k in range(1, steps + 1))
            arrows = min(down, up) + (1 if down == 0 else 0)
            if letter.isalnum() and letters < arrows:
                for _ in range(letters):
                    self.press(letter)
                if self.page.evaluate(GROUP, name)["checked"] != target:
                    raise KeyboardError(f"{name}={value} was not chosen by type-ahead")
                return
        if down == 0 and group["checked"] != target:
            self.press("Space")  # the first radio of an unanswered group is focused but not yet chosen
        # Arrows move and choose at once, and wrap around: go the shorter way, as a user would.
        for _ in range(min(down, up)):
            self.press("ArrowDown" if down <= up else "ArrowUp")
        after = self.page.evaluate(GROUP, name)
        if after["checked"] != target:
            raise KeyboardError(f"{name}={value} was not chosen by the keyboard")

    def answer(self, answers: dict[str, Any]) -> None:
        """Answer the quiz form that has focus next, in screen order, changing only what differs.

        `answers` maps contract keys to posted values (strings; interests a list). Questions not
        given keep what the page shows (their defaults, or earlier answers).
        """
        for name, value in answers.items():
            if name == "interests":
                for interest in value:
                    now = self.tab_to(name="interests", value=interest)
                    if not now["checked"]:
                        self.press("Space")
            else:
                self.tab_to(name=name)
                self.choose(name, str(value))

    def submit_with_enter(self) -> None:
        """Send the form from the focused control: Enter submits a form implicitly."""
        with self.page.expect_navigation():
            self.press("Enter")

    def select(self, name: str, value: str) -> None:
        """Tab to a <select> and pick `value` with the arrow keys (a closed select changes on arrows)."""
        self.tab_to(name=name)
        options = self.page.evaluate(OPTIONS, name)
        steps = options["values"].index(value) - options["selected"]
        for _ in range(abs(steps)):
            self.press("ArrowDown" if steps > 0 else "ArrowUp")
        if self.focused()["value"] != value:
            raise KeyboardError(f"{name}={value} was not chosen by the keyboard")

    def next_step(self) -> None:
        """In the stepped quiz (site.js), Enter on an answer moves on to the next step."""
        before = self.page.evaluate(VISIBLE_STEP)
        self.press("Enter")
        self.page.wait_for_function(f"() => ({VISIBLE_STEP})() !== {before}")

    def answer_in_steps(self, answers: dict[str, Any], sections: list[list[str]]) -> None:
        """Answer the stepped quiz: each step's questions, then Enter to move on (the last one sends).

        Only the steps up to the last one holding a given answer are visited; the optional step of
        limits is skipped when no limit is given, as a user in a hurry would.
        """
        needed = [i for i, names in enumerate(sections) if any(n in answers for n in names)]
        for i in range(max(needed) + 1):
            self.answer({n: answers[n] for n in sections[i] if n in answers})
            if i < max(needed):
                if i == len(sections) - 2:
                    # Enter here would send the form ("Skip"); the optional step needs its button.
                    self.tab_to(tag="button", text=self.page.evaluate(NEXT_TEXT))
                    self.press("Enter")
                    self.page.wait_for_function(f"() => ({VISIBLE_STEP})() === {i + 2}")
                else:
                    self.next_step()
        with self.page.expect_navigation():
            self.press("Enter")


VISIBLE_STEP = """() => { const s = [...document.querySelectorAll('[data-step]')].find(e => !e.hidden);
  return s ? Number(s.getAttribute('data-step')) : 0; }"""
NEXT_TEXT = """() => { const s = [...document.querySelectorAll('[data-step]')].find(e => !e.hidden);
  const b = s && s.querySelector('[data-step-next]'); return b ? b.innerText.trim() : ''; }"""
OPTIONS = """(name) => { const s = document.activeElement;
  return {values: [...s.options].map(o => o.value), selected: s.selectedIndex}; }"""
