"""outbox: replies committed with their command, until sent

Revision ID: 0007_outbox
Revises: 0001_core
Create Date: 2026-11-24
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op


revision: str = '0007_outbox'
down_revision: str | None = '0001_core'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('outbox_reply',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('transport', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('reply', sa.Text(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('outbox_reply', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_reply_transport'), ['transport'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox_reply', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_reply_transport'))
    op.drop_table('outbox_reply')
