"""The quiz page and the results page."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from recommender.app import registry_of
from recommender.extensions import db
from recommender.services import recommendations

bp = Blueprint("pages", __name__)


@bp.get("/results/<token>")
def result(token: str):
    """A permanent link: the answers and ranking the user saw."""
    recommendation = recommendations.find_result(db.session, registry_of(current_app), token)
    if recommendation is None:
        abort(404)
    return render_template("pages/results.html", rec=recommendation, token=token)
