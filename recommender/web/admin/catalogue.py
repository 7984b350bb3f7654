"""The catalogue editor: the active catalogue's programs, edit or add one, retire one, export it all.

Every save is a new catalogue revision trained as a candidate; nothing a student sees changes
until that candidate is promoted.
"""

from __future__ import annotations

import re

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for

from recommender.domain.catalog import PROGRAM_COLUMNS, Program
from recommender.domain.catalog.revisions import program_row
from recommender.extensions import db
from recommender.services import catalog_edits, catalog_quality, versions
from recommender.web.admin.blueprint import actor, attachment, bp
from recommender.web.admin.forms import PROGRAM_LABELS, ProgramForm, RetireForm, multi_value

PROGRAM_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
LISTED = 500
# Sections of the editor, in the order an admin reads a program's page.
SECTIONS = (
    ("The program", ("id", "university", "program", "degree", "description")),
    ("Where", ("city", "state_or_region", "country", "region", "domains")),
    ("How it is taught", ("formats", "paces", "duration_months", "credits", "stem_designated", "gre_required")),
    ("What it teaches", ("specializations", "concentrations", "core_courses")),
    ("Cost", ("tuition_usd", "tuition_year", "tuition_source")),
    ("Sources", ("url", "source", "last_verified")),
)
LIST_FIELDS = ("formats", "paces", "specializations")


def _catalogue() -> tuple[object, tuple[Program, ...]]:
    try:
        return catalog_edits.active_catalogue(db.session)
    except catalog_edits.NoActiveCatalogue:
        abort(404)


def _program_or_404(program_id: str) -> tuple[object, Program]:
    if not PROGRAM_ID.fullmatch(program_id) or len(program_id) > 120:
        abort(404)
    version, programs = _catalogue()
    found = next((p for p in programs if p.id == program_id), None)
    if found is None:
        abort(404)
    return version, found


@bp.get("/catalogue")
def catalogue():
    """The active catalogue's programs, filtered by a search, each with its editor."""
    version, programs = _catalogue()
    query = request.args.get("q", "")[:100].strip()
    shown = [p for p in programs if not query or query.lower() in f"{p.id} {p.university} {p.program}".lower()]
    return render_template(
        "admin/catalogue.html",
        version=version,
        programs=shown[:LISTED],
        total=len(programs),
        matching=len(shown),
        query=query,
        pending=[v for v in versions.list_versions(db.session) if v.status == "candidate"],
    )


@bp.get("/catalogue/quality")
def data_quality():
    """Coverage per column, the most shown programs lacking cost, format or pace, and facts to check."""
    version, programs = _catalogue()
    report, gaps = catalog_quality.quality(db.session, programs)
    return render_template(
        "admin/quality.html",
        version=version,
        report=report,
        gaps=gaps[:50],
        gap_count=len(gaps),
        days=catalog_quality.WINDOW_DAYS,
        labels=PROGRAM_LABELS,
    )


@bp.get("/catalogue.csv")
def export_catalogue():
    """The active catalogue as the programs file it was trained on; uploaded back, it changes nothing."""
    version, _ = _catalogue()
    versions.audit(db.session, actor=actor(), action="catalog_export", target=version.id)
    db.session.commit()
    return Response(
        version.programs_csv,
        mimetype="text/csv",
        headers={"Content-Disposition": attachment(f"programs-{version.id}.csv")},
    )


def _form_for(program: Program | None) -> ProgramForm:
    if request.method == "POST":
        return ProgramForm()
    form = ProgramForm(formdata=None)
    row = program_row(program) if program is not None else {}
    for column in PROGRAM_COLUMNS:
        value = row.get(column, "")
        getattr(form, column).data = (value.split(";") if value else []) if column in LIST_FIELDS else value
    return form


def _save(form: ProgramForm, program_id: str | None):
    cells = {c: multi_value(c, getattr(form, c).data) for c in PROGRAM_COLUMNS}
    try:
        job, created = catalog_edits.save_program(
            db.session,
            current_app._get_current_object(),
            program_id=program_id,
            cells=cells,
            change_source=form.change_source.data or "",
            verified=bool(form.verified.data),
            reason=form.reason.data or "",
            actor=actor(),
        )
    except catalog_edits.EditRefused as refused:
        db.session.rollback()
        for field, messages in refused.errors.items():
            target = getattr(form, field, None)
            if field != "_form" and target is not None:
                target.errors = [*target.errors, *messages]
        form.form_errors = [*form.form_errors, *refused.errors.get("_form", [])]
        return None
    if created:
        flash("Saved as a new catalogue revision; its candidate is training. Nothing changes for students "
              "until you promote it.", "success")  # fmt: skip
    else:
        flash(f"This exact catalogue was submitted before, as job #{job.id}.", "info")
    return redirect(url_for("admin.job", job_id=job.id))


def _editor(form: ProgramForm, program: Program | None, version, status: int = 200):
    return render_template(
        "admin/program_edit.html",
        form=form,
        program=program,
        version=version,
        sections=SECTIONS,
        labels=PROGRAM_LABELS,
        retire_form=RetireForm(formdata=None) if program is not None else None,
    ), status


@bp.route("/catalogue/programs/<program_id>/edit", methods=["GET", "POST"])
def edit_program(program_id: str):
    """Edit one program: every column, checked as an upload is; a changed fact needs its source."""
    version, program = _program_or_404(program_id)
    form = _form_for(program)
    if request.method == "POST":
        if form.validate_on_submit():
            done = _save(form, program_id)
            if done is not None:
                return done
        return _editor(form, program, version, 422)
    return _editor(form, program, version)


@bp.route("/catalogue/programs/new", methods=["GET", "POST"])
def add_program():
    """Add a program to the catalogue (a new revision, trained as a candidate)."""
    version, _ = _catalogue()
    form = _form_for(None)
    if request.method == "POST":
        if form.validate_on_submit():
            done = _save(form, None)
            if done is not None:
                return done
        return _editor(form, None, version, 422)
    return _editor(form, None, version)


@bp.post("/catalogue/programs/<program_id>/retire")
def retire_program(program_id: str):
    """Retire a program: dropped from a new revision, kept in every earlier version."""
    _, program = _program_or_404(program_id)
    form = RetireForm()
    if not form.validate_on_submit():
        flash("Not retired: " + "; ".join(m for ms in form.errors.values() for m in ms), "error")
        return redirect(url_for("admin.edit_program", program_id=program_id))
    try:
        job, _created = catalog_edits.retire_program(
            db.session, current_app._get_current_object(), program_id=program_id, reason=form.reason.data or "",
            actor=actor(),
        )  # fmt: skip
    except catalog_edits.EditRefused as refused:
        db.session.rollback()
        flash("Not retired: " + "; ".join(m for ms in refused.errors.values() for m in ms), "error")
        return redirect(url_for("admin.edit_program", program_id=program_id))
    flash(f"{program.university} — {program.program} is retired in a new revision; promote its candidate to "
          "take it out of results.", "success")  # fmt: skip
    return redirect(url_for("admin.job", job_id=job.id))
