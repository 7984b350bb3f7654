"""Catalogues: programs (the uploadable file), specializations, roles, certifications, personas.

One module per catalogue; this package gathers them and cross-checks the static ones.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from recommender.domain.catalog.certifications import Certification, load_certifications
from recommender.domain.catalog.csvfile import (
    DATA_DIR,
    FORMULA_START,
    MAX_CELL_CHARS,
    YES_NO,
    CatalogError,
    RowError,
    read_rows,
)
from recommender.domain.catalog.personas import Persona, ProgramPersona, load_personas, load_program_personas
from recommender.domain.catalog.programs import (
    ACCELERATED_MAX_MONTHS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    PROGRAM_COLUMNS,
    PROGRAM_FORMATS,
    PROGRAM_PACES,
    PROGRAM_REGIONS,
    PROGRAM_REQUIRED,
    Program,
    ProgramsFile,
    load_programs,
    parse_programs,
)
from recommender.domain.catalog.roles import LEVELS, Role, load_roles
from recommender.domain.catalog.specializations import SPECIALIZATION_IDS, Specialization, load_specializations

__all__ = [
    "ACCELERATED_MAX_MONTHS",
    "DATA_DIR",
    "FORMULA_START",
    "LEVELS",
    "MAX_CELL_CHARS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "PROGRAM_COLUMNS",
    "PROGRAM_FORMATS",
    "PROGRAM_PACES",
    "PROGRAM_REGIONS",
    "PROGRAM_REQUIRED",
    "SPECIALIZATION_IDS",
    "YES_NO",
    "CatalogError",
    "Catalogs",
    "Certification",
    "Persona",
    "Program",
    "ProgramPersona",
    "ProgramsFile",
    "Role",
    "RowError",
    "Specialization",
    "load_catalogs",
    "load_certifications",
    "load_personas",
    "load_program_personas",
    "load_programs",
    "load_roles",
    "load_specializations",
    "parse_programs",
    "read_rows",
]


@dataclass(frozen=True, slots=True)
class Catalogs:
    """The static catalogues that every model version shares."""

    specializations: tuple[Specialization, ...]
    roles: tuple[Role, ...]
    certifications: tuple[Certification, ...]
    personas: tuple[Persona, ...]
    program_personas: tuple[ProgramPersona, ...] = ()

    @property
    def roles_by_id(self) -> dict[str, Role]:
        return {r.id: r for r in self.roles}

    @property
    def specializations_by_id(self) -> dict[str, Specialization]:
        return {s.id: s for s in self.specializations}

    def sha256(self) -> str:
        """A digest of the static catalogue files, recorded with each trained version."""
        digest = hashlib.sha256()
        for name in STATIC_FILES:
            digest.update((DATA_DIR / name).read_bytes())
        return digest.hexdigest()


STATIC_FILES = ("specializations.csv", "roles.csv", "certifications.csv", "personas.csv", "program_personas.csv")


def load_catalogs() -> Catalogs:
    """Load and cross-check the bundled static catalogues."""
    specs = load_specializations()
    roles = load_roles()
    certs = load_certifications()
    personas = load_personas()
    role_ids = {r.id for r in roles}
    cert_ids = {c.id for c in certs}
    errors = [
        RowError(0, "roles", f"specialization {s.id!r} names unknown role {r!r}")
        for s in specs
        for r in s.roles
        if r not in role_ids
    ] + [
        RowError(0, "certifications", f"specialization {s.id!r} names unknown certification {c!r}")
        for s in specs
        for c in s.certifications
        if c not in cert_ids
    ]
    if errors:
        raise CatalogError(errors, "specializations.csv")
    return Catalogs(specs, roles, certs, personas, load_program_personas())
