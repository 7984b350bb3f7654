"""Data tests for the roles catalogue's pay: every figure is BLS's, as BLS names and ranges it."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest

from recommender.domain.catalog import CatalogError, load_roles

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
ROLES = ROOT / "data" / "roles.csv"
needs_research = pytest.mark.skipif(
    not SHARED.exists(), reason="../shared/data (the researched facts) is not beside the repo"
)


def occupations() -> dict[str, dict[str, str]]:
    with (SHARED / "occupations.csv").open(encoding="utf-8", newline="") as handle:
        return {row["onet_soc_code"]: row for row in csv.DictReader(handle)}


def build_module():
    spec = importlib.util.spec_from_file_location("build_roles", ROOT / "data" / "build_roles.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@needs_research
def test_every_pay_cell_is_the_occupation_tables_own(catalogs):
    table = occupations()
    shown = [r for r in catalogs.roles if r.median_pay_usd is not None]
    assert len(shown) >= 15
    for role in shown:
        row = table[role.onet_soc_code]
        wages = (role.pct10_usd, role.pct25_usd, role.median_pay_usd, role.pct75_usd, role.pct90_usd)
        assert wages == tuple(
            int(row[c]) for c in ("pct10_usd", "pct25_usd", "median_pay_usd", "pct75_usd", "pct90_usd")
        )
        assert (role.entry_education, role.related_experience) == (row["entry_education"], row["related_experience"])
        assert role.pay_source == "BLS OEWS, May 2025"
        assert role.pay_url == f"https://www.bls.gov/oes/current/oes{row['soc_code'].replace('-', '')}.htm"
        assert role.pay_url in row["notes"] or role.pay_url in row["percentile_notes"], role.id
        # The copies named are copies of BLS's workbook the percentiles were read from.
        assert role.pay_copies and all(c in row["percentile_source"] for c in role.pay_copies)
        assert all(c.endswith("national_M2025_dl.xlsx") for c in role.pay_copies)


@needs_research
def test_onet_level_roles_say_whose_figures_they_carry(catalogs):
    table = occupations()
    for role in catalogs.roles:
        if not role.onet_soc_code:
            assert not role.pay_parent and role.median_pay_usd is None
            continue
        if role.onet_soc_code.endswith(".00"):
            assert role.pay_parent == ""
        else:
            parent = table[role.onet_soc_code.split(".")[0] + ".00"]
            assert role.pay_parent == f"{parent['soc_code']} {parent['title']}"
            assert role.median_pay_usd == int(parent["median_pay_usd"])
    parents = {r.id: r.pay_parent for r in catalogs.roles}
    assert parents["supply_chain_manager"].startswith("11-3071 ")
    assert parents["logistics_engineer"].startswith("13-1081 ")


def test_percentiles_rise_and_roles_without_an_occupation_carry_no_figure(catalogs):
    for role in catalogs.roles:
        wages = [role.pct10_usd, role.pct25_usd, role.median_pay_usd, role.pct75_usd, role.pct90_usd]
        if role.median_pay_usd is None:
            assert wages == [None] * 5 and role.pay_note, role.id
        else:
            assert wages == sorted(wages), role.id
            assert role.starting_range == (role.pct10_usd, role.pct25_usd)


@needs_research
def test_the_build_script_reproduces_roles_csv(tmp_path):
    module = build_module()
    text = ROLES.read_text(encoding="utf-8")
    assert module.build(text, (SHARED / "occupations.csv").read_text(encoding="utf-8")) == text


@needs_research
def test_the_build_script_overwrites_a_tampered_figure():
    module = build_module()
    text = ROLES.read_text(encoding="utf-8")
    tampered = text.replace("171270", "999999")
    assert tampered != text
    assert module.build(tampered, (SHARED / "occupations.csv").read_text(encoding="utf-8")) == text


def test_percentiles_out_of_order_or_off_bls_are_refused(tmp_path):
    rows = list(csv.DictReader(ROLES.read_text(encoding="utf-8").splitlines()))
    index = next(i for i, r in enumerate(rows) if r["id"] == "engineering_manager")
    bad = dict(rows[index], pct25_usd=str(int(rows[index]["median_pay_usd"]) + 1), pay_url="https://example.org/pay")
    rows[index] = bad
    path = tmp_path / "roles.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(CatalogError) as caught:
        load_roles(path)
    columns = {e.column for e in caught.value.errors}
    assert columns == {"median_pay_usd", "pay_url"}
    assert all(e.line == index + 2 for e in caught.value.errors)
