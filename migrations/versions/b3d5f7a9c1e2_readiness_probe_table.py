"""readiness probe: an always-empty table /readyz writes to (and rolls back)

Revision ID: b3d5f7a9c1e2
Revises: 7c4e2a9b1d3f
Create Date: 2026-12-01 09:30:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = 'b3d5f7a9c1e2'
down_revision = '7c4e2a9b1d3f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('readiness_probe',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade():
    op.drop_table('readiness_probe')
