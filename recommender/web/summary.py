"""The results page's groups and summary: fit groups with counts, the top lists, occupations' pay.

Presenters: they group and word what the recommender returned; nothing here ranks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from recommender.domain import quiz
from recommender.domain.catalog import Role
from recommender.ml.fit import tuition_text
from recommender.ml.ranking import ProgramMatch, Recommendation
from recommender.web.presenters import ProgramView, joined


def best_group(recommendation: Recommendation) -> list[ProgramMatch]:
    """The shown programs of the best fit group there is (meets, else unknown, else misses), in rank order."""
    programs = recommendation.programs
    if not programs:
        return []
    group = programs[0].fit
    return [m for m in programs if m.fit == group]


def key_facts(view: ProgramView) -> tuple[str, str, str]:
    """Cost, format and length in a few words each for the summary; an unknown says "not published"."""
    program = view.program
    # The figure with its year and source, as the card and the API's `cost` give it: a bare figure
    # would read as current and official.
    stale = "may be out of date" if program.tuition_stale() else ""
    cost = "Cost not published" if program.tuition_usd is None else tuition_text(program, also=stale)
    formats = ", ".join(quiz.FORMATS[f] for f in program.formats) if program.formats else "Format not published"
    length = f"{program.duration_months} months" if program.duration_months else "Length not published"
    return cost, formats, length


FIT_TITLES: dict[str, tuple[str, str]] = {
    # (one program, several programs)
    "meets": ("{n} fits your limits", "{n} fit your limits"),
    "unknown": ("{n} might fit: facts not published", "{n} might fit: facts not published"),
    "misses": ("{n} is outside your limits", "{n} are outside your limits"),
}


@dataclass(frozen=True)
class FitGroup:
    """One fit group of the results: its heading (with the catalogue-wide count) and the shown programs."""

    fit: str
    title: str
    total: int
    views: tuple[ProgramView, ...]


def fit_title(fit: str, n: int) -> str:
    """ "4 fit your limits", "9 might fit: facts not published", "27 are outside your limits"."""
    one, many = FIT_TITLES[fit]
    return (one if n == 1 else many).format(n=n)


def fit_groups(recommendation: Recommendation, views: Iterable[ProgramView]) -> list[FitGroup]:
    """The shown programs under their fit group's heading, in the contract's order; empty groups too."""
    views = list(views)
    return [
        FitGroup(
            fit,
            fit_title(fit, recommendation.fit_counts.get(fit, 0)),
            recommendation.fit_counts.get(fit, 0),
            tuple(v for v in views if v.match.fit == fit),
        )
        for fit in FIT_TITLES
    ]


@dataclass(frozen=True)
class Occupation:
    """One BLS occupation whose pay the page shows, and the role titles it stands for."""

    role: Role  # any of its roles: they all carry the same figures
    title: str
    soc_code: str
    titles: tuple[str, ...]
    onet_titles: tuple[str, ...]  # O*NET-level occupations that carry this SOC's figures


def occupations(roles: Iterable[Role]) -> list[Occupation]:
    """The BLS occupations behind the shown roles, once each, with the role titles they stand for.

    Several roles share one occupation (project manager and junior project manager are both
    Project Management Specialists), and O*NET-level occupations carry their parent SOC's figures
    (Logistics Analysts and Logistics Engineers are both Logisticians' pay): each is said once.
    """
    grouped: dict[str, list[Role]] = {}
    for role in roles:
        if role.median_pay_usd is not None:
            grouped.setdefault(role.soc_code, []).append(role)
    found = []
    for soc, members in grouped.items():
        first = members[0]
        title = first.pay_parent.removeprefix(f"{soc} ") if first.pay_parent else first.occupation_title
        onet = tuple(dict.fromkeys(r.occupation_title for r in members if r.pay_parent))
        titles = tuple(dict.fromkeys(r.title for r in members))
        found.append(Occupation(first, title, soc, titles, onet))
    return found


FACT_WORDS: dict[str, str] = {"budget": "cost", "format": "format", "pace": "pace"}


@dataclass(frozen=True)
class SummaryList:
    """One short list of programs at the top of the results page, under a heading that says what it is."""

    title: str
    views: tuple[ProgramView, ...]


def summary_lists(recommendation: Recommendation, groups: list[FitGroup], constrained: bool) -> list[SummaryList]:
    """The top three of the best fit group; and, when those are all general programs, the closest that
    name the best specialization from a later group, so the first screen never buries them."""
    lead = next((g for g in groups if g.views), None)
    if lead is None:
        return []
    top = lead.views[:3]
    subject = recommendation.specializations[0].specialization.subject
    general = all(v.match.general for v in top)
    if lead.fit == "meets":
        title = "Top programs that fit your limits" if constrained else "Top programs for you"
        if general:
            kind = "general program" if len(top) == 1 else "general programs"
            title = f"Fit your limits: {len(top)} {kind} (none names {subject})"
    elif lead.fit == "unknown":
        title = "None is known to fit all your limits; these might (facts not published)"
    else:
        title = "No program fits all your limits; the closest"
    lists = [SummaryList(title, top)]
    if general:
        later = [v for g in groups if g.fit != lead.fit for v in g.views if not v.match.general][:3]
        if later:
            unknown = {c for v in later for c in v.match.constraint_unknowns}
            if later[0].match.fit == "unknown" and unknown:
                facts = joined(FACT_WORDS.get(c, c) for c in ("budget", "format", "pace") if c in unknown)
                second = f"Name {subject}, but {facts.replace(' and ', ' or ')} not published"
            else:
                second = f"Name {subject}, but outside your limits"
            lists.append(SummaryList(second, tuple(later)))
    return lists


def constrained(answers: quiz.Answers) -> bool:
    """True when the user set any hard limit (format, pace, budget or region)."""
    return (
        answers.format != quiz.ANY
        or answers.pace != quiz.ANY
        or answers.max_budget_usd is not None
        or answers.region != quiz.ANY
    )
