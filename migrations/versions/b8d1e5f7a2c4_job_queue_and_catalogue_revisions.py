"""job queue and catalogue revisions: one job per revision, worker heartbeats, edit revisions

Revision ID: b8d1e5f7a2c4
Revises: b3d5f7a9c1e2
Create Date: 2026-12-01 09:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = 'b8d1e5f7a2c4'
down_revision = 'b3d5f7a9c1e2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('training_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('worker', sa.String(length=255), server_default='', nullable=False))
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index(batch_op.f('ix_training_jobs_revision_sha256'), ['revision_sha256'], unique=True)

    with op.batch_alter_table('program_uploads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='upload', nullable=False))
        batch_op.add_column(sa.Column('reason', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('base_version_id', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('program_uploads', schema=None) as batch_op:
        batch_op.drop_column('base_version_id')
        batch_op.drop_column('reason')
        batch_op.drop_column('kind')

    with op.batch_alter_table('training_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_jobs_revision_sha256'))
        batch_op.drop_column('attempts')
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('worker')
        batch_op.drop_column('revision_sha256')
