"""What each program's own words show it teaches: the evidence behind program reasons and ranking.

Computed once at training time. For every (program, specialization) pair it keeps the strongest
place in the program's own text that names the specialization: its name, a track (concentration),
a core course title, or a phrase of its description. Reasons quote that place word for word, so a
reason never claims a tie the program's text does not show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from recommender.domain.catalog import Program, Specialization

# Where the words were found, weakest first. Name, track and listed count as the program teaching
# the specialization; a course shows it is covered; a description phrase is only an inference.
NONE, DESCRIPTION, COURSE, TRACK, NAME, LISTED = range(6)
KIND_NAMES: dict[int, str] = {
    DESCRIPTION: "description",
    COURSE: "course",
    TRACK: "track",
    NAME: "name",
    LISTED: "listed",
}
STRENGTH = np.array([0, 1, 2, 3, 3, 3], dtype=np.int8)  # by kind
NAMED = 2  # strength from which a program "names" a specialization (a course, track or its name)
CLAUSE = re.compile(r"[^,;:.()]+")
MAX_PHRASE = 70


@dataclass(frozen=True, slots=True)
class Evidence:
    """One piece of evidence: its kind, the quoted words, and where they stand."""

    kind: int
    quote: str

    @property
    def kind_name(self) -> str:
        return KIND_NAMES.get(self.kind, "")


def term_pattern(specializations: tuple[Specialization, ...]) -> tuple[re.Pattern[str], dict[str, int]]:
    """One case-insensitive alternation of every track term, longest first, and term -> spec index.

    Longest first means that at one position "operations research" wins over "operations", so
    an analytics course is not read as an operations one.
    """
    owner: dict[str, int] = {}
    for index, spec in enumerate(specializations):
        for term in spec.track_terms:
            owner.setdefault(term.lower(), index)
    ordered = sorted(owner, key=lambda t: (-len(t.rstrip("*")), t))
    any_ending = r"\w*"
    alternatives = [
        f"(?P<t{i}>{re.escape(term.rstrip('*'))}{any_ending if term.endswith('*') else ''})"
        for i, term in enumerate(ordered)
    ]
    groups = {f"t{i}": owner[term] for i, term in enumerate(ordered)}
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE), groups


def _spans(pattern: re.Pattern[str], groups: dict[str, int], text: str) -> list[tuple[int, int, int]]:
    """(specialization index, start, end) of every track term in `text`."""
    found = []
    for match in pattern.finditer(text):
        name = match.lastgroup
        if name is not None:
            found.append((groups[name], match.start(), match.end()))
    return found


def phrase_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause of `text` holding [start, end), when short enough to quote; else the words."""
    for clause in CLAUSE.finditer(text):
        if clause.start() <= start and end <= clause.end():
            left = clause.start() + len(clause.group()) - len(clause.group().lstrip())
            right = clause.start() + len(clause.group().rstrip())
            if right - left <= MAX_PHRASE:
                return left, right
    return start, end


def evidence_arrays(
    programs: tuple[Program, ...], specializations: tuple[Specialization, ...]
) -> dict[str, np.ndarray]:
    """The strongest evidence of each specialization in each program, as four (programs x specs) arrays.

    `grounding_kind` is one of the kinds above; `grounding_item` indexes the program's tracks or
    courses; `grounding_start`/`grounding_end` delimit the quoted words within that text.
    """
    pattern, groups = term_pattern(specializations)
    spec_index = {s.id: i for i, s in enumerate(specializations)}
    shape = (len(programs), len(specializations))
    kind = np.zeros(shape, dtype=np.int8)
    item = np.zeros(shape, dtype=np.int16)
    start = np.zeros(shape, dtype=np.int32)
    end = np.zeros(shape, dtype=np.int32)
    for row, program in enumerate(programs):
        places: list[tuple[int, int, str]] = [(NAME, 0, program.program)]
        places += [(TRACK, i, c) for i, c in enumerate(program.concentrations)]
        places += [(COURSE, i, c) for i, c in enumerate(program.core_courses)]
        places.append((DESCRIPTION, 0, program.description))
        for place_kind, index, text in places:
            for spec, left, right in _spans(pattern, groups, text):
                if place_kind <= kind[row, spec]:
                    continue
                if place_kind in (NAME, TRACK, COURSE):
                    left, right = 0, len(text)  # a name, track or course is quoted whole
                elif place_kind == DESCRIPTION:
                    left, right = phrase_around(text, left, right)
                kind[row, spec], item[row, spec], start[row, spec], end[row, spec] = place_kind, index, left, right
        for spec_id in program.specializations:
            if kind[row, spec_index[spec_id]] < TRACK:
                kind[row, spec_index[spec_id]] = LISTED
    return {"grounding_kind": kind, "grounding_item": item, "grounding_start": start, "grounding_end": end}


def quote(program: Program, kind: int, item: int, start: int, end: int) -> str:
    """The program's own words that one evidence entry points at."""
    if kind == NAME:
        return program.program[start:end]
    if kind == TRACK:
        return program.concentrations[item]
    if kind == COURSE:
        return program.core_courses[item]
    if kind == DESCRIPTION:
        return program.description[start:end]
    return ""
