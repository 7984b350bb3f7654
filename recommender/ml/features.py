"""The feature space shared by quiz answers, specializations and programs.

Two blocks, each L2-normalised and then weighted:
- text: TF-IDF over the catalogues' own words, reduced by truncated SVD (latent semantic analysis)
  so that a request is one dense product whatever the vocabulary size;
- answers: one column per quiz answer value (`interests:…`, `goal:…`, `background:…`,
  `industry:…`). A specialization sets the columns of the answers an adviser links to it; a
  program inherits the columns of the specializations it teaches, weighted by its profile.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from recommender.domain import quiz

# Bit masks of the formats and paces a program offers, for vectorised constraint checks.
FORMAT_BITS: dict[str, int] = {"on_campus": 1, "online": 2, "hybrid": 4}
PACE_BITS: dict[str, int] = {"accelerated": 1, "full_time": 2, "part_time": 4}

# Which quiz fields carry meaning for the match; format, pace, budget and region are hard
# constraints on programs, and experience places roles on the ladder instead.
MATCH_FIELDS: tuple[str, ...] = ("interests", "goal", "background", "industry")


def answer_keys() -> tuple[str, ...]:
    """Every `field:value` the answer block has a column for, in a fixed order."""
    keys = [f"interests:{v}" for v in quiz.INTERESTS]
    keys += [f"goal:{v}" for v in quiz.GOALS]
    keys += [f"background:{v}" for v in quiz.BACKGROUNDS]
    keys += [f"industry:{v}" for v in quiz.INDUSTRIES if v != quiz.ANY]
    return tuple(keys)


# Words each answer brings to the text block: the seed's own vocabulary for that interest, role,
# field or sector, so that a program's courses and description can match them.
ANSWER_TEXT: dict[str, str] = {
    "interests:leading_projects": "project management planning scheduling budgeting risk "
    "management resource allocation leading teams leadership agile",
    "interests:improving_operations": "operations management process improvement production "
    "processes lean six sigma quality efficiency optimization",
    "interests:designing_systems": "systems engineering systems design integration hardware "
    "software reliability engineering architecture complex systems",
    "interests:building_products": "product management product development product design "
    "innovation product lifecycle design thinking market",
    "interests:analyzing_data": "data analytics data science machine learning statistics "
    "analytics decision analysis quantitative methods",
    "interests:starting_ventures": "entrepreneurship startup new ventures commercialization "
    "business strategy innovation technology ventures",
    "interests:sustainability": "sustainability energy environment renewable energy environmental systems sustainable",
    "interests:building_infrastructure": "construction management infrastructure civil "
    "engineering urban systems buildings transportation systems",
    "goal:project_manager": "project manager project management",
    "goal:program_manager": "program manager program management project management",
    "goal:engineering_manager": "engineering manager leadership managing engineering teams",
    "goal:engineering_director": "engineering director strategic planning leadership strategy",
    "goal:technology_executive": "technology executive chief technology officer strategy leadership finance",
    "goal:operations_manager": "operations manager operations management",
    "goal:supply_chain_manager": "supply chain management logistics supply chain",
    "goal:systems_engineer": "systems engineer systems engineering",
    "goal:product_manager": "product manager product management",
    "goal:rd_manager": "research and development r&d management innovation technology",
    "goal:consultant": "consulting technology consulting management consulting",
    "goal:founder": "founder entrepreneurship startup venture",
    "goal:construction_manager": "construction manager construction management",
    "goal:data_science_manager": "data science analytics machine learning",
    "background:mechanical": "mechanical engineering manufacturing",
    "background:electrical": "electrical engineering hardware electronics",
    "background:civil": "civil engineering construction infrastructure",
    "background:industrial": "industrial engineering operations manufacturing",
    "background:software": "software engineering software",
    "background:chemical": "chemical engineering process",
    "background:other_engineering": "engineering",
    "background:non_engineering": "management business",
    "industry:software": "software technology",
    "industry:manufacturing": "manufacturing production",
    "industry:aerospace_defense": "aerospace defense space systems",
    "industry:construction": "construction buildings infrastructure",
    "industry:healthcare_pharma": "healthcare pharmaceutical medical",
    "industry:automotive": "automotive vehicles manufacturing",
    "industry:energy": "energy power",
    "industry:consulting": "consulting",
}


@dataclass(frozen=True, slots=True)
class Params:
    """Training parameters; recorded with every version so a result can be reproduced."""

    # How much each answer counts in the query; interests are what the student says they enjoy,
    # the goal is where they want to go, background and industry only tilt the balance.
    weight_interest: float = 1.0
    weight_goal: float = 1.3
    weight_background: float = 0.35
    weight_industry: float = 0.35
    # A quiz value linked to k specializations says less about each: its links weigh 1 / k**this.
    link_damping: float = 1.0
    # Block weights (text, answers) for each kind of row; each pair is scaled to unit length.
    query_blocks: tuple[float, float] = (0.5, 1.0)
    specialization_blocks: tuple[float, float] = (0.3, 1.0)
    program_blocks: tuple[float, float] = (0.8, 1.0)
    # A program teaching no named specialization is profiled by its text; a specialization counts
    # when its similarity is at least this share of the program's best match.
    profile_keep_ratio: float = 0.6
    max_text_components: int = 256
    max_features: int = 20_000
    random_state: int = 0

    def field_weight(self, field: str) -> float:
        """The query weight of one answer field."""
        return {
            "interests": self.weight_interest,
            "goal": self.weight_goal,
            "background": self.weight_background,
            "industry": self.weight_industry,
        }[field]

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready copy for the artifact's metadata."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Params:
        """Rebuild parameters from metadata, tuples included."""
        values = dict(data)
        for key in ("query_blocks", "specialization_blocks", "program_blocks"):
            if key in values:
                values[key] = tuple(values[key])  # type: ignore[arg-type]
        return cls(**values)  # type: ignore[arg-type]


def unit_pair(pair: tuple[float, float]) -> tuple[float, float]:
    """Scale a pair of block weights to unit length, so a row of unit blocks stays unit."""
    norm = (pair[0] ** 2 + pair[1] ** 2) ** 0.5
    return pair[0] / norm, pair[1] / norm


def query_answer_keys(answers: quiz.Answers) -> list[tuple[str, str]]:
    """The (field, `field:value` key) pairs one set of answers switches on."""
    pairs = [("interests", f"interests:{v}") for v in answers.interests]
    pairs.append(("goal", f"goal:{answers.goal}"))
    pairs.append(("background", f"background:{answers.background}"))
    if answers.industry != quiz.ANY:
        pairs.append(("industry", f"industry:{answers.industry}"))
    return pairs
