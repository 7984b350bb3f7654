"""The roles catalogue: the seed's career ladder and every quiz goal, with BLS pay where it exists."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recommender.domain import quiz
from recommender.domain.catalog.csvfile import DATA_DIR, CatalogError, RowError, RowReader, load_items
from recommender.domain.catalog.specializations import SPECIALIZATION_IDS

LEVELS: tuple[str, ...] = ("entry", "mid", "senior", "executive")


@dataclass(frozen=True, slots=True)
class Role:
    """A career role on the seed's ladder, with its occupation data where one exists."""

    id: str
    title: str
    level: str
    ladder_step: int
    specializations: tuple[str, ...]
    soc_code: str
    onet_soc_code: str
    occupation_title: str
    onet_url: str
    bls_url: str
    median_pay_usd: int | None
    pay_year: str
    pay_source: str
    pay_note: str
    description: str
    sources: tuple[str, ...]

    @property
    def url(self) -> str:
        """The role's public occupation page (O*NET first, then BLS), or '' when none exists."""
        return self.onet_url or self.bls_url

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view for the API; an unknown pay is null, never a guess."""
        return {
            "id": self.id,
            "title": self.title,
            "level": self.level,
            "url": self.url or None,
            "soc_code": self.soc_code or None,
            "onet_url": self.onet_url or None,
            "bls_url": self.bls_url or None,
            "median_pay_usd": self.median_pay_usd,
            "pay_year": self.pay_year or None,
            "pay_source": self.pay_source or None,
            "pay_note": self.pay_note or None,
        }


def load_roles(path: Path | None = None) -> tuple[Role, ...]:
    """The roles catalogue: the seed's ladder and every quiz goal."""
    columns = (
        "id",
        "title",
        "level",
        "ladder_step",
        "specializations",
        "soc_code",
        "onet_soc_code",
        "occupation_title",
        "onet_url",
        "bls_url",
        "median_pay_usd",
        "pay_year",
        "pay_source",
        "pay_note",
        "description",
        "source",
    )

    def build(row: RowReader) -> Role:
        pay = row.integer("median_pay_usd", 1, 10_000_000)
        pay_source = row.text("pay_source")
        if pay is not None and not pay_source:
            row.fail("pay_source", "a median pay needs its source")
        return Role(
            id=row.text("id", required=True),
            title=row.text("title", required=True),
            level=row.choice("level", LEVELS, required=True),
            ladder_step=row.integer("ladder_step", 1, 4, required=True) or 0,
            specializations=row.choices("specializations", SPECIALIZATION_IDS),
            soc_code=row.text("soc_code"),
            onet_soc_code=row.text("onet_soc_code"),
            occupation_title=row.text("occupation_title"),
            onet_url=(row.urls("onet_url", https_only=True) or ("",))[0],
            bls_url=(row.urls("bls_url", https_only=True) or ("",))[0],
            median_pay_usd=pay,
            pay_year=row.text("pay_year"),
            pay_source=pay_source,
            pay_note=row.text("pay_note"),
            description=row.text("description"),
            sources=row.items("source", required=True),
        )

    roles = load_items(path or DATA_DIR / "roles.csv", columns, build)
    missing = sorted(set(quiz.GOALS) - {r.id for r in roles})
    if missing:
        raise CatalogError([RowError(0, "id", f"no role for quiz goals {missing}")])
    return tuple(roles)
