"""admin area: program uploads, training jobs linked to them, admin session epoch

Revision ID: 7c4e2a9b1d3f
Revises: f2056e6e159e
Create Date: 2026-11-26 10:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '7c4e2a9b1d3f'
down_revision = 'f2056e6e159e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('program_uploads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=255), nullable=False),
    sa.Column('source_name', sa.String(length=255), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('error_count', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.CheckConstraint("status in ('accepted', 'refused')", name='ck_upload_status'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('program_uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_program_uploads_created_at'), ['created_at'], unique=False)

    with op.batch_alter_table('training_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('upload_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_training_jobs_upload_id', 'program_uploads', ['upload_id'], ['id'])

    with op.batch_alter_table('admin_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('admin_users', schema=None) as batch_op:
        batch_op.drop_column('session_epoch')

    with op.batch_alter_table('training_jobs', schema=None) as batch_op:
        batch_op.drop_constraint('fk_training_jobs_upload_id', type_='foreignkey')
        batch_op.drop_column('upload_id')

    with op.batch_alter_table('program_uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_program_uploads_created_at'))

    op.drop_table('program_uploads')
