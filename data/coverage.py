"""Print the programs catalogue's coverage per column and its source kinds, as Markdown tables.

Run from the repository root: `.venv/bin/python data/coverage.py [data/programs.csv]`.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from recommender.domain.catalog import PROGRAM_COLUMNS, load_programs  # noqa: E402
from recommender.domain.catalog.csvfile import read_rows  # noqa: E402
from recommender.domain.catalog.programs import PROGRAM_REQUIRED  # noqa: E402


def coverage_lines(path: Path, today: dt.date | None = None) -> list[str]:
    """The coverage report for one programs file, one Markdown line per item."""
    raw = path.read_bytes()
    rows = [cells for _, cells in read_rows(raw, columns=PROGRAM_COLUMNS, required_columns=PROGRAM_REQUIRED)]
    programs = load_programs(path).programs
    total = len(programs)
    lines = [f"{total} programs", "", "| column | filled | share |", "|---|---:|---:|"]
    for column in PROGRAM_COLUMNS:
        filled = sum(1 for cells in rows if cells.get(column, "").strip())
        lines.append(f"| {column} | {filled} | {filled / total:.0%} |")
    kinds = Counter(s["kind"] for p in programs for s in p.source_list())
    any_official = sum(any(s["kind"] == "official" for s in p.source_list()) for p in programs)
    # Named: the row's tuition_source says which page; unnamed: the kind is derived from its sources.
    tuition_kinds = Counter(
        (p.tuition_source_kind, bool(p.tuition_source)) for p in programs if p.tuition_usd is not None
    )
    dated = sum(p.newest_fact_age(today) is not None for p in programs)
    stale = sum(p.tuition_stale(today) for p in programs)
    lines += [
        "",
        "| sources | count |",
        "|---|---:|",
        f"| source addresses | {sum(kinds.values())} |",
        f"| official (on the program's domains) | {kinds['official']} |",
        f"| third-party | {kinds['third-party']} |",
        f"| programs with at least one official source | {any_official} |",
        f"| programs whose sources are all third-party | {total - any_official} |",
        f"| tuitions from a named official page | {tuition_kinds['official', True]} |",
        f"| tuitions from a named third-party page | {tuition_kinds['third-party', True]} |",
        f"| tuitions with no named page (kind from the row's sources: official / third-party) "
        f"| {tuition_kinds['official', False]} / {tuition_kinds['third-party', False]} |",
        f"| programs with a dated fact | {dated} |",
        f"| tuitions more than three academic years old | {stale} |",
    ]
    return lines


def main(argv: list[str]) -> int:
    """Print the report for the bundled catalogue, or for the file named on the command line."""
    path = Path(argv[1]) if len(argv) > 1 else REPO_ROOT / "data" / "programs.csv"
    print("\n".join(coverage_lines(path)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
