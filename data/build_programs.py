"""Build data/programs.csv from the researched programs table (deterministic).

Run from the repository root with the project's environment: `.venv/bin/python data/build_programs.py`.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RESEARCH = REPO_ROOT / ".." / "shared" / "data" / "programs_research.csv"
OUTPUT = REPO_ROOT / "data" / "programs.csv"
sys.path.insert(0, str(REPO_ROOT))

from recommender.domain.catalog import PROGRAM_COLUMNS, PROGRAM_REGIONS, SPECIALIZATION_IDS  # noqa: E402

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
REQUIRED = ["id", "university", "program", "country", "region", "source"]
REGIONS = set(PROGRAM_REGIONS)
SPECIALIZATION_ORDER = list(SPECIALIZATION_IDS)
FORMAT_ORDER = {"on-campus": "on_campus", "online": "online", "hybrid": "hybrid"}
TRI_STATE = {"", "yes", "no", "optional"}
SLUG = re.compile(r"^[a-z0-9-]+$")
FORMULA_START = ("=", "+", "-", "@")

# US states (and DC) -> US Census Bureau regions.
US_CENSUS_REGION = {
    "CT": "us_northeast",
    "MA": "us_northeast",
    "ME": "us_northeast",
    "NH": "us_northeast",
    "NJ": "us_northeast",
    "NY": "us_northeast",
    "PA": "us_northeast",
    "RI": "us_northeast",
    "VT": "us_northeast",
    "IL": "us_midwest",
    "IN": "us_midwest",
    "IA": "us_midwest",
    "KS": "us_midwest",
    "MI": "us_midwest",
    "MN": "us_midwest",
    "MO": "us_midwest",
    "NE": "us_midwest",
    "ND": "us_midwest",
    "OH": "us_midwest",
    "SD": "us_midwest",
    "WI": "us_midwest",
    "AL": "us_south",
    "AR": "us_south",
    "DC": "us_south",
    "DE": "us_south",
    "FL": "us_south",
    "GA": "us_south",
    "KY": "us_south",
    "LA": "us_south",
    "MD": "us_south",
    "MS": "us_south",
    "NC": "us_south",
    "OK": "us_south",
    "SC": "us_south",
    "TN": "us_south",
    "TX": "us_south",
    "VA": "us_south",
    "WV": "us_south",
    "AK": "us_west",
    "AZ": "us_west",
    "CA": "us_west",
    "CO": "us_west",
    "HI": "us_west",
    "ID": "us_west",
    "MT": "us_west",
    "NM": "us_west",
    "NV": "us_west",
    "OR": "us_west",
    "UT": "us_west",
    "WA": "us_west",
    "WY": "us_west",
}
# Non-US countries -> quiz region. "asia" stands for Asia-Pacific, so Australia and
# New Zealand map there too (documented in data/NOTES.md).
COUNTRY_REGION = {
    "Canada": "canada",
    "United Kingdom": "europe",
    "Netherlands": "europe",
    "Denmark": "europe",
    "Germany": "europe",
    "Hong Kong SAR, China": "asia",
    "Singapore": "asia",
    "Australia": "asia",
    "New Zealand": "asia",
}

Key = tuple[str, str]

# Stable, short, human-chosen ids, keyed by (university, program_name). Explicit so an id
# never changes when a research row is reworded, and so every new row gets a reviewed id.
IDS: dict[Key, str] = {
    ("Duke University", "Master of Engineering Management (Campus)"): "duke-mem-campus",
    ("Duke University", "Duke MEM Online"): "duke-mem-online",
    ("Dartmouth College (Thayer School of Engineering)", "Master of Engineering Management"): "dartmouth-mem",
    (
        "Northwestern University (McCormick School of Engineering)",
        "Master of Engineering Management",
    ): "northwestern-mem",
    ("Cornell University", "Master of Engineering in Engineering Management (On-Campus)"): "cornell-meng-em-campus",
    (
        "Cornell University",
        "Master of Engineering in Engineering Management (Online Learning)",
    ): "cornell-meng-em-online",
    (
        "Johns Hopkins University (Whiting School of Engineering)",
        "Master of Science in Engineering Management (residential)",
    ): "jhu-msem-residential",
    (
        "Johns Hopkins University (Whiting School of Engineering)",
        "MSEM Home to Hopkins (online 2+0 / partially online 1+1)",
    ): "jhu-msem-home-to-hopkins",
    (
        "Johns Hopkins University (Engineering for Professionals)",
        "Engineering Management (part-time, online)",
    ): "jhu-ep-em-online",
    ("Tufts University (Gordon Institute)", "MS in Engineering Management (MSEM)"): "tufts-msem",
    ("University of Southern California (Viterbi School of Engineering)", "MS in Engineering Management"): "usc-ms-em",
    (
        "Purdue University",
        "Master of Engineering Management (MS in Engineering, major Engineering Management)",
    ): "purdue-mem",
    ("Massachusetts Institute of Technology", "System Design and Management (SDM) master's"): "mit-sdm",
    ("Rowan University", "Master of Engineering Management (online)"): "rowan-mem-online",
    ("University of Tennessee Space Institute", "Engineering Management master's (100% distance)"): "utsi-em-online",
    (
        "Ohio University (Russ College of Engineering and Technology)",
        "Master of Engineering Management",
    ): "ohio-u-mem-online",
    (
        "Stevens Institute of Technology",
        "Master of Engineering in Engineering Management (online)",
    ): "stevens-meng-em-online",
    ("Florida Institute of Technology", "Master of Science in Engineering Management"): "fit-ms-em",
    ("George Washington University", "Online Master of Science in Engineering Management"): "gwu-ms-em-online",
    ("George Washington University", "Master of Science in Engineering Management (on-campus)"): "gwu-ms-em-campus",
    ("Old Dominion University", "Master of Engineering Management"): "odu-mem",
    (
        "University of San Diego",
        "Master of Science in Engineering Management and Leadership (online)",
    ): "usd-ms-eml-online",
    ("Santa Clara University", "MS in Engineering Management and Leadership"): "scu-ms-eml",
    ("Northeastern University", "Engineering Management, MSEM"): "northeastern-msem",
    (
        "Rice University (George R. Brown School of Engineering)",
        "Online Master of Engineering Management & Leadership (MEML)",
    ): "rice-meml-online",
    (
        "University of Colorado Boulder",
        "Master of Engineering in Engineering Management (Engineering Management Program)",
    ): "cu-boulder-me-em",
    ("University of British Columbia", "Master of Engineering Leadership (MEL)"): "ubc-mel",
    (
        "Hong Kong University of Science and Technology",
        "Master of Science in Technology Leadership and Entrepreneurship (MSc(TLE))",
    ): "hkust-msc-tle",
    ("City University of Hong Kong", "Master of Science in Engineering Management (MSEM)"): "cityu-msem",
    ("Syracuse University", "Master of Science in Engineering Management"): "syracuse-ms-em",
    ("Kettering University", "MS in Engineering Management"): "kettering-ms-em",
    ("University of Melbourne", "Master of Engineering Management (761EM)"): "melbourne-mem",
    (
        "University of Wisconsin-Madison",
        "Master of Engineering (named option: Engineering Management)",
    ): "uw-madison-meng-em",
    ("Western New England University", "Master of Science in Engineering Management"): "wne-ms-em",
    (
        "University of Tennessee, Knoxville (Tickle College of Engineering)",
        "Online master's in engineering management",
    ): "utk-ms-em-online",
    ("Delft University of Technology", "MSc Management of Technology (MOT)"): "tu-delft-msc-mot",
    (
        "University of Kansas (School of Engineering)",
        "Master of Science in Engineering Management (EMGT)",
    ): "ku-ms-emgt",
    ("University of Dayton (School of Engineering)", "MS in Engineering Management"): "dayton-ms-em",
    (
        "National University of Singapore (ISEM)",
        "Master of Science (Management of Technology and Innovation) (MOTI)",
    ): "nus-msc-moti",
    ("University of Auckland", "Master of Engineering Management (MEMgt)"): "auckland-memgt",
    (
        "Purdue University",
        "MS in Interdisciplinary Engineering (online), Engineering Management and Leadership concentration",
    ): "purdue-msie-em-online",
    ("Florida Polytechnic University", "Master of Science in Engineering Management"): "florida-poly-ms-em",
    ("San José State University", "MS Engineering Management"): "sjsu-ms-em",
    (
        "California State University, Long Beach",
        "Master of Science in Engineering Management (self-support; proposed for Fall 2016)",
    ): "csulb-ms-em",
    ("Missouri University of Science and Technology", "Master of Science in Engineering Management"): "mst-ms-em",
    ("Drexel University", "MS in Engineering Management"): "drexel-ms-em",
    (
        "The University of Texas at Dallas",
        "MS in Systems Engineering and Management (MS-SEM; traditional, professional and executive formats)",
    ): "utd-ms-sem",
    ("Georgia Institute of Technology", "Professional Master's in Applied Systems Engineering (PMASE)"): "gatech-pmase",
    ("Stanford University", "MS in Management Science and Engineering"): "stanford-ms-mse",
    (
        "Columbia University (Fu Foundation School of Engineering and Applied Science)",
        "MS in Management Science and Engineering",
    ): "columbia-ms-mse",
    ("Lehigh University", "Master of Engineering in Technical Entrepreneurship"): "lehigh-meng-te",
    (
        "The Ohio State University (College of Engineering)",
        "Master of Engineering Management (online)",
    ): "osu-mem-online",
    ("Embry-Riddle Aeronautical University (Worldwide)", "Master of Systems Engineering (MSysE)"): "erau-msyse",
    (
        "University of Waterloo (Department of Management Sciences)",
        "Master of Management Sciences (MMSc), incl. online Management of Technology",
    ): "waterloo-mmsc",
    ("Toronto Metropolitan University", "Master of Engineering Innovation and Entrepreneurship"): "tmu-meng-ie",
    ("Loughborough University", "MSc Engineering Management"): "loughborough-msc-em",
    (
        "University of Strathclyde (coordinator, with Aalborg University, Hamburg University of Technology "
        "and Swinburne University of Technology)",
        "Erasmus Mundus Joint MSc in Global Innovation Management (GIM)",
    ): "strathclyde-gim",
    ("Aalborg University", "MSc in Engineering (Global Innovation Management)"): "aalborg-msc-gim",
    (
        "Technical University of Munich (TUM School of Management)",
        "Master in Management (M.Sc., main location Munich)",
    ): "tum-msc-management",
    ("University of Utah", "Master of Engineering Management (MEM)"): "utah-mem",
    ("Eastern Michigan University", "Master of Science in Engineering Management (MEM)"): "emu-ms-em",
    (
        "Washington State University (Voiland College of Engineering and Architecture)",
        "Master of Engineering and Technology Management (METM)",
    ): "wsu-metm",
    (
        "Pennsylvania State University",
        "Engineering Design and Innovation (EDI) M.Eng./M.S. (formerly Engineering Design)",
    ): "psu-edi",
    ("Saint Martin's University", "Master of Engineering Management (MEM)"): "saint-martins-mem",
    ("Utah Valley University", "MS in Engineering and Technology Management (MS-ETM)"): "uvu-ms-etm",
}

# Programs (by id) whose own text states a full-time option, with the words that state it. Read by hand
# from each description: "on-campus", "residential" or a month count alone is NOT enough
# (e.g. Dartmouth's "Fifteen-month MEM", Cornell's "Residential ... MEng" stay without it).
FULL_TIME: dict[str, str] = {
    "duke-mem-campus": "completed in one year or extended to three semesters",
    "northwestern-mem": "offered full-time and part-time",
    "tufts-msem": "offered full-time on campus (F-1 eligible)",
    "purdue-mem": "Full-time residential ... one-year accelerated concentration",
    "odu-mem": "aimed at working professionals as well as full-time students",
    "cu-boulder-me-em": "studying part-time (full-time allowed)",
    "ubc-mel": "12 months full-time or 24 months part-time",
    "hkust-msc-tle": "1.5 years full-time or 3 years part-time",
    "florida-poly-ms-em": "a one-year accelerated schedule",
    "stanford-ms-mse": "nine months full-time",
    "columbia-ms-mse": "Full-time MS",
    "lehigh-meng-te": "Twelve-month professional master's",  # = one year
    "osu-mem-online": "taken part-time or full-time",
    "waterloo-mmsc": "taken full- or part-time on campus",
    "loughborough-msc-em": "1 year full-time or 3 years part-time",
    "tum-msc-management": "Full-time M.Sc. (four semesters",
}

# A program's own concentration names -> contract specialization ids. Only names that
# clearly name one of the eight ids; everything else (e.g. "Operations Research",
# "Technology Development and Commercialization", "Urban Systems") is left for the model
# to infer from the text columns.
CONCENTRATION_SPECIALIZATIONS: dict[str, tuple[str, ...]] = {
    "Customer Experience and Product Design": ("product_innovation",),
    "Data Analytics and Machine Learning": ("data_analytics",),
    "Operations and Supply Chain Management": ("operations_supply_chain",),
    "Product Management": ("product_innovation",),
    "Managerial Analytics": ("data_analytics",),
    "Design & Innovation": ("product_innovation",),
    "Project and Process Management": ("project_management",),
    "Systems Engineering": ("systems_engineering",),
    "energy, environment and infrastructure systems": ("energy_sustainability",),
    "Energy and Environment": ("energy_sustainability",),
    "Strategy, Innovation, and Entrepreneurship (department areas)": ("product_innovation", "entrepreneurship"),
    "Engineering Leadership and Innovation Management": ("product_innovation",),
    "Entrepreneurship (focus areas from fall 2025)": ("entrepreneurship",),
    "Sustainability (pathway)": ("energy_sustainability",),
}

# Whole degrees (by id) that ARE one specialization (a systems-engineering degree, a technical-
# entrepreneurship degree), even without a concentration list naming it.
DEGREE_SPECIALIZATIONS: dict[str, tuple[str, ...]] = {
    "mit-sdm": ("systems_engineering",),
    "utd-ms-sem": ("systems_engineering",),
    "gatech-pmase": ("systems_engineering",),
    "erau-msyse": ("systems_engineering",),
    "lehigh-meng-te": ("entrepreneurship",),
    "tmu-meng-ie": ("entrepreneurship",),
    "hkust-msc-tle": ("entrepreneurship",),
}


def split_list(cell: str) -> list[str]:
    """Split a ';'-list cell into trimmed, non-empty items."""
    return [item.strip() for item in cell.split(";") if item.strip()]


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


def build_row(row: dict[str, str]) -> dict[str, str]:
    """Turn one research row into one programs.csv row."""
    key = (row["university"].strip(), row["program_name"].strip())
    program_id = IDS.get(key, "")
    duration = duration_for(row["duration_months"])
    tuition, tuition_year = tuition_for(row)
    url = row["url"].strip()
    return {
        "id": program_id,
        "university": key[0],
        "program": key[1],
        "degree": row["degree"].strip(),
        "city": row["city"].strip(),
        "state_or_region": row["state_or_region"].strip(),
        "country": row["country"].strip(),
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
        "url": url if url.startswith("https://") else "",
        "source": ";".join(split_list(row["source"])),
        "last_verified": "",
    }


def validate(research: list[dict[str, str]], rows: list[dict[str, str]]) -> list[str]:
    """Return every problem found in the built rows and the override tables."""
    errors: list[str] = []
    keys = {(r["university"].strip(), r["program_name"].strip()) for r in research}
    errors += [f"IDS: no research row for {key}" for key in IDS if key not in keys]
    for table_name, table in (("FULL_TIME", FULL_TIME), ("DEGREE_SPECIALIZATIONS", DEGREE_SPECIALIZATIONS)):
        errors += [f"{table_name}: unknown program id '{pid}'" for pid in table if pid not in IDS.values()]
    errors += [
        f"CONCENTRATION_SPECIALIZATIONS: unknown id {ids}"
        for ids in CONCENTRATION_SPECIALIZATIONS.values()
        if not set(ids) <= set(SPECIALIZATION_ORDER)
    ]
    errors += [
        f"DEGREE_SPECIALIZATIONS: unknown id {ids}"
        for ids in DEGREE_SPECIALIZATIONS.values()
        if not set(ids) <= set(SPECIALIZATION_ORDER)
    ]
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
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
    return errors


def main(argv: list[str]) -> int:
    """Read the research CSV, build, validate and write data/programs.csv."""
    research_path = Path(argv[1]) if len(argv) > 1 else DEFAULT_RESEARCH
    try:
        with research_path.open(encoding="utf-8-sig", newline="") as handle:
            research = list(csv.DictReader(handle))
    except OSError as error:
        print(f"build_programs: cannot read {research_path}: {error}", file=sys.stderr)
        return 1
    missing = [col for col in RESEARCH_COLUMNS if research and col not in research[0]]
    if missing or not research:
        print(f"build_programs: {research_path} has no rows or lacks columns {missing}", file=sys.stderr)
        return 1
    rows = [build_row(row) for row in research]
    errors = validate(research, rows)
    if errors:
        print(f"build_programs: {len(errors)} problem(s), nothing written:", file=sys.stderr)
        for error in errors:
            print(f"  {error}", file=sys.stderr)
        return 1
    with OUTPUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"build_programs: wrote {len(rows)} programs to {OUTPUT.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
