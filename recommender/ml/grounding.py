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
SEPARATOR = "\x00"  # joins every place's text for one search: not a word character, in no term
# Non-ASCII characters that a case-insensitive ASCII letter matches in Python's re (İ, ı, ſ, and the
# Kelvin sign); `test_fast_path` recomputes this set.
FOLDS_TO_ASCII = frozenset("\u0130\u0131\u017f\u212a")
WORD = re.compile(r"\w+")
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
    # Alternatives are grouped by their first letter (keeping their order within a group): terms
    # with different first letters never match at the same place, so the match found is the same,
    # and the engine tries one letter per group instead of every term at every position.
    by_first: dict[str, list[str]] = {}
    for i, term in enumerate(ordered):
        words = term.rstrip("*")
        rest = f"{re.escape(words[1:])}{any_ending if term.endswith('*') else ''}"
        by_first.setdefault(words[:1], []).append(f"(?P<t{i}>{re.escape(words[:1])}{rest})")
    alternatives = [f"(?:{'|'.join(alts)})" for alts in by_first.values()]
    groups = {f"t{i}": owner[term] for i, term in enumerate(ordered)}
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE), groups


def _terms(specializations: tuple[Specialization, ...]) -> list[str]:
    return [term.lower() for spec in specializations for term in spec.track_terms]


def _first_words(terms: list[str]) -> tuple[frozenset[str], frozenset[str]] | None:
    """(words a match must start with exactly, prefixes it may start with), or None if a term has none."""
    exact, prefixes = set(), set()
    for term in terms:
        words = term.rstrip("*")
        run = WORD.match(words)
        if run is None:
            return None
        (prefixes if run.end() == len(words) and term.endswith("*") else exact).add(run.group())
    return frozenset(exact), frozenset(prefixes)


def _matches(pattern: re.Pattern[str], terms: list[str], text: str) -> list[tuple[int, int, int]]:
    """(start, end, group index) of each match `pattern.finditer(text)` finds, found faster.

    A term starts with a word character, so a match starts where a word does; the pattern is tried
    only at words that begin as some term begins (the first word of a term, or a prefix term's
    stem) instead of at every character. Characters that fold to ASCII letters case-insensitively
    would break that test, so a text holding one is scanned the plain way.
    """
    first = _first_words(terms)
    if first is None or FOLDS_TO_ASCII.intersection(text):
        return [(m.start(), m.end(), m.lastindex or 0) for m in pattern.finditer(text)]
    exact, prefixes = first
    stems = sorted({len(p) for p in prefixes})
    match = pattern.match
    found, resume = [], 0
    for word in WORD.finditer(text):
        start = word.start()
        if start < resume:
            continue
        token = word.group().lower()
        if token in exact or any(token[:k] in prefixes for k in stems):
            hit = match(text, start)
            if hit is not None:
                found.append((start, hit.end(), hit.lastindex or 0))
                resume = hit.end()
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

    A program's places are read strongest kind first (name, tracks, courses, description), and a
    later place only counts when its kind is stronger, so the evidence for a (program,
    specialization) pair is simply its first match in that order. All places of all programs are
    therefore searched in one pass over one text (joined by a character no term contains and that
    is not a word character, so word boundaries are the same), and the first match of each pair
    is kept.
    """
    pattern, groups = term_pattern(specializations)
    group_spec = {pattern.groupindex[name]: spec for name, spec in groups.items()}
    n_specs = len(specializations)
    shape = (len(programs), n_specs)
    kind = np.zeros(shape, dtype=np.int8)
    item = np.zeros(shape, dtype=np.int16)
    start = np.zeros(shape, dtype=np.int32)
    end = np.zeros(shape, dtype=np.int32)
    texts: list[str] = []
    place_row: list[int] = []
    place_kind: list[int] = []
    place_item: list[int] = []
    for row, program in enumerate(programs):
        places = [program.program, *program.concentrations, *program.core_courses, program.description]
        kinds = [NAME] + [TRACK] * len(program.concentrations) + [COURSE] * len(program.core_courses) + [DESCRIPTION]
        items = [0, *range(len(program.concentrations)), *range(len(program.core_courses)), 0]
        texts += places
        place_row += [row] * len(places)
        place_kind += kinds
        place_item += items
    joined = SEPARATOR.join(texts)
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    offsets = np.concatenate([[0], np.cumsum(lengths + len(SEPARATOR))[:-1]])
    terms = _terms(specializations)
    found = [(start, stop, group_spec[group]) for start, stop, group in _matches(pattern, terms, joined)]
    if found:
        spans = np.array(found, dtype=np.int64)
        place = np.searchsorted(offsets, spans[:, 0], side="right") - 1
        rows = np.asarray(place_row, dtype=np.int64)[place]
        # The first match of each (program, specialization) pair, in reading order.
        _, first = np.unique(rows * n_specs + spans[:, 2], return_index=True)
        kinds_of = np.asarray(place_kind, dtype=np.int8)
        items_of = np.asarray(place_item, dtype=np.int16)
        for f in first.tolist():
            p = int(place[f])
            row, spec, place_k = int(rows[f]), int(spans[f, 2]), int(kinds_of[p])
            left, right = int(spans[f, 0] - offsets[p]), int(spans[f, 1] - offsets[p])
            if place_k in (NAME, TRACK, COURSE):
                left, right = 0, int(lengths[p])  # a name, track or course is quoted whole
            elif place_k == DESCRIPTION:
                left, right = phrase_around(texts[p], left, right)
            kind[row, spec], item[row, spec], start[row, spec], end[row, spec] = place_k, items_of[p], left, right
    spec_index = {s.id: i for i, s in enumerate(specializations)}
    for row, program in enumerate(programs):
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
