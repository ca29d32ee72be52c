"""experiments: prompt experiments on campaigns (arms, holdout share, promotion decision).

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-27 13:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('experiments',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('workspace_id', sa.String(length=36), nullable=False),
    sa.Column('campaign_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('arms', sa.JSON(), nullable=False),
    sa.Column('holdout_share', sa.Double(), nullable=False),
    sa.Column('min_sends', sa.Integer(), nullable=False),
    sa.Column('metric', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=20), server_default='running', nullable=False),
    sa.Column('winner', sa.String(length=40), nullable=True),
    sa.Column('decision', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('running', 'promoted', 'stopped')", name=op.f('ck_experiments_status')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_experiments_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_experiments_workspace_id_workspaces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_experiments')),
    sa.UniqueConstraint('campaign_id', name=op.f('uq_experiments_campaign_id'))
    )
    op.create_index('ix_experiments_workspace_id_created_at', 'experiments', ['workspace_id', 'created_at'])


def downgrade() -> None:
    op.drop_index('ix_experiments_workspace_id_created_at', table_name='experiments')
    op.drop_table('experiments')
