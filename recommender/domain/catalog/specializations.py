"""The eight specializations: their ids (the contract's), words and the answers linked to them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recommender.domain import quiz
from recommender.domain.catalog.csvfile import DATA_DIR, CatalogError, RowError, RowReader, load_items

SPECIALIZATION_IDS: tuple[str, ...] = (
    "project_management",
    "operations_supply_chain",
    "systems_engineering",
    "product_innovation",
    "data_analytics",
    "entrepreneurship",
    "energy_sustainability",
    "construction_management",
)


@dataclass(frozen=True, slots=True)
class Specialization:
    """One of the eight specializations, with the quiz answers an adviser links to it.

    `track_terms` are the words that, in a program's own name, track or course titles, show that
    it teaches this specialization (a trailing `*` matches any ending); `subject` names it in
    a sentence ("it names no construction track").
    """

    id: str
    name: str
    summary: str
    description: str
    keywords: tuple[str, ...]
    subject: str
    track_terms: tuple[str, ...]
    interests: tuple[str, ...]
    goals: tuple[str, ...]
    backgrounds: tuple[str, ...]
    industries: tuple[str, ...]
    roles: tuple[str, ...]
    certifications: tuple[str, ...]
    sources: tuple[str, ...]

    def text(self) -> str:
        """The words the model reads for this specialization."""
        return " ".join([self.name, self.summary, self.description, *self.keywords])

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view for the catalogue API."""
        return {
            "id": self.id,
            "name": self.name,
            "summary": self.summary,
            "description": self.description,
            "keywords": list(self.keywords),
            "roles": list(self.roles),
            "certifications": list(self.certifications),
            "sources": list(self.sources),
        }


def load_specializations(path: Path | None = None) -> tuple[Specialization, ...]:
    """The eight specializations, in contract order."""
    columns = (
        "id",
        "name",
        "summary",
        "description",
        "keywords",
        "subject",
        "track_terms",
        "interests",
        "goals",
        "backgrounds",
        "industries",
        "roles",
        "certifications",
        "source",
    )

    def build(row: RowReader) -> Specialization:
        return Specialization(
            id=row.choice("id", SPECIALIZATION_IDS, required=True),
            name=row.text("name", required=True),
            summary=row.text("summary", required=True),
            description=row.text("description", required=True),
            keywords=row.items("keywords", required=True),
            subject=row.text("subject", required=True),
            track_terms=row.items("track_terms", required=True),
            interests=row.choices("interests", quiz.INTERESTS),
            goals=row.choices("goals", quiz.GOALS),
            backgrounds=row.choices("backgrounds", quiz.BACKGROUNDS),
            industries=row.choices("industries", [i for i in quiz.INDUSTRIES if i != quiz.ANY]),
            roles=row.items("roles"),
            certifications=row.items("certifications"),
            sources=row.items("source", required=True),
        )

    items = load_items(path or DATA_DIR / "specializations.csv", columns, build)
    found = {s.id for s in items}
    if found != set(SPECIALIZATION_IDS):
        missing = sorted(set(SPECIALIZATION_IDS) - found)
        raise CatalogError([RowError(0, "id", f"missing specializations: {missing}")])
    return tuple(sorted(items, key=lambda s: SPECIALIZATION_IDS.index(s.id)))
