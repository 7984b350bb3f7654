"""submissions record the programs they showed (for the data-quality page)

Revision ID: d3a9c6e1f8b2
Revises: b8d1e5f7a2c4
Create Date: 2026-12-01 09:30:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = 'd3a9c6e1f8b2'
down_revision = 'b8d1e5f7a2c4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shown_program_ids', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_column('shown_program_ids')
