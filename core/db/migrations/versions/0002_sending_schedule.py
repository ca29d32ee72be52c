"""sending: mailbox and recipient domain on outbox rows (daily caps), the dispatch marker of
the two-phase send, the "unconfirmed" outbox status and the mailboxes table (warm-up, pause).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD = "status IN ('queued', 'sending', 'sent', 'failed', 'cancelled')"
_NEW = "status IN ('queued', 'sending', 'sent', 'failed', 'cancelled', 'unconfirmed')"


def _keep_event_links():  # type: ignore[no-untyped-def]
    """SQLite changes a CHECK constraint by re-creating the table, and dropping the old table
    fires ON DELETE SET NULL on events.outbox_message_id; keep the links and put them back."""
    if op.get_bind().dialect.name != "sqlite":
        return None
    op.execute("CREATE TEMP TABLE _event_outbox AS "
               "SELECT id, outbox_message_id FROM events WHERE outbox_message_id IS NOT NULL")
    return True


def _restore_event_links(kept) -> None:  # type: ignore[no-untyped-def]
    if not kept:
        return
    op.execute("UPDATE events SET outbox_message_id = (SELECT k.outbox_message_id FROM _event_outbox k "
               "WHERE k.id = events.id) WHERE id IN (SELECT id FROM _event_outbox)")
    op.execute("DROP TABLE _event_outbox")


def upgrade() -> None:
    op.create_table('mailboxes',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.Column('first_send_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paused_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paused_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mailboxes')),
    sa.UniqueConstraint('address', name=op.f('uq_mailboxes_address'))
    )
    kept = _keep_event_links()
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mailbox', sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column('recipient_domain', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('dispatched_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_outbox_messages_mailbox_sent_at', ['mailbox', 'sent_at'], unique=False)
        batch_op.create_index('ix_outbox_messages_recipient_domain_sent_at', ['recipient_domain', 'sent_at'], unique=False)
        batch_op.drop_constraint(op.f('ck_outbox_messages_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_outbox_messages_status'), _NEW)
    _restore_event_links(kept)


def downgrade() -> None:
    op.execute("UPDATE outbox_messages SET status = 'failed' WHERE status = 'unconfirmed'")
    kept = _keep_event_links()
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outbox_messages_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_outbox_messages_status'), _OLD)
        batch_op.drop_index('ix_outbox_messages_recipient_domain_sent_at')
        batch_op.drop_index('ix_outbox_messages_mailbox_sent_at')
        batch_op.drop_column('dispatched_at')
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('recipient_domain')
        batch_op.drop_column('mailbox')
    _restore_event_links(kept)
    op.drop_table('mailboxes')
