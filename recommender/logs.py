"""Logging setup (structured JSON logs with request ids: issue 5)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Install logging for this app."""
