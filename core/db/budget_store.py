"""What each campaign spent on the LLM (tokens, USD, calls) over all its runs, resumes and
workers, and the holds (reservations) of calls in flight. ``tools.llm.TokenBudget`` is the caller;
the limit it checks runs here, inside the transaction that holds the campaign's lock."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict
from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.db.store import Store, owned
from core.db.tables import Campaign, LlmHold, LlmSpend, new_id, utcnow


class LlmSpendView(BaseModel):
    model_config = ConfigDict(frozen=True)

    campaign_id: str
    tokens: int = 0
    cost_usd: float = 0.0
    calls: int = 0
    held_tokens: int = 0  # reserved by calls in flight (holds not expired)
    held_cost_usd: float = 0.0


class BudgetStore(Store):
    """One ``llm_spend`` row per campaign that ever reserved or charged; holds in ``llm_holds``."""

    def llm_spend(self, campaign_id: str, *, now: datetime | None = None) -> LlmSpendView:
        """The campaign's spend so far (zeros when it spent nothing); NotFound for no such campaign."""
        with self._tx() as s:
            owned(s, Campaign, campaign_id, None)
            return _spend(s, campaign_id, now or utcnow())

    def llm_spend_by_campaign(self, campaign_ids: Iterable[str]) -> dict[str, LlmSpendView]:
        """Spend (holds not counted) of those of ``campaign_ids`` that spent anything, in one query."""
        ids = list(campaign_ids)
        if not ids:
            return {}
        with self._tx() as s:
            rows = s.execute(select(LlmSpend.campaign_id, LlmSpend.tokens, LlmSpend.cost_usd, LlmSpend.calls)
                             .where(LlmSpend.campaign_id.in_(ids)))
            return {r.campaign_id: LlmSpendView(campaign_id=r.campaign_id, tokens=r.tokens,
                                                cost_usd=r.cost_usd, calls=r.calls) for r in rows}

    def hold_llm_budget(
        self, campaign_id: str, tokens: int, cost_usd: float, *, fits: Callable[[LlmSpendView], bool],
        hold_seconds: float, now: datetime | None = None,
    ) -> tuple[LlmSpendView, str | None]:
        """Reserve ``tokens`` and ``cost_usd`` for one call if ``fits(spend)``, where ``spend`` counts
        what the campaign spent plus every live hold. Returns that spend and the new hold's id, or
        None when it did not fit.

        Atomic across threads and processes: the check and the insert run while holding the
        campaign's ``llm_spend`` row (SELECT ... FOR UPDATE on PostgreSQL; SQLite transactions here
        begin IMMEDIATE, one writer at a time), and every charge updates that same row. Expired
        holds (a worker that died mid-call) are dropped first."""
        now = now or utcnow()
        with self._tx() as s:
            _ensure_row(s, campaign_id)
            s.execute(select(LlmSpend.campaign_id).where(LlmSpend.campaign_id == campaign_id)
                      .with_for_update())
            s.execute(delete(LlmHold).where(LlmHold.campaign_id == campaign_id, LlmHold.expires_at <= now))
            spend = _spend(s, campaign_id, now)
            if not fits(spend):
                return spend, None
            hold_id = new_id()
            s.add(LlmHold(id=hold_id, campaign_id=campaign_id, tokens=tokens, cost_usd=cost_usd,
                          expires_at=now + timedelta(seconds=hold_seconds)))
            return spend, hold_id

    def settle_llm_budget(
        self, campaign_id: str, hold_id: str | None, *, tokens: int, cost_usd: float, calls: int,
        now: datetime | None = None,
    ) -> LlmSpendView:
        """Charge what calls used and drop their hold (when there is one and it has not expired), in
        one transaction. The charge is a single ``UPDATE ... SET tokens = tokens + :n``, so
        concurrent charges never lose each other. Returns the spend after it."""
        now = now or utcnow()
        with self._tx() as s:
            _ensure_row(s, campaign_id)
            if hold_id is not None:
                s.execute(delete(LlmHold).where(LlmHold.id == hold_id))
            s.execute(update(LlmSpend).where(LlmSpend.campaign_id == campaign_id).values(
                tokens=LlmSpend.tokens + tokens, cost_usd=LlmSpend.cost_usd + cost_usd,
                calls=LlmSpend.calls + calls, updated_at=now,
            ))
            return _spend(s, campaign_id, now)


def _ensure_row(s: Session, campaign_id: str) -> None:
    exists = s.scalar(select(LlmSpend.campaign_id).where(LlmSpend.campaign_id == campaign_id))
    if exists is not None:
        return
    owned(s, Campaign, campaign_id, None)  # NotFound rather than a foreign-key error
    insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
    s.execute(insert(LlmSpend).values(campaign_id=campaign_id, tokens=0, cost_usd=0.0, calls=0,
                                      updated_at=utcnow())
              .on_conflict_do_nothing(index_elements=["campaign_id"]))


def _spend(s: Session, campaign_id: str, now: datetime) -> LlmSpendView:
    # Columns, not ORM objects: a row loaded earlier in this session would not show an UPDATE.
    row = s.execute(select(LlmSpend.tokens, LlmSpend.cost_usd, LlmSpend.calls)
                    .where(LlmSpend.campaign_id == campaign_id)).one_or_none()
    held_tokens, held_cost = s.execute(
        select(func.coalesce(func.sum(LlmHold.tokens), 0), func.coalesce(func.sum(LlmHold.cost_usd), 0.0))
        .where(LlmHold.campaign_id == campaign_id, LlmHold.expires_at > now)
    ).one()
    tokens, cost, calls = row if row is not None else (0, 0.0, 0)
    # PostgreSQL sums BIGINT as NUMERIC (a Decimal here).
    return LlmSpendView(campaign_id=campaign_id, tokens=tokens, cost_usd=cost, calls=calls,
                        held_tokens=int(held_tokens), held_cost_usd=float(held_cost))
