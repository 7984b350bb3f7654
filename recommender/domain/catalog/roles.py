"""The roles catalogue: the seed's career ladder and every quiz goal, with BLS pay where it exists."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from recommender.domain import quiz
from recommender.domain.catalog.csvfile import DATA_DIR, CatalogError, RowError, RowReader, load_items
from recommender.domain.catalog.specializations import SPECIALIZATION_IDS

LEVELS: tuple[str, ...] = ("entry", "mid", "senior", "executive")
PERCENTILES: tuple[str, ...] = ("pct10_usd", "pct25_usd", "pct75_usd", "pct90_usd")
# BLS's own pages: pay is linked there, wherever the figures were read from.
BLS_HOST = "www.bls.gov"


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
    pct10_usd: int | None
    pct25_usd: int | None
    pct75_usd: int | None
    pct90_usd: int | None
    pay_year: str
    pay_source: str
    pay_url: str
    pay_copies: tuple[str, ...]
    pay_parent: str
    entry_education: str
    related_experience: str
    pay_note: str
    description: str
    sources: tuple[str, ...]

    @property
    def url(self) -> str:
        """The role's public occupation page (O*NET first, then BLS), or '' when none exists."""
        return self.onet_url or self.bls_url

    @property
    def starting_range(self) -> tuple[int, int] | None:
        """The 10th-25th percentile wages, what the pages call the usual starting range, or None."""
        return None if self.pct10_usd is None or self.pct25_usd is None else (self.pct10_usd, self.pct25_usd)

    @property
    def middle_range(self) -> tuple[int, int] | None:
        """The 25th-75th percentile wages for all experience levels, or None."""
        return None if self.pct25_usd is None or self.pct75_usd is None else (self.pct25_usd, self.pct75_usd)

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
            "pay_percentiles": None
            if self.median_pay_usd is None
            else {
                "p10": self.pct10_usd,
                "p25": self.pct25_usd,
                "p50": self.median_pay_usd,
                "p75": self.pct75_usd,
                "p90": self.pct90_usd,
            },
            "pay_url": self.pay_url or None,
            "pay_parent": self.pay_parent or None,
            "entry_education": self.entry_education or None,
            "related_experience": self.related_experience or None,
        }


ROLE_COLUMNS: tuple[str, ...] = (
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
    *PERCENTILES,
    "pay_year",
    "pay_source",
    "pay_url",
    "pay_copies",
    "pay_parent",
    "entry_education",
    "related_experience",
    "pay_note",
    "description",
    "source",
)


def load_roles(path: Path | None = None) -> tuple[Role, ...]:
    """The roles catalogue: the seed's ladder and every quiz goal."""

    def build(row: RowReader) -> Role:
        pay = row.integer("median_pay_usd", 1, 10_000_000)
        pay_source = row.text("pay_source")
        if pay is not None and not pay_source:
            row.fail("pay_source", "a median pay needs its source")
        wages = {c: row.integer(c, 1, 10_000_000) for c in PERCENTILES}
        if pay is None and any(v is not None for v in wages.values()):
            row.fail("median_pay_usd", "percentiles need the median of the same release")
        ordered = [wages["pct10_usd"], wages["pct25_usd"], pay, wages["pct75_usd"], wages["pct90_usd"]]
        known = [v for v in ordered if v is not None]
        if known != sorted(known):
            row.fail("median_pay_usd", "the 10th, 25th, 50th, 75th and 90th percentiles must rise in that order")
        pay_url = (row.urls("pay_url", https_only=True) or ("",))[0]
        if pay_url and urlsplit(pay_url).netloc != BLS_HOST:
            row.fail("pay_url", f"the official pay page must be on {BLS_HOST}")
        if pay is not None and not pay_url:
            row.fail("pay_url", "a median pay needs the official BLS page to check it on")
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
            pct10_usd=wages["pct10_usd"],
            pct25_usd=wages["pct25_usd"],
            pct75_usd=wages["pct75_usd"],
            pct90_usd=wages["pct90_usd"],
            pay_year=row.text("pay_year"),
            pay_source=pay_source,
            pay_url=pay_url,
            pay_copies=row.urls("pay_copies", https_only=True),
            pay_parent=row.text("pay_parent"),
            entry_education=row.text("entry_education"),
            related_experience=row.text("related_experience"),
            pay_note=row.text("pay_note"),
            description=row.text("description"),
            sources=row.items("source", required=True),
        )

    roles = load_items(path or DATA_DIR / "roles.csv", ROLE_COLUMNS, build)
    missing = sorted(set(quiz.GOALS) - {r.id for r in roles})
    if missing:
        raise CatalogError([RowError(0, "id", f"no role for quiz goals {missing}")])
    return tuple(roles)
