"""approval queue indexes: (workspace | campaign, status, score DESC NULLS LAST, created_at, id),
so a queue page (offset or keyset cursor) is an index range; they replace the (…, status) ones.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 14:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUEUE_INDEXES = {'ix_approval_items_workspace_queue': 'workspace_id',
                 'ix_approval_items_campaign_queue': 'campaign_id'}


def _score_desc() -> sa.TextClause:
    # SQLite refuses NULLS LAST in an index; its DESC order already puts NULLs last.
    if op.get_bind().dialect.name == 'sqlite':
        return sa.text('score DESC')
    return sa.text('score DESC NULLS LAST')


def upgrade() -> None:
    op.drop_index('ix_approval_items_campaign_id_status', table_name='approval_items')
    op.drop_index('ix_approval_items_workspace_id_status', table_name='approval_items')
    for name, scope in QUEUE_INDEXES.items():
        op.create_index(name, 'approval_items', [scope, 'status', _score_desc(), 'created_at', 'id'])


def downgrade() -> None:
    for name in QUEUE_INDEXES:
        op.drop_index(name, table_name='approval_items')
    op.create_index('ix_approval_items_workspace_id_status', 'approval_items', ['workspace_id', 'status'])
    op.create_index('ix_approval_items_campaign_id_status', 'approval_items', ['campaign_id', 'status'])
