"""sigill: justeringens plats och tid, the förbund's sealing certificate, sealed protokoll,
and an organ's kind of document (protokoll or minnesanteckningar)

Revision ID: 0009_sigill
Revises: 0005_justering
Create Date: 2026-11-26
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op


revision: str = '0009_sigill'
down_revision: str | None = '0005_justering'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('organ', schema=None) as batch_op:
        batch_op.add_column(sa.Column('document_kind',
                                      sqlmodel.sql.sqltypes.AutoString(length=20),
                                      nullable=False, server_default='protokoll'))
    op.create_table('justering_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('place', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('planned_on', sa.Date(), nullable=True),
    sa.Column('set_by', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('set_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('meeting_id')
    )
    op.create_table('forbund_sigill',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('forbund_id', sa.Integer(), nullable=False),
    sa.Column('configured_path', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('certificate_pem', sa.Text(), nullable=False),
    sa.Column('key_pem', sa.Text(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['forbund_id'], ['forbund.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('forbund_id')
    )
    op.create_table('sealed_protocol',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('content_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('sealed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('sealed_by', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('meeting_id', 'content_key')
    )
    with op.batch_alter_table('sealed_protocol', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sealed_protocol_meeting_id'), ['meeting_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sealed_protocol', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sealed_protocol_meeting_id'))
    op.drop_table('sealed_protocol')
    op.drop_table('forbund_sigill')
    op.drop_table('justering_plan')
    with op.batch_alter_table('organ', schema=None) as batch_op:
        batch_op.drop_column('document_kind')
