"""The quiz page, the results page (a permanent link), program comparison and feedback."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError

from recommender.extensions import db
from recommender.ml.ranking import Recommendation
from recommender.services import recommendations
from recommender.services.registry import NoActiveModel, VersionUnavailable, VersionWithdrawn
from recommender.services.state import catalogs_of, registry_of
from recommender.web import presenters, summary
from recommender.web.about import about_facts
from recommender.web.changes import Changes, what_changed
from recommender.web.errors import error_response
from recommender.web.forms import (
    HINTS,
    SECTIONS,
    SHORT_LABELS,
    FeedbackForm,
    QuizForm,
    feedback_fields,
    posted_answers,
)

bp = Blueprint("pages", __name__)
RESULT_LIMIT = recommendations.DEFAULT_LIMIT
MAX_COMPARE = 3
STALE_FORM = "Your form had expired, so nothing was sent. Your answers are still here: please send them again."
NO_MODEL = "We cannot rank programs right this moment. Your answers are kept: please try again in a few seconds."


@bp.context_processor
def page_helpers() -> dict[str, Any]:
    """What every page template of this blueprint words its content with."""
    return {
        "percent": presenters.percent,
        "host": presenters.host,
        "why_second": presenters.why_second,
        "hints": HINTS,
        "sections": SECTIONS,
    }


# A global, not a context value: the program macros are imported, and imported macros see only globals.
bp.add_app_template_global(presenters.source_labels)


def _quiz_page(form: QuizForm, status: int = 200, notice: str = "") -> tuple[str, int]:
    return render_template("pages/quiz.html", form=form, notice=notice), status


@bp.get("/")
def quiz_page():
    """The 60-second quiz."""
    return _quiz_page(QuizForm(formdata=None))


@bp.post("/")
def submit():
    """Rank the posted answers, store them, and send the browser to their permanent link."""
    # The happy path needs no form object: parse_answers validates what was posted. The form is
    # built only to show the answers again with their errors.
    answers, errors = posted_answers(request.form)
    if answers is None:
        form = QuizForm()
        form.show_errors(errors)
        return _quiz_page(form, 422)
    try:
        _, token = recommendations.recommend(
            db.session, registry_of(current_app), answers, limit=RESULT_LIMIT, channel="web"
        )
    except NoActiveModel:
        page, status = _quiz_page(QuizForm(), 503, NO_MODEL)
        return Response(page, status, headers={"Retry-After": "5"})
    # 303: the browser fetches the results with GET, so reloading them never re-posts the quiz.
    # A form sent from a results page names that page (`from`), so the new one can say what
    # changed; anything that is not one of our tokens is dropped, never echoed.
    came_from = request.form.get("from", "")
    came_from = came_from if came_from != token and recommendations.parse_token(came_from) else ""
    # No body: flask.redirect's "Redirecting..." page is for clients that do not follow a 303.
    location = url_for("pages.result", token=token, **({"from": came_from} if came_from else {}))
    return Response(status=303, headers={"Location": location})


@bp.errorhandler(CSRFError)
def stale_form(error: CSRFError):
    """A quiz sent without a valid token is shown again with its answers; others get a plain 400."""
    if request.endpoint == "pages.submit":
        form = QuizForm()
        form.show_errors(posted_answers(request.form)[1])  # bad answers too, so one more send is enough
        return _quiz_page(form, 400, STALE_FORM)
    return error_response(400, "This form had expired, so nothing was saved. Please go back, reload and try again.")


def _result_or_404(token: str) -> Recommendation:
    recommendation = recommendations.find_result(db.session, registry_of(current_app), token, limit=RESULT_LIMIT)
    if recommendation is None:
        abort(404, "We do not know this results link. It may be mistyped, or made by a model version that was removed.")
    return recommendation


def _results_page(
    recommendation: Recommendation,
    token: str,
    *,
    compare_ids: list[str] | None = None,
    compare_error: str = "",
    changes: Changes | None = None,
) -> str:
    answers = recommendation.answers
    top = [m.specialization for m in recommendation.specializations[: presenters.TOP_SPECIALIZATIONS]]
    views = [presenters.program_view(answers, m, i) for i, m in enumerate(recommendation.programs, 1)]
    return render_template(
        "pages/results.html",
        rec=recommendation,
        token=token,
        answers=answers,
        summary=presenters.answer_summary(answers),
        groups=(groups := summary.fit_groups(recommendation, views)),
        summary_lists=summary.summary_lists(recommendation, groups, summary.constrained(answers)),
        facts_of=summary.key_facts,
        short_labels=SHORT_LABELS,
        ladder=(ladder := presenters.ladder(recommendation.roles, answers)),
        occupations=summary.occupations(role for rung in ladder for role in rung.roles),
        certifications=presenters.certifications_for(catalogs_of(current_app), top),
        top_names=[s.name for s in top],
        form=QuizForm.from_answers(answers),
        permalink=url_for("pages.result", token=token, _external=True),
        noted=request.args.get("noted", ""),
        compare_ids=compare_ids or [],
        compare_error=compare_error,
        max_compare=MAX_COMPARE,
        changes=changes,
    )


@bp.get("/results/<token>")
def result(token: str):
    """A permanent link: the answers and ranking the user saw, ranked by the same model version."""
    canonical = recommendations.canonical_token(token)
    if canonical is not None and canonical != token:
        # Another spelling of the same code (unused bits of its last character): one result, one URL.
        came = {"from": request.args["from"]} if request.args.get("from") else {}
        return redirect(url_for("pages.result", token=canonical, **came), 301)
    recommendation = _result_or_404(token)
    came_from = request.args.get("from", "")
    before = None
    if came_from and came_from != token:
        # Only our own tokens are read (parse_token inside); an unknown one just shows no comparison,
        # and so does a withdrawn or damaged one: `from` names another page, and its 410 or 503 is
        # that page's, never this one's.
        try:
            before = recommendations.find_result(db.session, registry_of(current_app), came_from, limit=RESULT_LIMIT)
        except (VersionWithdrawn, VersionUnavailable):
            before = None
    changes = what_changed(before, recommendation) if before is not None else None
    return _results_page(recommendation, token, changes=changes)


@bp.get("/about")
def about():
    """How the ranking works, where facts come from, what the catalogue covers, what is stored."""
    try:
        facts = about_facts(registry_of(current_app).active(db.session), catalogs_of(current_app))
    except NoActiveModel:
        facts = None  # the page still explains everything that does not need a model
    return render_template("pages/about.html", facts=facts, log_days=current_app.config.get("REQUEST_LOG_DAYS"))


@bp.post("/results/<token>/feedback")
def feedback(token: str):
    """Store a "useful / not for me" vote on an item of this results page and say thank you."""
    recommendation = _result_or_404(token)
    form = FeedbackForm(formdata=feedback_fields(request.form))
    if not form.validate():
        abort(400, "That feedback could not be read. Please use the buttons on the results page.")
    kind, item = form.kind.data, form.item.data
    shown = (
        {m.specialization.id for m in recommendation.specializations}
        if kind == "specialization"
        else {m.program.id for m in recommendation.programs}
    )
    if item not in shown or not recommendations.record_feedback(
        db.session, token, kind, item, form.useful.data == "yes"
    ):
        abort(400, "That item is not on this results page, so the feedback was not saved.")
    anchor = f"{'spec' if kind == 'specialization' else 'program'}-{item}"
    return redirect(url_for("pages.result", token=token, noted=f"{kind}:{item}", _anchor=anchor), 303)


@bp.get("/compare")
def compare():
    """Up to three programs from one results page, side by side."""
    token = request.args.get("token", "")
    recommendation = _result_or_404(token)
    ids = list(dict.fromkeys(request.args.getlist("ids")))
    by_id = {m.program.id: i for i, m in enumerate(recommendation.programs, 1)}
    error = ""
    if len(ids) > MAX_COMPARE:
        error = f"You can compare up to {MAX_COMPARE} programs at a time, and you chose {len(ids)}. Untick some."
    elif len(ids) < 2:
        error = "Choose two or three programs to compare."
    elif any(i not in by_id for i in ids):
        error = "Only programs from these results can be compared."
    if error:
        return _results_page(recommendation, token, compare_ids=ids, compare_error=error), 400
    answers = recommendation.answers
    views = [presenters.program_view(answers, recommendation.programs[by_id[i] - 1], by_id[i]) for i in ids]
    return render_template(
        "pages/compare.html",
        rec=recommendation,
        token=token,
        programs=views,
        summary=presenters.answer_summary(answers),
        constrained=summary.constrained(answers),
    )
