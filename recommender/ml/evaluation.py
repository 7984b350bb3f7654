"""Persona metrics: how often a version puts the adviser's specialization first, or in its top three."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from recommender.domain.catalog import Persona
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
