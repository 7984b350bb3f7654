"""The application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from recommender import blas, config, dbfaults
from recommender.domain.catalog import load_catalogs
from recommender.extensions import check_limits_only_where_they_exist, csrf, db, limiter, migrate
from recommender.jsonprovider import OrjsonProvider
from recommender.services import state
from recommender.services.registry import ModelRegistry

ROOT = Path(__file__).resolve().parents[1]


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create and configure an app; `test_config` replaces environment settings in tests."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder="static",
    )
    if test_config is None:
        app.config.from_mapping(config.from_env(app.instance_path))
    else:
        app.config.from_mapping(config.from_env(app.instance_path, env={"MEMMATCH_ENV": "development"}))
        app.config.update(test_config)
    config.check_secret_key(app.config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.json = OrjsonProvider(app)

    register_extensions(app)
    catalogs = load_catalogs()
    registry = ModelRegistry(
        catalogs,
        Path(app.config["MODELS_DIR"]),
        app.config["MODEL_REFRESH_SECONDS"],
        cache_max_bytes=app.config["MODEL_CACHE_MAX_BYTES"],
    )
    state.install(app, catalogs, registry)
    from recommender.services import submissions

    submissions.init_app(app)
    register_blueprints(app)
    register_cli(app)

    from recommender import logs
    from recommender.web import bodies, security, signing

    logs.init_app(app)
    signing.init_app(app)
    security.init_app(app)
    bodies.init_app(app)
    for warning in config.startup_warnings(app.config):
        app.logger.warning(warning, extra={"event": "unsafe_config"})
    blas.warn_if_unpinned()

    if app.config["BOOTSTRAP"]:
        from recommender.services.bootstrap import bootstrap

        bootstrap(app, catalogs)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the unbound extensions of `recommender.extensions` to this app."""
    dbfaults.install()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
    check_limits_only_where_they_exist(app, limiter)


def register_blueprints(app: Flask) -> None:
    """Blueprints are imported here so that importing the package only defines things."""
    from recommender.web import admin, api, errors, health, pages

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(admin.bp)
    errors.init_app(app)


def register_cli(app: Flask) -> None:
    """The `train`, `models` and `create-admin` commands."""
    from recommender import cli

    cli.init_app(app)
