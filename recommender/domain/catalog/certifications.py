"""The certifications the seed names, and the specializations each fits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from recommender.domain.catalog.csvfile import DATA_DIR, RowReader, load_items
from recommender.domain.catalog.specializations import SPECIALIZATION_IDS


@dataclass(frozen=True, slots=True)
class Certification:
    """A certification the seed names, and the specializations it fits."""

    id: str
    name: str
    abbreviation: str
    summary: str
    specializations: tuple[str, ...]
    sources: tuple[str, ...]


def load_certifications(path: Path | None = None) -> tuple[Certification, ...]:
    """The certifications the seed names."""
    columns = ("id", "name", "abbreviation", "summary", "specializations", "source")

    def build(row: RowReader) -> Certification:
        return Certification(
            id=row.text("id", required=True),
            name=row.text("name", required=True),
            abbreviation=row.text("abbreviation"),
            summary=row.text("summary", required=True),
            specializations=row.choices("specializations", SPECIALIZATION_IDS),
            sources=row.items("source", required=True),
        )

    return tuple(load_items(path or DATA_DIR / "certifications.csv", columns, build))
