"""Editing the catalogue in the admin: one program changed, added or retired becomes a new revision.

A revision is a whole programs file built from the active catalogue with the one change made, and
checked by `parse_programs`, the code every upload goes through. It is stored like an upload (who,
why, and the version it was made from) and trained as a candidate through the usual job, gate and
promotion. A changed fact needs the address it was checked at; that address joins the row's
sources (and becomes the tuition's source when the tuition changed).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from flask import Flask
from sqlalchemy.orm import Session

from recommender.domain.catalog import PROGRAM_COLUMNS, CatalogError, Program, parse_programs
from recommender.domain.catalog.csvfile import split_cell
from recommender.domain.catalog.revisions import (
    PROVENANCE_COLUMNS,
    CatalogDiff,
    diff_programs,
    line_of,
    program_row,
    programs_csv,
)
from recommender.orm import ModelVersion, ProgramUpload, TrainingJob
from recommender.services import jobs, versions

MAX_REASON = 500
TUITION_COLUMNS = ("tuition_usd", "tuition_year")


class EditRefused(ValueError):
    """An edit that cannot be saved: messages by form field (`_form` for the edit as a whole)."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items()))
        self.errors = errors


class UnknownProgram(LookupError):
    """A program id the active catalogue does not hold."""


class NoActiveCatalogue(LookupError):
    """No version is active yet, so there is no catalogue to edit."""


def active_catalogue(session: Session) -> tuple[ModelVersion, tuple[Program, ...]]:
    """The active version and the programs it was trained on."""
    version = versions.active_version(session)
    if version is None:
        raise NoActiveCatalogue("no version is active yet")
    return version, parse_programs(version.programs_csv, source=version.source_name).programs


def same_as_active(session: Session, programs: tuple[Program, ...]) -> bool:
    """True when `programs` are exactly the active catalogue's (an export uploaded back)."""
    try:
        _, active = active_catalogue(session)
    except NoActiveCatalogue:
        return False
    return programs == active


def diff_against_active(session: Session, raw: bytes, source: str) -> CatalogDiff | None:
    """What a stored revision changes against the active catalogue (None when either cannot be read)."""
    try:
        _, active = active_catalogue(session)
        return diff_programs(active, parse_programs(raw, source=source).programs)
    except (NoActiveCatalogue, CatalogError):
        return None


def save_program(
    session: Session,
    app: Flask,
    *,
    program_id: str | None,
    cells: dict[str, str],
    change_source: str,
    verified: bool,
    reason: str,
    actor: str,
    today: dt.date | None = None,
) -> tuple[TrainingJob, bool]:
    """Save one program (`program_id` None adds one) as a new revision and queue its training.

    Raises `EditRefused` naming each bad field; nothing is stored then.
    """
    base, programs = active_catalogue(session)
    rows = [program_row(p) for p in programs]
    ids = [p.id for p in programs]
    new_row = {c: (cells.get(c) or "").strip() for c in PROGRAM_COLUMNS}
    errors: dict[str, list[str]] = {}
    reason = _checked_reason(reason, errors)
    change_source = change_source.strip()
    if program_id is None:
        if new_row["id"] in ids:
            errors.setdefault("id", []).append(f"{new_row['id']!r} is already a program; edit that one instead")
        index, old_row = len(rows), None
        rows.append(new_row)
    else:
        if program_id not in ids:
            raise UnknownProgram(program_id)
        if new_row["id"] != program_id:
            errors.setdefault("id", []).append("a program's id cannot change; add a new program and retire this one")
            new_row["id"] = program_id
        index = ids.index(program_id)
        old_row = rows[index]
        rows[index] = new_row
    changed_facts = [c for c in PROGRAM_COLUMNS if c not in PROVENANCE_COLUMNS and new_row[c] != (old_row or {}).get(c)]
    if old_row is not None and changed_facts and not change_source:
        errors.setdefault("change_source", []).append(
            f"you changed {', '.join(changed_facts)}: give the address where you checked the new facts"
        )
    if change_source:
        listed = split_cell(new_row["source"])
        if change_source not in listed:
            new_row["source"] = ";".join((*listed, change_source))
        tuition_changed = any(c in changed_facts for c in TUITION_COLUMNS)
        if (
            tuition_changed
            and new_row["tuition_usd"]
            and new_row["tuition_source"] == (old_row or {}).get("tuition_source", "")
        ):
            new_row["tuition_source"] = change_source
    if not new_row["tuition_usd"] and old_row is not None and old_row["tuition_usd"]:
        new_row["tuition_source"] = ""  # the tuition was removed, and with it what it came from
    if verified:
        new_row["last_verified"] = (today or dt.date.today()).isoformat()
    if old_row is not None and new_row == old_row:
        errors.setdefault("_form", []).append("nothing was changed")
    raw = programs_csv(rows)
    try:
        parse_programs(raw, source="the edited catalogue")
    except CatalogError as exc:
        line = line_of(rows, index)
        for problem in exc.errors:
            field = problem.column if problem.line == line and problem.column in PROGRAM_COLUMNS else "_form"
            where = "" if field != "_form" or problem.line == line else f"{problem} "
            errors.setdefault(field, []).append(where + problem.message if where else problem.message)
    if errors:
        raise EditRefused(errors)
    target = program_id or new_row["id"]
    detail = {"fields": changed_facts, "change_source": change_source or None, "verified": verified}
    action = "catalog_add" if program_id is None else "catalog_edit"
    return _store_revision(session, app, raw, base, target=target, action=action, reason=reason, actor=actor,
                           **detail)  # fmt: skip


def retire_program(
    session: Session, app: Flask, *, program_id: str, reason: str, actor: str
) -> tuple[TrainingJob, bool]:
    """Drop a program from a new revision: gone from results once promoted, kept in every older version."""
    base, programs = active_catalogue(session)
    if program_id not in {p.id for p in programs}:
        raise UnknownProgram(program_id)
    errors: dict[str, list[str]] = {}
    reason = _checked_reason(reason, errors)
    if len(programs) <= 1:
        errors.setdefault("_form", []).append("the last program cannot be retired")
    if errors:
        raise EditRefused(errors)
    rows = [program_row(p) for p in programs if p.id != program_id]
    raw = programs_csv(rows)
    parse_programs(raw, source="the edited catalogue")  # the same check as an upload; cannot fail here
    return _store_revision(session, app, raw, base, target=program_id, action="catalog_retire", reason=reason,
                           actor=actor)  # fmt: skip


def _checked_reason(reason: str, errors: dict[str, list[str]]) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        errors.setdefault("reason", []).append("say why, for the audit log")
    elif len(reason) > MAX_REASON:
        errors.setdefault("reason", []).append(f"is {len(reason):,} characters; the limit is {MAX_REASON}")
    return reason


def _store_revision(
    session: Session, app: Flask, raw: bytes, base: ModelVersion, *, target: str, action: str, reason: str,
    actor: str, **detail: object,
) -> tuple[TrainingJob, bool]:  # fmt: skip
    """Record the revision like an upload (who, why, from which version), audit it and queue training."""
    digest = hashlib.sha256(raw).hexdigest()
    revision = ProgramUpload(
        actor=actor, source_name=f"{action.removeprefix('catalog_')}-{target}.csv"[:255], size_bytes=len(raw),
        sha256=digest, status="accepted", error_count=0, content=raw, kind="edit", reason=reason,
        base_version_id=base.id,
    )  # fmt: skip
    session.add(revision)
    session.flush()
    versions.audit(session, actor=actor, action=action, target=target, reason=reason, revision=digest,
                   upload=revision.id, base_version=base.id, **detail)  # fmt: skip
    return jobs.start(session, app, revision, actor=actor)
