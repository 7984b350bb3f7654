"""Reviewed tables for data/build_programs.py: facts read by hand from each research row's own words."""

from __future__ import annotations

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
    "nyu-ms-mot": "full- or part-time study",
    "ut-austin-msem": "a full-time fast-track option",
    "northwestern-mpm": "completable in one year",  # = one year, like Duke campus
    "mun-mem": "full- and part-time students",
    "ethz-msc-mtec": "Four-semester, full-time",
    "polimi-msc-me": "Two-year, full-time",
    "ntu-msc-tip": "offered full- and part-time",
    "kaist-mei": "One-year professional master's",  # = one year, like Lehigh
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
    "Construction Project Management (focus area)": ("construction_management",),
    "energy systems": ("energy_sustainability",),
    "logistics and supply chains": ("operations_supply_chain",),
    "Sustainability": ("energy_sustainability",),
    "Analytics track": ("data_analytics",),
    "Construction Management": ("construction_management",),
    "Operations Management": ("operations_supply_chain",),
    "Supply Chain management": ("operations_supply_chain",),
    "Entrepreneurship & Innovation": ("product_innovation", "entrepreneurship"),
    "Machine Learning (technical track)": ("data_analytics",),
    "Project and Production Management": ("project_management", "operations_supply_chain"),
    "Production and Logistics Management (PLM)": ("operations_supply_chain",),
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
    # Construction management degrees.
    "drexel-ms-cm": ("construction_management",),
    "nyu-ms-cm": ("construction_management",),
    "clemson-mcsm": ("construction_management",),
    "wcu-mcm": ("construction_management",),
    "asu-ms-cm": ("construction_management",),
    # Project management degrees.
    "northwestern-mpm": ("project_management",),
    "middlesex-msc-epm": ("project_management",),
    "auckland-mepm": ("project_management",),
    # Supply chain, operations and logistics degrees.
    "wichita-state-msscm": ("operations_supply_chain",),
    "tue-msc-oml": ("operations_supply_chain",),
    "polyu-msc-ils": ("operations_supply_chain",),
    # Systems engineering degrees.
    "rpi-meng-setm": ("systems_engineering",),
    "uta-msse": ("systems_engineering",),
    "smu-ms-se": ("systems_engineering",),
    # Entrepreneurship and technopreneurship degrees.
    "epfl-mte": ("entrepreneurship",),
    "chalmers-msc-ebd": ("entrepreneurship",),
    "ntu-msc-tip": ("entrepreneurship",),
    "kaist-mei": ("entrepreneurship",),
}

# The one source address each kept tuition figure comes from, by id. Where the research's
# tuition_year says "third-party" it is that third-party page; otherwise the official tuition
# page among the row's sources. Kept empty where the research does not say which source states it
# (see data/NOTES.md): the product then derives the kind from the row's sources.
TUITION_SOURCES: dict[str, str] = {
    "duke-mem-campus": "https://gradpilot.com/news/is-duke-mem-a-cash-cow",
    "duke-mem-online": "https://memp.pratt.duke.edu/online/tuition-financial-aid",
    "dartmouth-mem": "https://engineering.dartmouth.edu/academics/admissions/graduate/mem/tuition-aid",
    "northwestern-mem": "https://www.mccormick.northwestern.edu/engineering-management/overview/tuition/",
    "cornell-meng-em-online": (
        "https://www.engmanagement.cornell.edu/em/programs/meng-distance-learning/tuition-and-financial-aid"
    ),
    "jhu-msem-residential": "https://msem.engineering.jhu.edu/cost-aid/",
    "usc-ms-em": "https://gradpilot.com/news/is-usc-engineering-management-a-cash-cow",
    "gwu-ms-em-campus": "https://graduate.engineering.gwu.edu/tuition-and-fees",
    "mst-ms-em": "https://distance.mst.edu/distance-tuition/",
    "stanford-ms-mse": "https://gradadmissions.stanford.edu/admitted-students/funding-graduate-study/estimated-expense-budget",
    "columbia-ms-mse": "https://ieor.columbia.edu/admissions/tuition-and-fees",
}

# Kept tuitions whose research row does not say which of its sources states the figure. Listed so
# the build refuses a kept tuition that nobody reviewed; the reason is in data/NOTES.md.
TUITION_SOURCE_UNSTATED: dict[str, str] = {
    "ohio-u-mem-online": "a 2013 figure; the row's two sources are both third-party and neither is named",
    "gwu-ms-em-online": "computed from an undated $1,200/credit rate; the row does not say which page states it",
}
