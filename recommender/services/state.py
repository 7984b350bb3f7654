"""Per-app shared objects: the static catalogues and the model registry.

The app factory installs them; blueprints, the CLI and services read them from here, so nothing
but `wsgi.py` and the tests ever imports the factory (no import cycle through `recommender.app`).
"""

from __future__ import annotations

from flask import Flask

from recommender.domain.catalog import Catalogs
from recommender.services.registry import ModelRegistry

CATALOGS_KEY = "memmatch.catalogs"
REGISTRY_KEY = "memmatch.registry"


def install(app: Flask, catalogs: Catalogs, registry: ModelRegistry) -> None:
    """Attach this app's catalogues and registry (called once, by the factory)."""
    app.extensions[CATALOGS_KEY] = catalogs
    app.extensions[REGISTRY_KEY] = registry


def catalogs_of(app: Flask) -> Catalogs:
    """The static catalogues loaded for this app."""
    return app.extensions[CATALOGS_KEY]


def registry_of(app: Flask) -> ModelRegistry:
    """This process's model registry."""
    return app.extensions[REGISTRY_KEY]
