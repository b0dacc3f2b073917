"""polls: which posted poll (Matrix m.poll.start, Teams card) belongs to which vote

Revision ID: 0012_polls
Revises: 0001_core
Create Date: 2026-12-08
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op


revision: str = '0012_polls'
down_revision: str | None = '0001_core'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('poll_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('transport', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('room_id', sa.String(length=512), nullable=False),
    sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('answers', sa.Text(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('transport', 'message_id')
    )
    with op.batch_alter_table('poll_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_poll_message_key'), ['key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('poll_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_poll_message_key'))
    op.drop_table('poll_message')
