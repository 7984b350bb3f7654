"""Configuration from the environment, read when the app is created (never at import time)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEV_SECRET = "dev-only-not-secret"  # noqa: S105 - refused outside development and tests


class ConfigError(RuntimeError):
    """The app cannot start safely with this configuration."""


MIN_SECRET_CHARS = 32
MAKE_A_SECRET = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'  # noqa: S105 - a command, not a secret


def check_secret_key(conf: dict[str, Any]) -> None:
    """Refuse a missing key anywhere, and outside development and tests the built-in or a short one.

    A short key can be guessed offline from one signed cookie, and then sessions can be forged.
    """
    key = conf.get("SECRET_KEY")
    if not key:
        raise ConfigError(f"SECRET_KEY must be set outside development and tests; make one with: {MAKE_A_SECRET}")
    if conf.get("ENV_NAME") == "development" or conf.get("TESTING"):
        return
    if key == DEV_SECRET:
        raise ConfigError(f"SECRET_KEY must be set outside development and tests; make one with: {MAKE_A_SECRET}")
    if len(key) < MIN_SECRET_CHARS:
        raise ConfigError(
            f"SECRET_KEY has {len(key)} characters; it needs at least {MIN_SECRET_CHARS} characters "
            f"outside development. Make one with: {MAKE_A_SECRET}"
        )


def database_url(raw: str | None, instance_path: str) -> str:
    """The SQLAlchemy URL: DATABASE_URL, or a SQLite file in the instance folder.

    A plain `postgresql://` (or legacy `postgres://`) URL is pointed at the psycopg 3 driver.
    """
    if not raw:
        return f"sqlite:///{Path(instance_path) / 'memmatch.sqlite3'}"
    for prefix in ("postgresql://", "postgres://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    return raw


def _int(env: dict[str, str], name: str, default: int) -> int:
    try:
        return int(env.get(name, default))
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {env[name]!r}") from exc


def _float(env: dict[str, str], name: str, default: float) -> float:
    try:
        return float(env.get(name, default))
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {env[name]!r}") from exc


def _list(env: dict[str, str], name: str) -> list[str]:
    return [item.strip() for item in env.get(name, "").split(",") if item.strip()]


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _log_level(env: dict[str, str]) -> str:
    level = env.get("LOG_LEVEL", "INFO").upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {env['LOG_LEVEL']!r}")
    return level


def from_env(instance_path: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Build the config mapping from environment variables (see README, "Configuration")."""
    env = dict(os.environ if env is None else env)
    app_env = env.get("MEMMATCH_ENV", "production")
    if app_env not in ("production", "development"):
        raise ConfigError(f"MEMMATCH_ENV must be production or development, got {app_env!r}")
    development = app_env == "development"
    db_url = database_url(env.get("DATABASE_URL"), instance_path)
    return {
        "ENV_NAME": app_env,
        "SECRET_KEY": env.get("SECRET_KEY") or (DEV_SECRET if development else None),
        "SQLALCHEMY_DATABASE_URI": db_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(db_url, env),
        "MODELS_DIR": env.get("MODELS_DIR", str(ROOT / "models")),
        # Cache files larger than this are not read (the database copy is used): 64 MiB.
        "MODEL_CACHE_MAX_BYTES": _int(env, "MODEL_CACHE_MAX_BYTES", 64 * 1024 * 1024),
        "PROGRAMS_FILE": env.get("PROGRAMS_FILE", str(ROOT / "data" / "programs.csv")),
        "MODEL_ACCURACY_FLOOR": _float(env, "MODEL_ACCURACY_FLOOR", 0.85),
        "MODEL_REFRESH_SECONDS": _float(env, "MODEL_REFRESH_SECONDS", 2.0),
        "BOOTSTRAP": env.get("MEMMATCH_BOOTSTRAP", "1") != "0",
        "SUBMISSION_WRITE_MODE": env.get("SUBMISSION_WRITE_MODE", "background"),
        "SUBMISSION_FLUSH_SECONDS": _float(env, "SUBMISSION_FLUSH_SECONDS", 1.0),
        # Refused batches are retried after 1, 2, 4 ... s (capped at 60 s), then dropped and logged.
        "SUBMISSION_MAX_ATTEMPTS": _int(env, "SUBMISSION_MAX_ATTEMPTS", 8),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT", "5 per minute; 30 per hour"),
        "ADMIN_SESSION_MINUTES": _int(env, "ADMIN_SESSION_MINUTES", 60),
        "PROXY_FIX_HOPS": _int(env, "PROXY_FIX_HOPS", 0),
        "TRUSTED_PROXIES": _list(env, "TRUSTED_PROXIES"),
        # Flask 3.1 answers 400 to any other Host, so permanent links never carry a stranger's host.
        "TRUSTED_HOSTS": _list(env, "TRUSTED_HOSTS") or None,
        "LOG_LEVEL": _log_level(env),
        # How long the operator keeps request logs (they go to stdout); /about says it when set.
        "REQUEST_LOG_DAYS": _int(env, "REQUEST_LOG_DAYS", 0) or None,
        "SESSION_COOKIE_SECURE": not development,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # The largest body anything accepts (an admin upload); the API lowers it per request.
        "MAX_CONTENT_LENGTH": 6 * 1024 * 1024,
        "API_MAX_BODY_BYTES": 16 * 1024,
        # A body that has not arrived by then answers 408 (see web/bodies.py).
        "BODY_READ_TIMEOUT_SECONDS": _float(env, "BODY_READ_TIMEOUT_SECONDS", 10.0),
        "WTF_CSRF_TIME_LIMIT": None,
    }


def startup_warnings(conf: dict[str, Any]) -> list[str]:
    """What a production start-up should say is unsafe but allowed (logged once per process)."""
    if conf.get("ENV_NAME") != "production":
        return []
    warnings = []
    if str(conf.get("RATELIMIT_STORAGE_URI", "memory://")).startswith("memory://"):
        warnings.append(
            "RATELIMIT_STORAGE_URI is memory://: each worker process counts login attempts alone, so "
            "the login limit is multiplied by the number of workers (and machines); set "
            "RATELIMIT_STORAGE_URI=redis://host:6379/0"
        )
    if not conf.get("TRUSTED_HOSTS"):
        warnings.append(
            "TRUSTED_HOSTS is not set: permanent links are built from whatever Host a request names; "
            "set TRUSTED_HOSTS=memmatch.example.org"
        )
    return warnings


def engine_options(url: str, env: dict[str, str]) -> dict[str, Any]:
    """Connection pool settings; each gunicorn worker holds its own pool (see README)."""
    if url.startswith("sqlite"):
        # One file, many readers: wait for a writer rather than failing with "database is locked".
        # pre_ping checks each connection as it leaves the pool; recommender.dbfaults drops ones a
        # read-only or corrupt file has poisoned.
        return {"connect_args": {"timeout": 15}, "pool_pre_ping": True}
    return {
        "pool_size": _int(env, "DB_POOL_SIZE", 5),
        "max_overflow": _int(env, "DB_MAX_OVERFLOW", 5),
        "pool_timeout": _int(env, "DB_POOL_TIMEOUT", 10),
        "pool_pre_ping": True,
        "pool_recycle": 1800,
        "connect_args": {
            "connect_timeout": _int(env, "DB_CONNECT_TIMEOUT", 3),
            # Named in pg_stat_activity, and a peer that vanished (failover, partition) is noticed
            # within about a minute instead of the kernel's two hours.
            "application_name": env.get("DB_APPLICATION_NAME", "memmatch"),
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 10,
            "keepalives_count": 3,
        },
    }
