"""The /about page's figures: the active model's persona metrics and what the catalogues cover.

A presenter: every number here is counted from the loaded version and catalogues, never typed in.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from recommender.domain.catalog import Catalogs, Program, Role
from recommender.ml.ranking import Recommender


@dataclass(frozen=True)
class Coverage:
    """How many of the catalogue's programs publish one kind of fact."""

    label: str
    known: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.known / self.total) if self.total else 0


@dataclass(frozen=True)
class AboutFacts:
    """Everything /about counts: model metrics, programs' coverage and ages, pay releases and copies."""

    version_id: str
    personas: int
    top1: float
    top3: float
    program_personas: int
    precision_at_3: float
    grounded_share: float
    programs: int
    countries: int
    coverage: tuple[Coverage, ...]
    official_url: int
    tuition_years: tuple[str, str] | None
    stale_tuition: int
    verified: int
    roles: int
    roles_with_pay: int
    pay_sources: tuple[str, ...]
    pay_copies: tuple[str, ...]
    onet_level: tuple[Role, ...]


def _coverage(programs: tuple[Program, ...]) -> tuple[Coverage, ...]:
    total = len(programs)
    checks = (
        ("Whole-program tuition", lambda p: p.tuition_usd is not None),
        ("Study format (on campus, online, hybrid)", lambda p: bool(p.formats)),
        ("Pace (full-time, part-time)", lambda p: bool(p.paces)),
        ("Length in months", lambda p: p.duration_months is not None),
        ("Tracks or concentrations", lambda p: bool(p.concentrations)),
        ("Its own program page", lambda p: bool(p.url)),
    )
    return tuple(Coverage(label, sum(1 for p in programs if test(p)), total) for label, test in checks)


def about_facts(recommender: Recommender, catalogs: Catalogs) -> AboutFacts:
    """Count what the active version and the catalogues hold, for the /about page."""
    programs = recommender.programs
    metrics = recommender.meta.get("persona_metrics", {})
    program_metrics = recommender.meta.get("program_metrics", {})
    years = sorted(p.tuition_year[:4] for p in programs if p.tuition_usd is not None and p.tuition_year)
    roles = catalogs.roles
    with_pay = [r for r in roles if r.median_pay_usd is not None]
    return AboutFacts(
        version_id=recommender.version_id,
        personas=int(metrics.get("n", 0)),
        top1=float(metrics.get("top1", 0.0)),
        top3=float(metrics.get("top3", 0.0)),
        program_personas=int(program_metrics.get("n", 0)),
        precision_at_3=float(program_metrics.get("precision_at_3", 0.0)),
        grounded_share=float(program_metrics.get("grounded_share", 0.0)),
        programs=len(programs),
        countries=len(Counter(p.country for p in programs)),
        coverage=_coverage(programs),
        official_url=sum(1 for p in programs if p.url and p.source_kind(p.url) == "official"),
        tuition_years=(years[0], years[-1]) if years else None,
        stale_tuition=sum(1 for p in programs if p.tuition_stale()),
        verified=sum(1 for p in programs if p.last_verified),
        roles=len(roles),
        roles_with_pay=len(with_pay),
        pay_sources=tuple(sorted({r.pay_source for r in with_pay})),
        pay_copies=tuple(dict.fromkeys(c for r in with_pay for c in r.pay_copies)),
        onet_level=tuple(r for r in with_pay if r.pay_parent),
    )
