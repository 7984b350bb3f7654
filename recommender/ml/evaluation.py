"""Persona metrics: specializations (top-1, top-3) and programs (precision@3, nDCG@10, grounded reasons)."""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass

from recommender.domain.catalog import Persona, Program, ProgramPersona, Specialization
from recommender.ml import grounding
from recommender.ml.ranking import Recommender


@dataclass(frozen=True, slots=True)
class PersonaMetrics:
    """Accuracy on the labelled persona set; `misses` names each persona not ranked first."""

    n: int
    top1: float
    top3: float
    mrr: float
    misses: tuple[str, ...]
    top_specialization: dict[str, str]

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["misses"] = list(self.misses)
        return data


def evaluate(recommender: Recommender, personas: tuple[Persona, ...]) -> PersonaMetrics:
    """Score every persona; a persona counts as first when any of its expected ids is first."""
    hits1 = hits3 = 0
    reciprocal = 0.0
    misses: list[str] = []
    tops: dict[str, str] = {}
    for persona in personas:
        spec_order, *_ = recommender.rank(persona.answers, limit=1)
        ranked = [recommender.specializations[i].id for i in spec_order]
        tops[persona.id] = ranked[0]
        best = min(ranked.index(e) for e in persona.expected)
        hits1 += best == 0
        hits3 += best < 3
        reciprocal += 1.0 / (best + 1)
        if best:
            misses.append(f"{persona.id}: expected {'/'.join(persona.expected)}, got {ranked[0]}")
    n = len(personas)
    return PersonaMetrics(
        n=n,
        top1=round(hits1 / n, 4) if n else 0.0,
        top3=round(hits3 / n, 4) if n else 0.0,
        mrr=round(reciprocal / n, 4) if n else 0.0,
        misses=tuple(misses),
        top_specialization=tops,
    )


QUOTE = re.compile(r"“([^”]+)”")
ABSENCE = re.compile(r"it names no (.+) track or course\.$")
LISTED = re.compile(r"^Listed in our catalogue as teaching (.+), your \w+ match\.$")


@dataclass(frozen=True, slots=True)
class ProgramMetrics:
    """How well a version ranks programs on the labelled program personas, and how grounded its reasons are."""

    n: int
    precision_at_3: float
    ndcg_at_10: float
    grounded_share: float
    reasons_checked: int
    ungrounded: tuple[str, ...]
    misses: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["ungrounded"] = list(self.ungrounded)
        data["misses"] = list(self.misses)
        return data


def program_words(program: Program) -> list[str]:
    """Every piece of the program's own text a reason may quote."""
    return [program.program, *program.concentrations, *program.core_courses, program.description]


def reason_grounded(reason: str, program: Program, specializations: tuple[Specialization, ...]) -> bool:
    """True when everything a program reason claims about the program is in its own text or file row.

    A quote must stand in the program's name, a track, a course title or its description; "it
    names no X track or course" must be true of its name, tracks and courses; "Listed in our
    catalogue as teaching X" must match its `specializations` column.
    """
    quotes = QUOTE.findall(reason)
    words = program_words(program)
    if any(not any(q in w for w in words) for q in quotes):
        return False
    by_subject = {s.subject: s for s in specializations}
    absent = ABSENCE.search(reason)
    if absent:
        spec = by_subject.get(absent.group(1))
        if spec is None:
            return False
        pattern, groups = grounding.term_pattern(specializations)
        spec_index = specializations.index(spec)
        named = [program.program, *program.concentrations, *program.core_courses]
        if any(groups[m.lastgroup] == spec_index for text in named for m in pattern.finditer(text) if m.lastgroup):
            return False
    listed = LISTED.match(reason)
    if listed:
        names = {s.name: s.id for s in specializations}
        return names.get(listed.group(1)) in program.specializations
    return bool(quotes or absent)


def evaluate_programs(recommender: Recommender, personas: tuple[ProgramPersona, ...]) -> ProgramMetrics:
    """precision@3 and nDCG@10 against the adviser's programs, and the share of grounded program reasons."""
    precision = ndcg = 0.0
    checked = grounded = 0
    ungrounded: list[str] = []
    misses: list[str] = []
    for persona in personas:
        rec = recommender.recommend(persona.answers, limit=10)
        ranked = [m.program.id for m in rec.programs]
        wanted = set(persona.expected)
        hits = sum(1 for pid in ranked[:3] if pid in wanted)
        precision += hits / min(3, len(wanted)) if wanted else 0.0
        dcg = sum(1.0 / math.log2(i + 2) for i, pid in enumerate(ranked[:10]) if pid in wanted)
        ideal = sum(1.0 / math.log2(i + 2) for i in range(min(10, len(wanted))))
        ndcg += dcg / ideal if ideal else 0.0
        if hits == 0:
            misses.append(f"{persona.id}: expected {'/'.join(persona.expected[:3])}, got {'/'.join(ranked[:3])}")
        for match in rec.programs:
            for reason in match.reasons:
                checked += 1
                if reason_grounded(reason, match.program, recommender.specializations):
                    grounded += 1
                elif len(ungrounded) < 20:
                    ungrounded.append(f"{match.program.id}: {reason}")
    n = len(personas)
    return ProgramMetrics(
        n=n,
        precision_at_3=round(precision / n, 4) if n else 0.0,
        ndcg_at_10=round(ndcg / n, 4) if n else 0.0,
        grounded_share=round(grounded / checked, 4) if checked else 0.0,
        reasons_checked=checked,
        ungrounded=tuple(ungrounded),
        misses=tuple(misses),
    )
