"""Build data/programs.csv from the researched programs table (deterministic, byte-for-byte reproducible).

Run from the repository root with the project's environment: `.venv/bin/python data/build_programs.py`.
The reviewed tables it applies live beside it: program_ids.py, program_domains.py, program_facts.py,
program_links.py and program_regions.py; data/NOTES.md says how each was decided.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RESEARCH = REPO_ROOT / ".." / "shared" / "data" / "programs_research.csv"
OUTPUT = REPO_ROOT / "data" / "programs.csv"
NOTES = REPO_ROOT / "data" / "NOTES.md"
sys.path.insert(0, str(REPO_ROOT))

from data.program_domains import DOMAINS, GENERAL_KNOWLEDGE_DOMAINS  # noqa: E402
from data.program_facts import (  # noqa: E402
    CONCENTRATION_SPECIALIZATIONS,
    DEGREE_SPECIALIZATIONS,
    FULL_TIME,
    TUITION_SOURCE_UNSTATED,
    TUITION_SOURCES,
)
from data.program_ids import IDS  # noqa: E402
from data.program_links import not_a_program_page, same_address  # noqa: E402
from data.program_regions import COUNTRY_REGION, US_CENSUS_REGION  # noqa: E402
from recommender.domain.catalog import PROGRAM_COLUMNS, PROGRAM_REGIONS, SPECIALIZATION_IDS  # noqa: E402
from recommender.domain.catalog.sources import DOMAIN  # noqa: E402

# The contract's columns, from the same definition the app validates uploads with.
COLUMNS = list(PROGRAM_COLUMNS)
RESEARCH_COLUMNS = [
    "university",
    "program_name",
    "degree",
    "city",
    "state_or_region",
    "country",
    "format",
    "part_time_available",
    "duration_months",
    "credits",
    "concentrations",
    "core_courses",
    "description",
    "stem_designated",
    "gre_required",
    "tuition_total_usd",
    "tuition_year",
    "url",
    "source",
]
REQUIRED = ["id", "university", "program", "country", "domains", "region", "source"]
REGIONS = set(PROGRAM_REGIONS)
SPECIALIZATION_ORDER = list(SPECIALIZATION_IDS)
FORMAT_ORDER = {"on-campus": "on_campus", "online": "online", "hybrid": "hybrid"}
TRI_STATE = {"", "yes", "no", "optional"}
SLUG = re.compile(r"^[a-z0-9-]+$")
FORMULA_START = ("=", "+", "-", "@")


def split_list(cell: str) -> list[str]:
    """Split a ';'-list cell into trimmed, non-empty items."""
    return [item.strip() for item in cell.split(";") if item.strip()]


def host_of(url: str) -> str:
    """The lower-case host of an address, without a leading www."""
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


def region_for(country: str, state: str) -> str:
    """Map a country (and US state) to a quiz region value, or '' when unknown."""
    if country == "USA":
        return US_CENSUS_REGION.get(state.strip(), "")
    return COUNTRY_REGION.get(country, "")


def formats_for(cell: str) -> str:
    """Map research formats to contract values, in contract order."""
    found = {FORMAT_ORDER[item] for item in split_list(cell) if item in FORMAT_ORDER}
    return ";".join(value for value in FORMAT_ORDER.values() if value in found)


def duration_for(cell: str) -> str:
    """Return the low end of a duration range as an integer string ('9-15' -> '9')."""
    match = re.match(r"^\s*(\d+)", cell)
    return str(int(match.group(1))) if match else ""


def paces_for(program_id: str, row: dict[str, str], duration: str) -> str:
    """Derive paces: part_time from the flag, full_time from FULL_TIME, accelerated if full-time <= 12 months."""
    full_time = program_id in FULL_TIME
    paces = []
    if full_time and duration and int(duration) <= 12:
        paces.append("accelerated")
    if full_time:
        paces.append("full_time")
    if row["part_time_available"].strip() == "yes":
        paces.append("part_time")
    return ";".join(paces)


def tuition_for(row: dict[str, str]) -> tuple[str, str]:
    """Keep only a plain whole-program figure and its academic year (normalised, '' if undated)."""
    amount = row["tuition_total_usd"].strip()
    if not re.fullmatch(r"\d+", amount):
        return "", ""
    year = row["tuition_year"].strip()
    if match := re.match(r"^(\d{4})\s*[-/]\s*(\d{2}|\d{4})\b", year):
        return amount, f"{match.group(1)}-{match.group(2)[-2:]}"
    if match := re.match(r"^(\d{4})\b", year):
        return amount, match.group(1)
    return amount, ""


def specializations_for(program_id: str, concentrations: str) -> str:
    """Collect specialization ids from concentration names and whole-degree overrides."""
    found = set(DEGREE_SPECIALIZATIONS.get(program_id, ()))
    for name in split_list(concentrations):
        found.update(CONCENTRATION_SPECIALIZATIONS.get(name, ()))
    return ";".join(spec for spec in SPECIALIZATION_ORDER if spec in found)


def url_and_sources(row: dict[str, str], domains: tuple[str, ...]) -> tuple[str, list[str]]:
    """The program page (or '') and the source list; a url that is not the program page joins the sources."""
    url = row["url"].strip()
    sources = split_list(row["source"])
    if url and not_a_program_page(url, domains):
        if not any(same_address(url, s) for s in sources):
            sources.append(url)
        url = ""
    return url, sources


def build_row(row: dict[str, str]) -> dict[str, str]:
    """Turn one research row into one programs.csv row."""
    key = (row["university"].strip(), row["program_name"].strip())
    program_id = IDS.get(key, "")
    domains = DOMAINS.get(program_id, ())
    duration = duration_for(row["duration_months"])
    tuition, tuition_year = tuition_for(row)
    url, sources = url_and_sources(row, domains)
    return {
        "id": program_id,
        "university": key[0],
        "program": key[1],
        "degree": row["degree"].strip(),
        "city": row["city"].strip(),
        "state_or_region": row["state_or_region"].strip(),
        "country": row["country"].strip(),
        "domains": ";".join(domains),
        "region": region_for(row["country"].strip(), row["state_or_region"]),
        "formats": formats_for(row["format"]),
        "paces": paces_for(program_id, row, duration),
        "duration_months": duration,
        "credits": row["credits"].strip(),
        "tuition_usd": tuition,
        "tuition_year": tuition_year,
        "specializations": specializations_for(program_id, row["concentrations"]),
        "concentrations": ";".join(split_list(row["concentrations"])),
        "core_courses": ";".join(split_list(row["core_courses"])),
        "description": row["description"].strip(),
        "stem_designated": row["stem_designated"].strip(),
        "gre_required": row["gre_required"].strip(),
        "url": url,
        "source": ";".join(sources),
        "tuition_source": TUITION_SOURCES.get(program_id, "") if tuition else "",
        "last_verified": "",
    }


def validate_tables(research: list[dict[str, str]]) -> list[str]:
    """Problems in the reviewed tables: keys that match no research row, unknown ids, unsupported quotes."""
    errors: list[str] = []
    keys = {(r["university"].strip(), r["program_name"].strip()) for r in research}
    ids = set(IDS.values())
    errors += [f"IDS: no research row for {key}" for key in IDS if key not in keys]
    errors += [f"IDS: id '{pid}' used twice" for pid in ids if list(IDS.values()).count(pid) > 1]
    tables = {
        "DOMAINS": DOMAINS,
        "GENERAL_KNOWLEDGE_DOMAINS": GENERAL_KNOWLEDGE_DOMAINS,
        "FULL_TIME": FULL_TIME,
        "DEGREE_SPECIALIZATIONS": DEGREE_SPECIALIZATIONS,
        "TUITION_SOURCES": TUITION_SOURCES,
        "TUITION_SOURCE_UNSTATED": TUITION_SOURCE_UNSTATED,
    }
    for name, table in tables.items():
        errors += [f"{name}: unknown program id '{pid}'" for pid in table if pid not in ids]
    errors += [f"DOMAINS: no domains for '{pid}'" for pid in sorted(ids - set(DOMAINS))]
    for pid, domains in DOMAINS.items():
        errors += [f"DOMAINS[{pid}]: '{d}' is not a bare domain like duke.edu" for d in domains if not DOMAIN.match(d)]
    concentrations = {c for r in research for c in split_list(r["concentrations"])}
    errors += [
        f"CONCENTRATION_SPECIALIZATIONS: no program names '{c}'"
        for c in CONCENTRATION_SPECIALIZATIONS
        if c not in concentrations
    ]
    for ids_ in (*CONCENTRATION_SPECIALIZATIONS.values(), *DEGREE_SPECIALIZATIONS.values()):
        if not set(ids_) <= set(SPECIALIZATION_ORDER):
            errors.append(f"specialization tables: unknown id in {ids_}")
    return errors


def validate_row_against_research(row: dict[str, str], research_row: dict[str, str], notes: str) -> list[str]:
    """Problems that need the research row: domains not backed by an address or NOTES, unquoted full-time."""
    errors: list[str] = []
    pid = row["id"]
    where = f"{pid}"
    addresses = [research_row["url"].strip(), *split_list(research_row["source"])]
    hosts = {host_of(a) for a in addresses if a}
    for domain in DOMAINS.get(pid, ()):
        on_an_address = any(h == domain or h.endswith("." + domain) for h in hosts)
        general = domain in GENERAL_KNOWLEDGE_DOMAINS.get(pid, ())
        if on_an_address and general:
            errors.append(f"{where}: '{domain}' is on a row address; drop it from GENERAL_KNOWLEDGE_DOMAINS")
        elif not on_an_address and not general:
            errors.append(f"{where}: '{domain}' is on no url or source of the row and not marked general knowledge")
        elif general and not re.search(rf"`{re.escape(pid)}`.*`{re.escape(domain)}`", notes):
            errors.append(f"{where}: '{domain}' is general knowledge but data/NOTES.md does not record it")
    if pid in FULL_TIME:
        text = " ".join(research_row[c] for c in ("program_name", "description", "duration_months", "credits"))
        for fragment in FULL_TIME[pid].split("..."):
            if fragment.strip().lower() not in text.lower():
                errors.append(f"{where}: FULL_TIME quote '{fragment.strip()}' is not in the row's own words")
    if row["tuition_usd"] and not row["tuition_source"] and pid not in TUITION_SOURCE_UNSTATED:
        errors.append(f"{where}: a kept tuition needs TUITION_SOURCES or TUITION_SOURCE_UNSTATED")
    if row["tuition_source"] and row["tuition_source"] not in split_list(row["source"]):
        errors.append(f"{where}: tuition_source is not one of the row's sources")
    if pid in TUITION_SOURCES and not row["tuition_usd"]:
        errors.append(f"{where}: TUITION_SOURCES names a source for a tuition that is not kept")
    return errors


def validate(research: list[dict[str, str]], rows: list[dict[str, str]], notes: str = "") -> list[str]:
    """Return every problem found in the built rows and the reviewed tables."""
    errors = validate_tables(research)
    seen: set[str] = set()
    for number, (row, research_row) in enumerate(zip(rows, research, strict=True), start=2):
        where = f"row {number} ({row['university']} / {row['program']})"
        errors += [f"{where}: empty required column '{col}'" for col in REQUIRED if not row[col]]
        if row["id"] and not SLUG.match(row["id"]):
            errors.append(f"{where}: id '{row['id']}' is not a [a-z0-9-]+ slug")
        if row["id"] and row["id"] in seen:
            errors.append(f"{where}: duplicate id '{row['id']}'")
        seen.add(row["id"])
        if row["region"] and row["region"] not in REGIONS:
            errors.append(f"{where}: bad region '{row['region']}'")
        for col in ("stem_designated", "gre_required"):
            if row[col] not in TRI_STATE:
                errors.append(f"{where}: {col} '{row[col]}' is not yes/no/optional/empty")
        formula_cells = [col for col, value in row.items() if value.startswith(FORMULA_START)]
        errors += [f"{where}: '{col}' starts with a formula character" for col in formula_cells]
        if row["id"]:
            errors += validate_row_against_research(row, research_row, notes)
    return errors


def main(argv: list[str]) -> int:
    """Read the research CSV, build, validate and write data/programs.csv (or --output)."""
    parser = argparse.ArgumentParser(prog="build_programs", description=__doc__.splitlines()[0])
    parser.add_argument("research", nargs="?", type=Path, default=DEFAULT_RESEARCH)
    parser.add_argument("--output", type=Path, default=OUTPUT, help="where to write (default data/programs.csv)")
    args = parser.parse_args(argv[1:])
    research_path, output = args.research, args.output
    try:
        with research_path.open(encoding="utf-8-sig", newline="") as handle:
            research = list(csv.DictReader(handle))
        notes = NOTES.read_text(encoding="utf-8")
    except OSError as error:
        print(f"build_programs: cannot read {error.filename}: {error.strerror}", file=sys.stderr)
        return 1
    missing = [col for col in RESEARCH_COLUMNS if research and col not in research[0]]
    if missing or not research:
        print(f"build_programs: {research_path} has no rows or lacks columns {missing}", file=sys.stderr)
        return 1
    rows = [build_row(row) for row in research]
    errors = validate(research, rows, notes)
    if errors:
        print(f"build_programs: {len(errors)} problem(s), nothing written:", file=sys.stderr)
        for error in errors:
            print(f"  {error}", file=sys.stderr)
        return 1
    with output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"build_programs: wrote {len(rows)} programs to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
