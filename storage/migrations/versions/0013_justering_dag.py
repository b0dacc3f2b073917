"""justering_dag: a justering recorded for a day (`!justera den 2022-04-06`), not a moment

Revision ID: 0013_justering_dag
Revises: 0009_sigill
Create Date: 2026-12-05
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op


revision: str = '0013_justering_dag'
down_revision: str | None = '0009_sigill'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('justering_signature', schema=None) as batch_op:
        batch_op.add_column(sa.Column('day_only', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('justering_signature', schema=None) as batch_op:
        batch_op.drop_column('day_only')
