"""Helpers for the page tests (no tests here): inputs, checked answers and form posts, read without a browser."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from werkzeug.datastructures import MultiDict


@dataclass
class Input:
    """One <input> of a page, with the form it belongs to (by id or by nesting)."""

    name: str
    type: str
    value: str
    checked: bool
    id: str
    form: str
    attrs: dict[str, str] = field(repr=False)


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[Input] = []
        self.labels_for: set[str] = set()
        self._form_stack: list[str] = []
        self._select: dict[str, str] | None = None

    def _owner(self, a: dict[str, str]) -> str:
        return a.get("form") or (self._form_stack[-1] if self._form_stack else "")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "select":
            self._select = {"name": a.get("name", ""), "id": a.get("id", ""), "form": self._owner(a)}
        elif tag == "option" and self._select is not None:
            # An <option> reads as a choice of its <select>: "checked" when selected.
            s = self._select
            self.inputs.append(Input(s["name"], "option", a.get("value", ""), "selected" in a, s["id"], s["form"], a))
        elif tag == "form":
            self._form_stack.append(a.get("id", "") or f"form@{a.get('action', '')}")
        elif tag == "label" and a.get("for"):
            self.labels_for.add(a["for"])
        elif tag == "input":
            owner = self._owner(a)
            self.inputs.append(
                Input(a.get("name", ""), a.get("type", "text"), a.get("value", ""), "checked" in a, a.get("id", ""),
                      owner, a)
            )  # fmt: skip

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        if tag == "form" and self._form_stack:
            self._form_stack.pop()


def inputs(html: str) -> list[Input]:
    """Every input of the page, in document order."""
    parser = _Inputs()
    parser.feed(html)
    return parser.inputs


def labelled_ids(html: str) -> set[str]:
    """Ids that some <label for=...> names."""
    parser = _Inputs()
    parser.feed(html)
    return parser.labels_for


def quiz_inputs(html: str) -> list[Input]:
    """The inputs of the quiz form: the quiz page's, or the results page's compact one (both post to "/")."""
    return [i for i in inputs(html) if i.form in ("form@/", "answers-form")]


def checked(html: str) -> dict[str, list[str]]:
    """What the quiz form shows as chosen, by field name."""
    chosen: dict[str, list[str]] = {}
    for item in quiz_inputs(html):
        if item.type in ("radio", "checkbox", "option") and item.checked:
            chosen.setdefault(item.name, []).append(item.value)
    return chosen


def quiz_post(html: str, **changes: Any) -> MultiDict:
    """The body a browser would post from the page's quiz form as shown, with `changes` applied."""
    data: MultiDict = MultiDict()
    for item in quiz_inputs(html):
        if item.name in changes:
            continue
        if item.type == "hidden" or (item.type in ("radio", "checkbox", "option") and item.checked):
            data.add(item.name, item.value)
    for name, value in changes.items():
        for one in value if isinstance(value, list) else [value]:
            data.add(name, one)
    return data


def form_answers(answers: dict[str, Any], token: str) -> MultiDict:
    """Contract answers as the quiz form posts them (strings; "" for no budget limit)."""
    data: MultiDict = MultiDict({"csrf_token": token})
    for name, value in answers.items():
        if name == "interests":
            for interest in value:
                data.add(name, interest)
        elif name == "max_budget_usd":
            data.add(name, "" if value is None else str(value))
        else:
            data.add(name, str(value))
    return data


def visible_text(html: str) -> str:
    """The page's text with tags removed and whitespace collapsed (for phrase checks)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html)
    for entity, char in (("&amp;", "&"), ("&#34;", '"'), ("&#39;", "'"), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"')):
        text = text.replace(entity, char)
    return re.sub(r"\s+", " ", text).strip()


def section(html: str, section_id: str) -> str:
    """The HTML of one <section id=...> of a page."""
    match = re.search(rf'<section id="{section_id}".*?</section>', html, flags=re.S)
    assert match, f"no section {section_id}"
    return match.group(0)


def ranked_names(html: str, kind: str) -> list[str]:
    """The names of a ranked list in page order: "specs" (the top three and the folded rest) or "programs"."""
    if kind == "specs":
        block = section(html, "specializations")
        titles = re.findall(r'id="sn-[^"]+">(.*?)</h3>|class="spec-line"[^>]*><strong>(.*?)</strong>', block, re.S)
        return [visible_text(a or b) for a, b in titles]
    block = section(html, "programs")
    return [visible_text(t) for t in re.findall(r'<h4 id="pn-[^"]+">(.*?), <span class="university">', block, re.S)]


def test_duration_says_full_time_only_when_the_program_offers_it(trained):
    from recommender.domain import quiz
    from recommender.web.presenters import program_view
    from tests.conftest import valid_answers

    answers = quiz.parse_answers(valid_answers())
    matches = {
        m.program.id: m
        for m in trained.recommender.recommend(answers, limit=len(trained.recommender.programs)).programs
    }
    assert program_view(answers, matches["duke-mem-online"], 1).duration == "24 months"  # part-time only
    assert program_view(answers, matches["duke-mem-campus"], 1).duration == "12 months full-time"
