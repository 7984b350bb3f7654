"""The admin area (issue 4): upload, retrain, compare, promote, roll back."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
