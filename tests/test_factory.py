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


@pytest.mark.parametrize("key", ["a", "x" * 31, "short-but-not-empty"])
def test_a_short_secret_key_is_refused_outside_development_with_how_to_make_one(tmp_path, key):
    env = {"MEMMATCH_ENV": "production", "SECRET_KEY": key, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    conf = config.from_env(str(tmp_path), {**env, "MEMMATCH_BOOTSTRAP": "0"})
    with pytest.raises(config.ConfigError, match="at least 32 characters") as refused:
        create_app({**conf, "TESTING": False})
    assert 'python -c "import secrets; print(secrets.token_urlsafe(48))"' in str(refused.value)


def test_a_long_secret_key_starts_in_production_and_a_short_one_in_development(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "MEMMATCH_BOOTSTRAP": "0"}
    production = config.from_env(str(tmp_path), {**env, "MEMMATCH_ENV": "production", "SECRET_KEY": "k" * 32})
    assert create_app({**production, "TESTING": False}).config["SECRET_KEY"] == "k" * 32
    development = config.from_env(str(tmp_path), {**env, "MEMMATCH_ENV": "development", "SECRET_KEY": "a"})
    assert create_app({**development, "TESTING": False}).config["SECRET_KEY"] == "a"
