"""Refresh the occupation and pay cells of data/roles.csv from the researched occupations table.

Run from the repository root: `.venv/bin/python data/build_roles.py`. The roles themselves (ids,
titles, ladder, notes, descriptions) are written by hand; every cell that comes from BLS or O*NET
is copied here from `../shared/data/occupations.csv`, keyed by the row's `onet_soc_code`, so the
figures can never drift from the research. Rows without an occupation keep every pay cell empty.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OCCUPATIONS = REPO_ROOT / ".." / "shared" / "data" / "occupations.csv"
ROLES = REPO_ROOT / "data" / "roles.csv"

sys.path.insert(0, str(REPO_ROOT))

from recommender.domain.catalog.roles import ROLE_COLUMNS  # noqa: E402

# The roles file's columns, from the same definition the app loads it with.
COLUMNS = ROLE_COLUMNS
# How BLS names the release the figures come from (the OEWS May 2025 national estimates).
PAY_SOURCE = "BLS OEWS, May 2025"
PAY_YEAR = "2025"
# The cells this script owns; every other cell of a row is kept as written.
DERIVED = (
    "soc_code",
    "occupation_title",
    "onet_url",
    "bls_url",
    "median_pay_usd",
    "pct10_usd",
    "pct25_usd",
    "pct75_usd",
    "pct90_usd",
    "pay_year",
    "pay_source",
    "pay_url",
    "pay_copies",
    "pay_parent",
    "entry_education",
    "related_experience",
)


def oews_page(soc_code: str) -> str:
    """BLS's own OEWS page for one SOC occupation (the page each row's notes say to verify at)."""
    return f"https://www.bls.gov/oes/current/oes{soc_code.replace('-', '')}.htm"


def derived_cells(occupation: dict[str, str], parent: dict[str, str] | None) -> dict[str, str]:
    """The cells a role takes from its occupation row; O*NET-level rows name the SOC whose figures they carry."""
    soc = occupation["soc_code"]
    return {
        "soc_code": soc,
        "occupation_title": occupation["title"],
        "onet_url": occupation["onet_url"],
        "bls_url": occupation["bls_ooh_url"],
        "median_pay_usd": occupation["median_pay_usd"],
        "pct10_usd": occupation["pct10_usd"],
        "pct25_usd": occupation["pct25_usd"],
        "pct75_usd": occupation["pct75_usd"],
        "pct90_usd": occupation["pct90_usd"],
        "pay_year": PAY_YEAR,
        "pay_source": PAY_SOURCE,
        "pay_url": oews_page(soc),
        # Only copies of BLS's own workbook: the processed third-party tables are corroboration.
        "pay_copies": ";".join(u for u in occupation["percentile_source"].split(";") if "national_M2025" in u),
        "pay_parent": "" if parent is None else f"{soc} {parent['title']}",
        "entry_education": occupation["entry_education"],
        "related_experience": occupation["related_experience"],
    }


def build(roles_text: str, occupations_text: str) -> str:
    """roles.csv with its occupation cells refreshed from the occupations table (deterministic)."""
    occupations = list(csv.DictReader(io.StringIO(occupations_text)))
    by_onet = {o["onet_soc_code"]: o for o in occupations}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in csv.DictReader(io.StringIO(roles_text)):
        cells = {column: row.get(column, "") for column in COLUMNS}
        code = cells["onet_soc_code"]
        if code:
            if code not in by_onet:
                raise SystemExit(f"{cells['id']}: O*NET code {code} is not in the occupations table")
            occupation = by_onet[code]
            parent = None if code.endswith(".00") else by_onet.get(f"{occupation['soc_code']}.00")
            if not code.endswith(".00") and parent is None:
                raise SystemExit(f"{cells['id']}: no SOC-level row for {code}'s parent")
            cells.update(derived_cells(occupation, parent))
            keep = [s for s in cells["source"].split(";") if s and s.startswith(("seed", "https://www.onetonline"))]
            extra = [cells["onet_url"], cells["bls_url"], cells["pay_url"], *cells["pay_copies"].split(";")]
            cells["source"] = ";".join(dict.fromkeys([*keep, *extra]))
        else:
            for column in DERIVED:
                cells[column] = ""
        writer.writerow(cells)
    return out.getvalue()


def main(argv: list[str]) -> int:
    occupations = Path(argv[1]) if len(argv) > 1 else DEFAULT_OCCUPATIONS
    ROLES.write_text(build(ROLES.read_text(encoding="utf-8"), occupations.read_text(encoding="utf-8")), "utf-8")
    print(f"wrote {ROLES.relative_to(REPO_ROOT)} from {occupations}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
