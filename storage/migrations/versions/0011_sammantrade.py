"""sammantrade: numbered yrkanden, instämmanden, tjänstgörande ersättare, jäv,
propositionsordning, votering and röster, reservationer, protokollsanteckningar, and the
procedure steps !ångra takes back

Revision ID: 0011_sammantrade
Revises: 0001_core
Create Date: 2026-12-01 23:09:09.625976
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op


revision: str = '0011_sammantrade'
down_revision: str | None = '0001_core'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('ersattare',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('organisation', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('for_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('for_organisation', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('from_number', sa.Integer(), nullable=True),
    sa.Column('only_number', sa.Integer(), nullable=True),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ersattare', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ersattare_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('procedure_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('paragraph_id', sa.Integer(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('row_id', sa.Integer(), nullable=False),
    sa.Column('previous', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('undone_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('procedure_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_procedure_step_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('anteckning',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('paragraph_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['paragraph_id'], ['paragraph.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('anteckning', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_anteckning_paragraph_id'), ['paragraph_id'], unique=False)

    op.create_table('jav',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('paragraph_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['paragraph_id'], ['paragraph.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('paragraph_id', 'name')
    )
    with op.batch_alter_table('jav', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jav_paragraph_id'), ['paragraph_id'], unique=False)

    op.create_table('proposition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('paragraph_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['paragraph_id'], ['paragraph.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('proposition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposition_paragraph_id'), ['paragraph_id'], unique=False)

    op.create_table('reservation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('paragraph_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('motivation', sa.Text(), nullable=False),
    sa.Column('written', sa.Boolean(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['paragraph_id'], ['paragraph.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('paragraph_id', 'name')
    )
    with op.batch_alter_table('reservation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reservation_paragraph_id'), ['paragraph_id'], unique=False)

    op.create_table('votering',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organ_id', sa.Integer(), nullable=False),
    sa.Column('paragraph_id', sa.Integer(), nullable=False),
    sa.Column('ja_number', sa.Integer(), nullable=False),
    sa.Column('nej_number', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('open_lock', sa.Integer(), nullable=True),
    sa.Column('result', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('utslagsrost', sa.Boolean(), nullable=False),
    sa.Column('chair', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['organ_id'], ['organ.id'], ),
    sa.ForeignKeyConstraint(['paragraph_id'], ['paragraph.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('open_lock')
    )
    with op.batch_alter_table('votering', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_votering_organ_id'), ['organ_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_votering_paragraph_id'), ['paragraph_id'], unique=False)

    op.create_table('rost',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('votering_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('vote', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('given_by', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('via', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['votering_id'], ['votering.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('votering_id', 'name')
    )
    with op.batch_alter_table('rost', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rost_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_rost_votering_id'), ['votering_id'], unique=False)

    op.create_table('yrkande_number',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('paragraph_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('withdrawn_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('withdrawn_by', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], ),
    sa.ForeignKeyConstraint(['paragraph_id'], ['paragraph.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('entry_id'),
    sa.UniqueConstraint('paragraph_id', 'number')
    )
    with op.batch_alter_table('yrkande_number', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_yrkande_number_paragraph_id'), ['paragraph_id'], unique=False)

    op.create_table('instammande',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('yrkande_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['yrkande_id'], ['yrkande_number.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('yrkande_id', 'name')
    )
    with op.batch_alter_table('instammande', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_instammande_yrkande_id'), ['yrkande_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('instammande', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_instammande_yrkande_id'))

    op.drop_table('instammande')
    with op.batch_alter_table('yrkande_number', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_yrkande_number_paragraph_id'))

    op.drop_table('yrkande_number')
    with op.batch_alter_table('rost', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rost_votering_id'))
        batch_op.drop_index(batch_op.f('ix_rost_name'))

    op.drop_table('rost')
    with op.batch_alter_table('votering', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_votering_paragraph_id'))
        batch_op.drop_index(batch_op.f('ix_votering_organ_id'))

    op.drop_table('votering')
    with op.batch_alter_table('reservation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reservation_paragraph_id'))

    op.drop_table('reservation')
    with op.batch_alter_table('proposition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposition_paragraph_id'))

    op.drop_table('proposition')
    with op.batch_alter_table('jav', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jav_paragraph_id'))

    op.drop_table('jav')
    with op.batch_alter_table('anteckning', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_anteckning_paragraph_id'))

    op.drop_table('anteckning')
    with op.batch_alter_table('procedure_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_procedure_step_meeting_id'))

    op.drop_table('procedure_step')
    with op.batch_alter_table('ersattare', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ersattare_meeting_id'))

    op.drop_table('ersattare')
