"""Uploading a programs file, a refused upload's report, and the training jobs uploads start."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for

from recommender.extensions import db
from recommender.orm import ProgramUpload
from recommender.services import catalog_edits, catalog_import, dashboard, job_queue, jobs, versions
from recommender.web import errors
from recommender.web.admin.blueprint import ID, actor, attachment, bp, current_admin
from recommender.web.admin.forms import UploadForm

ERRORS_SHOWN = 50


@bp.route("/upload", methods=["GET", "POST"])
def upload():
    """Upload a programs file: refused whole with every problem named, or trained in the background."""
    form = UploadForm()
    if form.validate_on_submit():
        storage = form.file.data
        raw = storage.read()
        try:
            accepted, programs_file = catalog_import.receive(
                db.session, raw, source_name=storage.filename or "upload.csv", actor=actor(),
                reason=" ".join((form.reason.data or "").split()),
            )  # fmt: skip
        except catalog_import.ImportRefused as refused:
            return render_template(
                "admin/upload.html",
                form=UploadForm(formdata=None),
                refused=refused,
                shown=refused.errors[:ERRORS_SHOWN],
                recent=jobs.recent(db.session),
            ), 422
        if catalog_edits.same_as_active(db.session, programs_file.programs):
            versions.audit(db.session, actor=actor(), action="upload_unchanged", target=accepted.source_name,
                           upload=accepted.id, reason="the same programs as the active catalogue")  # fmt: skip
            db.session.commit()
            flash("No changes: this file holds exactly the programs of the active catalogue, so nothing was trained.",
                  "info")  # fmt: skip
            return redirect(url_for("admin.upload"))
        job, created = jobs.start(db.session, current_app._get_current_object(), accepted, actor=actor())
        if not created:
            flash(f"This exact catalogue was submitted before, as job #{job.id}; it is not trained twice.", "info")
        return redirect(url_for("admin.job", job_id=job.id))
    status = 400 if form.errors else 200
    return render_template("admin/upload.html", form=form, refused=None, recent=jobs.recent(db.session)), status


@bp.errorhandler(413)
def upload_too_large(error):
    """An upload over the request limit: the upload page says why, and the refusal is recorded."""
    user = current_admin() if request.endpoint == "admin.upload" else None
    if user is None:
        return errors.error_response(413)
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    size = request.content_length or limit + 1
    # A request within the limit was refused for its form (more parts than werkzeug reads, or a
    # text field over its memory limit), not its size: say so rather than "over the limit".
    refused = catalog_import.refuse_unread(db.session, size=size, actor=user.email, form_unreadable=size <= limit)
    return render_template(
        "admin/upload.html",
        form=UploadForm(formdata=None),
        refused=refused,
        shown=refused.errors,
        recent=jobs.recent(db.session),
    ), 413


@bp.get(f"/uploads/<{ID}:upload_id>/report.csv")
def upload_report(upload_id: int):
    """The full list of a refused upload's problems, as CSV (formula-safe)."""
    found = db.session.get(ProgramUpload, upload_id)
    if found is None or found.status != "refused":
        abort(404)
    rows = [("line", "column", "problem")] + [(e.line, e.column, e.message) for e in catalog_import.report(found)]
    stem = found.source_name.rsplit(".", 1)[0][:60] or "upload"
    return Response(
        "".join(dashboard.csv_chunks(rows)),
        mimetype="text/csv",
        headers={"Content-Disposition": attachment(f"{stem}-problems.csv")},
    )


@bp.get(f"/jobs/<{ID}:job_id>")
def job(job_id: int):
    """A training job; the page reloads itself until the job has finished."""
    found = jobs.get(db.session, job_id)
    if found is None:
        abort(404)
    revision = db.session.get(ProgramUpload, found.upload_id) if found.upload_id else None
    active = versions.active_version(db.session)
    # Once its candidate is the active version, a revision has nothing left to differ from.
    show_diff = revision is not None and (active is None or active.id != found.version_id)
    return render_template(
        "admin/job.html",
        job=found,
        finished=found.status in jobs.FINISHED,
        queued_on_rq=job_queue.enabled(current_app),
        revision=revision,
        diff=catalog_edits.diff_against_active(db.session, revision.content, revision.source_name)
        if show_diff
        else None,
        show_diff=show_diff,
        active=active,
    )


@bp.post(f"/jobs/<{ID}:job_id>/retry")
def retry_job(job_id: int):
    """Queue a failed job again (once, however many times the button is pressed)."""
    if jobs.get(db.session, job_id) is None:
        abort(404)
    if jobs.retry(db.session, current_app._get_current_object(), job_id, actor=actor()):
        flash(f"Job #{job_id} is queued again.", "success")
    else:
        flash(f"Job #{job_id} was not retried: only a failed job can be, and this one is not failed.", "error")
    return redirect(url_for("admin.job", job_id=job_id))


@bp.get(f"/jobs/<{ID}:job_id>.json")
def job_status(job_id: int):
    """A training job's status, for scripts and pollers."""
    found = jobs.get(db.session, job_id)
    if found is None:
        abort(404)
    return jsonify(jobs.to_dict(found))
