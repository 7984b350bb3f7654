"""View helpers: turn a `Recommendation` into the plain sentences and groups the pages show.

Nothing here ranks or decides; it only words what the recommender and the catalogues hold.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from recommender.domain import quiz
from recommender.domain.catalog import LEVELS, Catalogs, Certification, Program, Role, Specialization
from recommender.ml.fit import tuition_text
from recommender.ml.ranking import ProgramMatch
from recommender.web.forms import EXPERIENCE_RANGES

# Top specializations whose roles and certifications are shown (the recommender uses three).
TOP_SPECIALIZATIONS = 3
LEVEL_LABELS: dict[str, str] = {
    "entry": "Entry level",
    "mid": "Mid-level",
    "senior": "Senior",
    "executive": "Executive",
}
# What a program publishes for each limit: the budget is the student's, the program's fact is its tuition.
CONSTRAINT_LABELS: dict[str, str] = {"format": "format", "pace": "pace", "budget": "tuition", "region": "region"}
PACE_SHORT: dict[str, str] = {"accelerated": "accelerated", "full_time": "full-time", "part_time": "part-time"}


def percent(score: float) -> int:
    """A 0..1 score as a whole percentage, for the bar and its text alike."""
    return max(0, min(100, round(score * 100)))


def experience_text(years: int) -> str:
    """Years of experience as the quiz asked it: the range that holds them."""
    for low, high, label in EXPERIENCE_RANGES:
        if low <= years <= high:
            return label
    return f"{years} years"


def budget_text(budget: int | None) -> str:
    """The budget answer in words."""
    return "no limit" if budget is None else f"up to ${budget:,}"


def answer_summary(answers: quiz.Answers) -> list[tuple[str, str]]:
    """The user's answers as (question, answer) pairs, in the quiz's order on screen."""
    return [
        ("Background", answers.label("background")),
        ("Experience", experience_text(answers.experience_years)),
        ("Aiming for", answers.label("goal")),
        ("Interests", ", ".join(answers.label("interests", i) for i in answers.interests)),
        ("Industry", answers.label("industry")),
        ("Format", answers.label("format")),
        ("Pace", quiz.PACES[answers.pace].split(" (")[0]),
        ("Tuition budget", budget_text(answers.max_budget_usd).capitalize()),
        ("Region", answers.label("region")),
    ]


def host(url: str) -> str:
    """The site name of a source address, short enough to read as a link text."""
    name = urlsplit(url).netloc.lower()
    return name.removeprefix("www.") or url


def source_labels(listed: Iterable[dict[str, str]]) -> list[tuple[dict[str, str], str]]:
    """Each source with its link text: its host, or its host and path where the host repeats.

    Three links all reading "sdm.mit.edu" could not be told apart; with the path, one reads
    "sdm.mit.edu/admission/tuition".
    """
    listed = list(listed)
    repeated = {h for h, n in Counter(s["host"] for s in listed).items() if h and n > 1}
    labels = []
    for source in listed:
        label = source["host"] or source["url"]
        if source["host"] in repeated:
            label += urlsplit(source["url"]).path.rstrip("/")
        labels.append((source, label))
    return labels


def why_second(note: str, name: str) -> str:
    """The runner-up note under its card's "Why it came second:" label, without naming it twice.

    The note (as the API gives it) opens "<name> came second: "; under the label that reads
    "Why it came second: Energy & Sustainability came second: it also matches ...".
    """
    opening = f"{name} came second: "
    if not note.startswith(opening):
        return note
    rest = note[len(opening) :]
    return rest[:1].upper() + rest[1:]


def joined(values: Iterable[str]) -> str:
    """ "a, b and c"."""
    items = list(values)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


@dataclass(frozen=True)
class ProgramView:
    """One ranked program as the results and compare pages word it."""

    match: ProgramMatch
    rank: int
    fit_reasons: tuple[str, ...]
    constraint_notes: tuple[str, ...]

    @property
    def program(self) -> Program:
        return self.match.program

    @property
    def formats(self) -> str:
        formats = self.program.formats
        return ", ".join(quiz.FORMATS[f] for f in formats) if formats else "Not published"

    @property
    def paces(self) -> str:
        paces = [PACE_SHORT[p] for p in self.program.paces]
        if "accelerated" not in self.program.paces and self.program.offers_accelerated:
            paces.append("accelerated (12 months full-time)")
        return ", ".join(paces).capitalize() if paces else "Not published"

    @property
    def duration(self) -> str:
        months = self.program.duration_months
        if not months:
            return "Not published"
        # Some programs state only one length and no full-time option: do not call it full-time.
        full_time = "full_time" in self.program.paces or "accelerated" in self.program.paces
        return f"{months} months full-time" if full_time else f"{months} months"

    @property
    def tuition(self) -> str:
        if self.program.tuition_usd is None:
            return "Not published — check with the program"
        text = tuition_text(self.program)
        if self.program.tuition_stale():
            text += "; more than three academic years old, so possibly out of date"
        return text

    @property
    def location(self) -> str:
        parts = [self.program.city, self.program.state_or_region, self.program.country]
        return ", ".join(p for p in parts if p)

    @property
    def region(self) -> str:
        return quiz.REGIONS[self.program.region]

    @property
    def where(self) -> str:
        """City, state, country and the quiz region, the region left out where it only repeats the
        country ("Edmonton, AB, Canada", not "Edmonton, AB, Canada · Canada")."""
        if self.program.country == self.region:
            return self.location or self.region
        return f"{self.location} · {self.region}" if self.location else self.region

    @property
    def degree(self) -> str:
        """The degree as written, a `;`-list of several read as "MEng / MSc" rather than "MEng;MSc"."""
        return " / ".join(d.strip() for d in self.program.degree.split(";") if d.strip()) if self.program.degree else ""

    @property
    def last_verified(self) -> str:
        return self.program.last_verified or "Not recorded"

    @property
    def misses_text(self) -> str:
        """A plain sentence naming each hard constraint this program misses, or ''."""
        misses = [CONSTRAINT_LABELS[c] for c in self.match.constraint_misses]
        if not misses:
            return ""
        return f"Outside your limits: its published {joined(misses)} {'does' if len(misses) == 1 else 'do'} not match."

    @property
    def unknowns_text(self) -> str:
        """A plain sentence naming each limit that cannot be checked because the fact is not published."""
        unknown = [CONSTRAINT_LABELS[c] for c in self.match.constraint_unknowns]
        if not unknown:
            return ""
        verb = "is" if len(unknown) == 1 else "are"
        return f"Might fit: its {joined(unknown)} {verb} not published — check with the program."

    @property
    def specializations_inferred(self) -> bool:
        return not self.program.specializations


def program_view(answers: quiz.Answers, match: ProgramMatch, rank: int) -> ProgramView:
    """A ranked program with its fit reasons and what its facts say about the user's limits."""
    return ProgramView(match, rank, match.reasons, match.constraint_notes)


@dataclass(frozen=True)
class Rung:
    """One step of the seed's career ladder with the recommended roles on it."""

    level: str
    label: str
    roles: tuple[Role, ...]
    you_are_here: bool


def ladder(roles: Iterable[Role], answers: quiz.Answers) -> list[Rung]:
    """Roles grouped on the ladder (entry → mid → senior → executive), marking the user's stage."""
    stage = quiz.experience_stage(answers.experience_years)
    roles = list(roles)
    return [
        Rung(
            level,
            LEVEL_LABELS[level],
            tuple(sorted((r for r in roles if r.level == level), key=lambda r: (r.id != answers.goal, r.ladder_step))),
            level == stage,
        )
        for level in LEVELS
    ]


def certifications_for(catalogs: Catalogs, top: Iterable[Specialization]) -> list[tuple[Certification, list[str]]]:
    """Certifications that fit any of the top specializations, with the names of those they fit."""
    top = list(top)
    fitting = []
    for cert in catalogs.certifications:
        names = [s.name for s in top if s.id in cert.specializations]
        if names:
            fitting.append((cert, names))
    return fitting
