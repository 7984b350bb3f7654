"""Alembic environment: runs migrations on the app's own engine (Flask-Migrate)."""

from alembic import context
from flask import current_app

config = context.config


def _metadata():
    import recommender.orm  # noqa: F401 - registers the tables on the metadata

    return current_app.extensions["migrate"].db.metadata


def run_migrations_offline() -> None:
    """Emit SQL without a database connection (`flask db upgrade --sql`)."""
    context.configure(url=str(current_app.extensions["migrate"].db.engine.url), target_metadata=_metadata(),
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate over a live connection; batch mode lets SQLite alter tables too."""
    engine = current_app.extensions["migrate"].db.engine
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=_metadata(), render_as_batch=True,
                          compare_type=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
