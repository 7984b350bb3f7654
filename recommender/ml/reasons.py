"""The sentences behind a recommendation: why a specialization, why a program, what came second.

Specialization reasons quote the user's answers; program reasons quote the program's own words
(its name, a track, a course title, a phrase of its description) and never claim more.
"""

from __future__ import annotations

from typing import NamedTuple

from recommender.domain import quiz
from recommender.domain.catalog import Program, Specialization
from recommender.ml import grounding

# Contributions below this are noise from the text block, not a reason worth telling.
REASON_FLOOR = 0.01
ORDINALS = ("best", "second", "third")
# Bands a person reads instead of a cosine: (lowest score, band), highest first.
SPECIALIZATION_BANDS: tuple[tuple[float, str], ...] = ((0.55, "strong"), (0.35, "good"), (0.2, "some"))
BANDS: tuple[str, ...] = ("strong", "good", "some", "little")


class Contribution(NamedTuple):
    """A specialization's score split by answer, for its reasons and the runner-up note."""

    specialization: Specialization
    score: float
    contributions: dict[str, float]


def a(noun: str) -> str:
    """The noun with its indefinite article ("an operations or supply chain", "a construction")."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def display(score: float) -> float:
    """Scores are cosines; shown clipped to 0..1 and rounded so equal inputs print equally."""
    return round(min(max(score, 0.0), 1.0), 4)


def specialization_band(score: float) -> str:
    """The plain-words band of a specialization score."""
    for low, band in SPECIALIZATION_BANDS:
        if score >= low:
            return band
    return "little"


def program_band(level: int) -> str:
    """The band of a program from what its own words name (see `Recommender.grounding_levels`).

    strong: its name or a track names your best specialization; good: a course does, or its name
    or a track names your second; some: a course names your second, anything names your third, or
    its description mentions your best; little: nothing does.
    """
    if level >= 33:
        return "strong"
    if level >= 23:
        return "good"
    if level >= 12 or level == 3:
        return "some"
    return "little"


def you_chose(answers: quiz.Answers, field: str, value: str) -> str:
    """How a reason quotes one of the user's answers."""
    label = answers.label(field, value) if field == "interests" else answers.label(field)
    return {
        "interests": f"You chose “{label}”",
        "goal": f"Your goal is “{label}”",
        "background": f"Your background is “{label}”",
        "industry": f"You named “{label}” as your industry",
    }[field]


def specialization_reason(answers: quiz.Answers, spec: Specialization, key: str) -> str:
    """One sentence on how one of the user's answers leads to a specialization."""
    field, value = key.split(":", 1)
    chose = you_chose(answers, field, value)
    linked = (
        value
        in {
            "interests": spec.interests,
            "goal": spec.goals,
            "background": spec.backgrounds,
            "industry": spec.industries,
        }[field]
    )
    if field == "interests":
        return f"{chose}: {spec.name} is built around it." if linked else f"{chose}, which {spec.name} touches on."
    if field == "goal":
        return (
            f"{chose}, a role {spec.name} prepares you for."
            if linked
            else f"{chose}; {spec.name} skills help there too."
        )
    if field == "background":
        return (
            f"{chose}; engineers from it often move into {spec.name}."
            if linked
            else f"{chose}, which fits {spec.name}."
        )
    return (
        f"{chose}, where {spec.name} skills are in demand."
        if linked
        else f"{chose}, which uses some {spec.name} skills."
    )


def runner_up_note(answers: quiz.Answers, first: Contribution, second: Contribution) -> str:
    """Why the second specialization came second, from the answers that separate the two."""
    gaps = {k: first.contributions[k] - second.contributions.get(k, 0.0) for k in first.contributions}
    decider = max(gaps, key=lambda k: (gaps[k], k))
    field, value = decider.split(":", 1)
    label = answers.label(field, value) if field == "interests" else answers.label(field)
    support = [
        answers.label(k.split(":", 1)[0], k.split(":", 1)[1])
        if k.startswith("interests:")
        else answers.label(k.split(":", 1)[0])
        for k, v in sorted(second.contributions.items(), key=lambda kv: -kv[1])
        if v >= REASON_FLOOR
    ][:2]
    matched = f"it also matches “{'” and “'.join(support)}”" if support else "it matches fewer of your answers"
    return (
        f"{second.specialization.name} came second: "
        f"{matched}, but “{label}” points more strongly to {first.specialization.name}."
    )


def evidence_reason(program: Program, spec: Specialization, rank: int, kind: int, quote: str) -> str:
    """One sentence quoting what the program's own words show about one of the user's top specializations."""
    whose = f"{spec.name}, your {ORDINALS[rank]} match"
    if kind == grounding.NAME:
        return f"Its name, “{quote}”, shows it teaches {whose}."
    if kind == grounding.TRACK:
        return f"Its track “{quote}” fits {whose}."
    if kind == grounding.COURSE:
        return f"Its core courses include “{quote}”, part of {whose}."
    if kind == grounding.LISTED:
        return f"Listed in our catalogue as teaching {whose}."
    return ""


def absence_reason(program: Program, spec: Specialization, kind: int, quote: str) -> str:
    """What a program that names no track or course for the user's best specialization is."""
    if kind == grounding.DESCRIPTION:
        return (
            f"Its description mentions “{quote}”, so it may touch on {spec.name} (inferred); "
            f"it names no {spec.subject} track or course."
        )
    what = "engineering-management program" if "engineering management" in program.program.lower() else "program"
    return f"A general {what}: it names no {spec.subject} track or course."
