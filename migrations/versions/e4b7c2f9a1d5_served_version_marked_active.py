"""the version the active pointer names is marked active (first starts on PostgreSQL left it a candidate)

Before the fix in services/versions.py, the first activation on PostgreSQL wrote the pointer but
read psycopg's rowcount of -1 as a lost race, so the version being served stayed a "candidate".
This marks that version active, as an activation would have, with the pointer's time. Data only;
nothing to undo (the downgrade leaves the corrected status).

Revision ID: e4b7c2f9a1d5
Revises: d3a9c6e1f8b2
Create Date: 2026-12-01 15:20:00.000000
"""

from alembic import op


revision = 'e4b7c2f9a1d5'
down_revision = 'd3a9c6e1f8b2'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "UPDATE model_versions SET status = 'active', "
        "activated_at = (SELECT activated_at FROM active_model WHERE active_model.id = 1) "
        "WHERE status = 'candidate' AND id = (SELECT version_id FROM active_model WHERE active_model.id = 1)"
    )


def downgrade():
    pass
