"""The web forms: the quiz (validated by the same `quiz.parse_answers` as the API) and feedback."""

from __future__ import annotations

import re
from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, RadioField, SelectMultipleField
from wtforms.validators import AnyOf, InputRequired, Regexp

from recommender.domain import quiz
from recommender.web.appform import AppForm

# Experience is asked as ranges (no typing). The ranges follow the seed's ladder stages
# (`quiz.experience_stage`), and each posts its lower bound, so a range never overstates anyone's
# experience. A value from the API or an older link that is not a lower bound is kept exactly: the
# range that contains it posts that value, so re-submitting an unchanged form keeps the same link.
EXPERIENCE_RANGES: tuple[tuple[int, int, str], ...] = (
    (0, 0, "Under 1 year or studying"),
    (1, 4, "1–4 years"),
    (5, 8, "5–8 years"),
    (9, 15, "9–15 years"),
    (16, quiz.EXPERIENCE_RANGE[1], "16+ years"),
)
# Whole-program tuition caps in US dollars, $20,000 to $150,000 in the steps people think in: by
# $10,000 up to $60,000 (where most published totals are), then by $25,000. "" is "no limit" (the
# contract's null). Every value is a valid contract value (0..500,000).
BUDGET_STEPS: tuple[int, ...] = (20_000, 30_000, 40_000, 50_000, 60_000, 75_000, 100_000, 125_000, 150_000)
NO_LIMIT = ""

LEGENDS: dict[str, str] = {
    "background": "Your background",
    "experience_years": "Years of work",
    "goal": "Role you aim for",
    "interests": "What you enjoy most",
    "industry": "Industry",
    "format": "How you want to study",
    "pace": "Pace",
    "max_budget_usd": "Most you can spend on tuition",
    "region": "Where you want to study",
}
# The same questions in a word or two, for the results page's compact form and answer recap.
SHORT_LABELS: dict[str, str] = {
    "background": "Background",
    "experience_years": "Experience",
    "goal": "Aiming for",
    "interests": "Interests",
    "industry": "Industry",
    "format": "Format",
    "pace": "Pace",
    "max_budget_usd": "Tuition budget (whole program, USD)",
    "region": "Region",
}
HINTS: dict[str, str] = {
    "interests": f"Choose 1 to {quiz.MAX_INTERESTS}.",
    "format": "Hybrid programs do not count as online.",
    "pace": "Accelerated means full-time and 12 months or less.",
    "max_budget_usd": (
        "Whole-program tuition in US dollars, not per year. Programs that publish no figure are "
        "marked “cost not published”, never counted as within budget."
    ),
}
# The order on screen: the questions without a default first, so a keyboard user reaches each of
# them in one Tab and can submit from the last with Enter; the constraints, which default to
# "any", come after. (Field names stay the contract keys; only the order differs.)
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("About you", ("background", "experience_years")),
    ("Where you want to go", ("goal", "interests", "industry")),
    ("What the program must fit", ("format", "pace", "max_budget_usd", "region")),
)
REQUIRED_MESSAGE = "Please choose an answer."
WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


def experience_choices(current: Any = None) -> dict[str, str]:
    """The experience ranges as radio choices (value: label); the range holding `current` posts it exactly."""
    value = _as_int(current)
    choices = {}
    for low, high, label in EXPERIENCE_RANGES:
        posted = value if value is not None and low <= value <= high else low
        choices[str(posted)] = label
    return choices


def budget_choices(current: Any = None) -> dict[str, str]:
    """The budget caps as radio choices (value: label), plus the user's own cap if it is not one of them."""
    value = _as_int(current)
    steps = sorted({*BUDGET_STEPS, value}) if value is not None else BUDGET_STEPS
    choices = {}
    for step in steps:
        choices[str(step)] = f"Up to ${step:,}" + ("" if step in BUDGET_STEPS else " (your earlier answer)")
    choices[NO_LIMIT] = "No limit"
    return choices


def _as_int(raw: Any) -> int | None:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and WHOLE_NUMBER.fullmatch(raw):
        return int(raw)
    return None


def posted_payload(formdata: MultiDict) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The posted quiz as a contract mapping for `parse_answers`, and problems only a form can have.

    Built from what was posted, never from defaults, so a missing answer is reported as missing
    rather than silently replaced by "any"; a number arrives as text and is read as a number.
    """
    data: dict[str, Any] = {}
    problems: dict[str, list[str]] = {}
    for name in quiz.FIELDS:
        raw = formdata.getlist(name)
        if name == "interests":
            data[name] = raw
        elif len(raw) > 1:
            problems[name] = ["Choose one answer."]
        elif not raw:
            continue  # parse_answers names it as required
        elif name == "max_budget_usd" and raw[0] == NO_LIMIT:
            data[name] = None
        elif name in ("experience_years", "max_budget_usd"):
            number = _as_int(raw[0])
            data[name] = raw[0] if number is None else number
        else:
            data[name] = raw[0]
    return data, problems


def posted_answers(formdata: MultiDict) -> tuple[quiz.Answers | None, dict[str, list[str]]]:
    """Validate a posted quiz with `quiz.parse_answers`, the API's validator: (answers, {}) or (None, errors)."""
    data, problems = posted_payload(formdata)
    try:
        answers = quiz.parse_answers(data)
    except quiz.AnswersError as exc:
        return None, {**exc.errors, **problems}
    return (None, problems) if problems else (answers, {})


def _radio(name: str, choices: dict[str, str], default: str | None = None) -> RadioField:
    # Validation is parse_answers' job, shared with the API; the field only carries the value.
    return RadioField(LEGENDS[name], choices=dict(choices), default=default, validate_choice=False)


class QuizForm(AppForm):
    """The nine contract questions; field names are the contract keys."""

    class Meta:
        # The app-wide CSRFProtect already refuses any POST without a valid token (before this
        # form exists), so the form does not check it a second time; templates render the token.
        csrf = False

    background = _radio("background", quiz.BACKGROUNDS)
    experience_years = RadioField(LEGENDS["experience_years"], choices=experience_choices(), validate_choice=False)
    goal = _radio("goal", quiz.GOALS)
    interests = SelectMultipleField(LEGENDS["interests"], choices=dict(quiz.INTERESTS), validate_choice=False)
    industry = _radio("industry", quiz.INDUSTRIES, default=quiz.ANY)
    format = _radio("format", quiz.FORMATS, default=quiz.ANY)
    pace = _radio("pace", quiz.PACES, default=quiz.ANY)
    max_budget_usd = RadioField(
        LEGENDS["max_budget_usd"], choices=budget_choices(), default=NO_LIMIT, validate_choice=False
    )
    region = _radio("region", quiz.REGIONS, default=quiz.ANY)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # Choices depend on the answer shown, so an exact earlier answer survives a round trip.
        self.experience_years.choices = experience_choices(self.experience_years.data)
        self.max_budget_usd.choices = budget_choices(self.max_budget_usd.data)

    @classmethod
    def from_answers(cls, answers: quiz.Answers) -> QuizForm:
        """The quiz pre-filled with earlier answers (the results page's "Change an answer")."""
        data = answers.to_dict()
        data["experience_years"] = str(answers.experience_years)
        data["max_budget_usd"] = NO_LIMIT if answers.max_budget_usd is None else str(answers.max_budget_usd)
        return cls(formdata=None, data=data)

    def show_errors(self, errors: dict[str, list[str]]) -> None:
        """Put `parse_answers` errors (keyed by contract field) on their fields, in plain words."""
        for name, messages in errors.items():
            field = getattr(self, name, None) if name in quiz.FIELDS else None
            if field is None:
                self.form_errors.append(" ".join(messages))
                continue
            field.errors = [REQUIRED_MESSAGE if m == "This field is required." else m for m in messages]

    @property
    def fields_with_errors(self) -> list[str]:
        """Names of the questions that have an error, in the order they are shown."""
        order = [name for _, names in SECTIONS for name in names]
        return [name for name in order if getattr(self, name).errors]

    def selected(self, name: str) -> set[str]:
        """The values shown as chosen for one question (posted, pre-filled or default)."""
        value = getattr(self, name).data
        if value is None:
            return set()
        if isinstance(value, list | tuple):
            return {str(v) for v in value}
        return {str(value)}


def feedback_fields(formdata: MultiDict) -> MultiDict:
    """The feedback as kind, item and useful: the results page sends one `vote` ("kind:item:yes")."""
    vote = formdata.get("vote")
    if vote is None:
        return formdata
    kind, _, rest = vote.partition(":")
    item, _, useful = rest.rpartition(":")
    return MultiDict({"kind": kind, "item": item, "useful": useful})


class FeedbackForm(AppForm):
    """A "useful / not for me" vote on one specialization or program of a results page."""

    class Meta:
        csrf = False  # checked once, app-wide, by CSRFProtect before the view runs

    kind = HiddenField(validators=[InputRequired(), AnyOf(["specialization", "program"])])
    item = HiddenField(validators=[InputRequired(), Regexp(r"^[a-z0-9_-]{1,64}$")])
    useful = HiddenField(validators=[InputRequired(), AnyOf(["yes", "no"])])
