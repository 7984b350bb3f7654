"""The quiz contract v1: stable answer keys, their labels, and validation of raw answers."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

INTERESTS: dict[str, str] = {
    "leading_projects": "Leading projects",
    "improving_operations": "Improving operations",
    "designing_systems": "Designing systems",
    "building_products": "Building products",
    "analyzing_data": "Analyzing data",
    "starting_ventures": "Starting ventures",
    "sustainability": "Sustainability",
    "building_infrastructure": "Building infrastructure",
}
BACKGROUNDS: dict[str, str] = {
    "mechanical": "Mechanical engineering",
    "electrical": "Electrical engineering",
    "civil": "Civil engineering",
    "industrial": "Industrial engineering",
    "software": "Software engineering",
    "chemical": "Chemical engineering",
    "other_engineering": "Another engineering field",
    "non_engineering": "Not engineering",
}
GOALS: dict[str, str] = {
    "project_manager": "Project manager",
    "program_manager": "Program manager",
    "engineering_manager": "Engineering manager",
    "engineering_director": "Engineering director",
    "technology_executive": "Technology executive (VP, CTO)",
    "operations_manager": "Operations manager",
    "supply_chain_manager": "Supply chain manager",
    "systems_engineer": "Systems engineer",
    "product_manager": "Product manager",
    "rd_manager": "R&D manager",
    "consultant": "Consultant",
    "founder": "Founder",
    "construction_manager": "Construction manager",
    "data_science_manager": "Data science manager",
}
INDUSTRIES: dict[str, str] = {
    "software": "Software",
    "manufacturing": "Manufacturing",
    "aerospace_defense": "Aerospace & defense",
    "construction": "Construction",
    "healthcare_pharma": "Healthcare & pharma",
    "automotive": "Automotive",
    "energy": "Energy",
    "consulting": "Consulting",
    "any": "Any industry",
}
FORMATS: dict[str, str] = {
    "on_campus": "On campus",
    "online": "Online",
    "hybrid": "Hybrid",
    "any": "Any format",
}
PACES: dict[str, str] = {
    "accelerated": "Accelerated (12 months or less, full-time)",
    "full_time": "Full-time",
    "part_time": "Part-time",
    "any": "Any pace",
}
REGIONS: dict[str, str] = {
    "us_northeast": "US Northeast",
    "us_midwest": "US Midwest",
    "us_south": "US South",
    "us_west": "US West",
    "canada": "Canada",
    "europe": "Europe",
    "asia": "Asia-Pacific",
    "any": "Anywhere",
}

CHOICE_FIELDS: dict[str, dict[str, str]] = {
    "background": BACKGROUNDS,
    "goal": GOALS,
    "industry": INDUSTRIES,
    "format": FORMATS,
    "pace": PACES,
    "region": REGIONS,
}
FIELDS: tuple[str, ...] = (
    "interests",
    "background",
    "experience_years",
    "goal",
    "industry",
    "format",
    "pace",
    "max_budget_usd",
    "region",
)
MAX_INTERESTS = 3
EXPERIENCE_RANGE = (0, 50)
BUDGET_RANGE = (0, 500_000)
ANY = "any"


@dataclass(frozen=True, slots=True)
class Answers:
    """One validated set of quiz answers; interests are kept in a canonical order."""

    interests: tuple[str, ...]
    background: str
    experience_years: int
    goal: str
    industry: str
    format: str
    pace: str
    max_budget_usd: int | None
    region: str

    def to_dict(self) -> dict[str, Any]:
        """The answers as a JSON-ready mapping with contract keys."""
        # Built by hand: dataclasses.asdict deep-copies and is slow on the request path.
        return {
            "interests": list(self.interests),
            "background": self.background,
            "experience_years": self.experience_years,
            "goal": self.goal,
            "industry": self.industry,
            "format": self.format,
            "pace": self.pace,
            "max_budget_usd": self.max_budget_usd,
            "region": self.region,
        }

    def canonical_json(self) -> str:
        """A stable serialisation: equal answers always give equal text."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))

    def label(self, field: str, value: str | None = None) -> str:
        """The plain-language label of one of this person's answers."""
        if field == "interests":
            return INTERESTS[value or ""]
        return CHOICE_FIELDS[field][value if value is not None else getattr(self, field)]


class AnswersError(ValueError):
    """Raised with every bad field and why, keyed by contract field name."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items()))
        self.errors = errors


def _is_int(value: Any) -> bool:
    # JSON booleans are ints in Python; an answer of `true` is not a number of years.
    return isinstance(value, int) and not isinstance(value, bool)


def _int_in_range(value: Any, low: int, high: int, errors: list[str]) -> int | None:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not _is_int(value):
        errors.append("Must be a whole number.")
        return None
    if not low <= value <= high:
        errors.append(f"Must be between {low:,} and {high:,}.")
        return None
    return value


def _choice(value: Any, allowed: Mapping[str, str], errors: list[str]) -> str | None:
    if not isinstance(value, str):
        errors.append("Must be a string.")
        return None
    if value not in allowed:
        errors.append(f"Unknown value {value[:40]!r}; allowed: {', '.join(allowed)}.")
        return None
    return value


def parse_answers(data: Any) -> Answers:
    """Validate a raw mapping of answers (JSON body or form) into `Answers`.

    Raises `AnswersError` naming each bad field, so callers can answer 400 without guessing.
    """
    if not isinstance(data, Mapping):
        raise AnswersError({"_body": ["Expected a JSON object of quiz answers."]})
    errors: dict[str, list[str]] = {}
    unknown = sorted(str(k)[:40] for k in data if k not in FIELDS)
    for key in unknown:
        errors.setdefault(key, []).append("Unknown field.")
    values: dict[str, Any] = {}
    for field in FIELDS:
        field_errors: list[str] = []
        if field not in data:
            # A budget of "no limit" must still be said explicitly in the API, as null.
            field_errors.append("This field is required.")
        else:
            raw = data[field]
            if field == "interests":
                values[field] = _interests(raw, field_errors)
            elif field == "experience_years":
                values[field] = _int_in_range(raw, *EXPERIENCE_RANGE, field_errors)
            elif field == "max_budget_usd":
                values[field] = None if raw is None else _int_in_range(raw, *BUDGET_RANGE, field_errors)
            else:
                values[field] = _choice(raw, CHOICE_FIELDS[field], field_errors)
        if field_errors:
            errors[field] = field_errors
    if errors:
        raise AnswersError(errors)
    return Answers(**values)


def _interests(raw: Any, errors: list[str]) -> tuple[str, ...]:
    if not isinstance(raw, list):
        errors.append("Must be a list of 1 to 3 interests.")
        return ()
    if not 1 <= len(raw) <= MAX_INTERESTS:
        errors.append(f"Choose 1 to {MAX_INTERESTS} interests (got {len(raw)}).")
        return ()
    chosen: list[str] = []
    for item in raw:
        value = _choice(item, INTERESTS, errors)
        if value is not None:
            chosen.append(value)
    if len(set(chosen)) != len(chosen):
        errors.append("Each interest may be chosen once.")
    # Order of interests carries no meaning; a canonical order makes results reproducible.
    order = list(INTERESTS)
    return tuple(sorted(set(chosen), key=order.index))


def experience_stage(years: int) -> str:
    """Where `years` of experience sits on the seed's ladder: entry, mid, senior or executive."""
    # The seed: entry roles first, mid-level after five to eight years, then management.
    if years < 5:
        return "entry"
    if years < 9:
        return "mid"
    if years < 16:
        return "senior"
    return "executive"


# A compact, versioned encoding of answers for permanent links: one byte per choice, a bitmask of
# interests, experience, and the budget (0xFFFFFFFF for no limit). Decoding re-validates everything.
_CODE_VERSION = 1
_NO_LIMIT = 0xFFFFFFFF
_CODE_FIELDS = ("background", "goal", "industry", "format", "pace", "region")


def encode_answers(answers: Answers) -> str:
    """A short URL-safe code from which `decode_answers` rebuilds exactly these answers."""
    interests = sum(1 << list(INTERESTS).index(i) for i in answers.interests)
    choices = [list(CHOICE_FIELDS[f]).index(getattr(answers, f)) for f in _CODE_FIELDS]
    budget = _NO_LIMIT if answers.max_budget_usd is None else answers.max_budget_usd
    raw = bytes([_CODE_VERSION, interests, *choices, answers.experience_years]) + budget.to_bytes(4, "big")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_answers(code: str) -> Answers:
    """The answers behind a code from `encode_answers`; raises `AnswersError` for anything else."""
    bad = AnswersError({"_token": ["This link is not a valid MEM Match result link."]})
    if not 10 <= len(code) <= 40 or not code.replace("-", "a").replace("_", "a").isalnum():
        raise bad
    try:
        raw = base64.urlsafe_b64decode(code + "=" * (-len(code) % 4))
    except (ValueError, binascii.Error):
        raise bad from None
    if len(raw) != 13 or raw[0] != _CODE_VERSION:
        raise bad
    interests = [name for bit, name in enumerate(INTERESTS) if raw[1] & (1 << bit)]
    data: dict[str, Any] = {"interests": interests, "experience_years": raw[8]}
    for field, index in zip(_CODE_FIELDS, raw[2:8], strict=True):
        options = list(CHOICE_FIELDS[field])
        if index >= len(options):
            raise bad
        data[field] = options[index]
    budget = int.from_bytes(raw[9:13], "big")
    data["max_budget_usd"] = None if budget == _NO_LIMIT else budget
    try:
        return parse_answers(data)
    except AnswersError:
        raise bad from None
