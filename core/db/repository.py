"""The Repository: every read and write the product makes, one short transaction per method.

Methods return pydantic views (``core.db.views``) or plain values, never live ORM rows, so
callers on other threads (the graph runs it through ``asyncio.to_thread``) share nothing.
Each part lives in its own store module; this class puts them behind one object.
"""

from __future__ import annotations

from core.db.accounts import AccountStore
from core.db.approval_store import ApprovalStore, Decision
from core.db.briefing_store import BriefingStore
from core.db.budget_store import BudgetStore
from core.db.campaign_store import CampaignStore
from core.db.claim_store import ClaimStore
from core.db.event_store import EventStore
from core.db.experiment_store import ExperimentStore
from core.db.lead_store import LeadStore
from core.db.outbox_store import OutboxStore
from core.db.suppression_store import SuppressionStore


class Repository(
    AccountStore, CampaignStore, ApprovalStore, OutboxStore, EventStore, SuppressionStore,
    BriefingStore, ExperimentStore, ClaimStore, LeadStore, BudgetStore,
):
    """Build with a sessionmaker (``Repository(session_factory(engine))``) or ``from_url``."""


__all__ = ["Decision", "Repository"]
