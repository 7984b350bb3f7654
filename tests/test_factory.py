"""The application factory and its configuration."""

from __future__ import annotations

import pytest

from recommender import config, create_app


def test_refuses_to_start_without_secret_key_in_production(tmp_path):
    env = {"MEMMATCH_ENV": "production", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "MEMMATCH_BOOTSTRAP": "0"}
    with pytest.raises(config.ConfigError, match="SECRET_KEY"):
        conf = config.from_env(str(tmp_path), env)
        create_app({**conf, "TESTING": False})


def test_testing_config_is_applied(app):
    assert app.testing
    assert app.config["SECRET_KEY"] == "test-secret"


def test_postgres_urls_use_psycopg3():
    assert config.database_url("postgresql://u@h/db", "/x") == "postgresql+psycopg://u@h/db"
    assert config.database_url("postgres://u@h/db", "/x") == "postgresql+psycopg://u@h/db"
    assert config.database_url(None, "/inst").startswith("sqlite:////inst/")


def test_bad_numeric_setting_is_named(tmp_path):
    with pytest.raises(config.ConfigError, match="MODEL_ACCURACY_FLOOR"):
        config.from_env(str(tmp_path), {"MODEL_ACCURACY_FLOOR": "high"})
