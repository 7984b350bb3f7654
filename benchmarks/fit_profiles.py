"""Fit-group counts and the coverage note for a few typical profiles, on the bundled catalogue.

.venv/bin/python benchmarks/fit_profiles.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from recommender.domain import quiz
from recommender.domain.catalog import load_catalogs, load_programs
from recommender.ml.pipeline import train

PROFILES = {
    "civil engineer, construction, online, <= $50,000": dict(
        interests=["building_infrastructure", "leading_projects"],
        background="civil",
        goal="construction_manager",
        industry="construction",
        format="online",
        max_budget_usd=50_000,
    ),
    "industrial engineer, supply chains, part-time, US Midwest": dict(
        interests=["improving_operations", "analyzing_data"],
        background="industrial",
        goal="supply_chain_manager",
        industry="manufacturing",
        pace="part_time",
        region="us_midwest",
    ),
    "software engineer, product, no limits": dict(
        interests=["building_products"], background="software", goal="product_manager", industry="software"
    ),
    "electrical engineer, systems, on campus, Europe": dict(
        interests=["designing_systems"],
        background="electrical",
        goal="systems_engineer",
        industry="aerospace_defense",
        format="on_campus",
        region="europe",
    ),
    "chemical engineer, sustainability, accelerated, <= $80,000": dict(
        interests=["sustainability", "improving_operations"],
        background="chemical",
        goal="operations_manager",
        industry="energy",
        pace="accelerated",
        max_budget_usd=80_000,
    ),
}
DEFAULTS = dict(experience_years=4, industry="any", format="any", pace="any", max_budget_usd=None, region="any")


def main() -> None:
    """Train on the bundled catalogue and print each profile's groups, best match and top three."""
    version = train(load_programs(), load_catalogs())
    for label, answers in PROFILES.items():
        rec = version.recommender.recommend(quiz.parse_answers({**DEFAULTS, **answers}), limit=50)
        counts = rec.fit_counts
        print(f"{label}")
        print(f"  best: {rec.specializations[0].specialization.name} ({rec.specializations[0].band})")
        print(f"  {counts['meets']} fit · {counts['unknown']} might fit · {counts['misses']} outside")
        print(f"  {rec.coverage_notes[0]}")
        top = [f"{m.program.id} ({m.fit}, {m.band})" for m in rec.programs[:3]]
        print(f"  top three: {', '.join(top)}")


if __name__ == "__main__":
    main()
