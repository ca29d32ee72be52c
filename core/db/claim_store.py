"""Research claims of a sharded campaign: which worker researches which company (with a lease, so
a dead worker's company is taken over), and the lead phase that exactly one shard finishes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from core.db.store import Store, owned
from core.db.tables import Campaign, LeadClaim, LeadPhase, LeadRow, new_id, utcnow
from core.models import Lead

RELEASED = datetime(1970, 1, 1, tzinfo=UTC)  # a released claim looks expired to everyone


class LeadClaimView(BaseModel):
    url: str
    input_index: int
    claimed_by: str
    attempts: int
    finished: bool


class LeadPhaseView(BaseModel):
    campaign_id: str
    shards: int
    finished: bool
    finished_by: str | None


class ClaimStore(Store):
    """Claims are keyed by (campaign, url), the same key as the campaign's leads."""

    def claim_lead(
        self, campaign_id: str, url: str, index: int, worker: str, *, lease_seconds: float,
        now: datetime | None = None,
    ) -> bool:
        """Take the research of one company: True for a new claim or the takeover of an unfinished
        one whose lease expired; False when it is finished or another worker holds it."""
        now = now or utcnow()
        with self._tx() as s:
            dialect = s.get_bind().dialect.name
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            stmt = insert(LeadClaim).values(
                id=new_id(), campaign_id=campaign_id, url=url, input_index=index, claimed_by=worker,
                claimed_at=now, attempts=1,
            )
            current = LeadClaim.__table__.c
            claim = stmt.on_conflict_do_update(
                index_elements=["campaign_id", "url"],
                set_={"claimed_by": worker, "claimed_at": now, "attempts": current.attempts + 1},
                where=current.finished_at.is_(None)
                & (current.claimed_at < now - timedelta(seconds=lease_seconds)),
            ).returning(current.id)
            return s.execute(claim).scalar_one_or_none() is not None

    def finish_claim(self, campaign_id: str, url: str) -> None:
        with self._tx() as s:
            s.execute(update(LeadClaim).where(
                LeadClaim.campaign_id == campaign_id, LeadClaim.url == url, LeadClaim.finished_at.is_(None),
            ).values(finished_at=utcnow()))

    def release_claim(self, campaign_id: str, url: str, worker: str) -> None:
        """Give an unfinished claim up (its research failed) so any worker may take it at once."""
        with self._tx() as s:
            s.execute(update(LeadClaim).where(
                LeadClaim.campaign_id == campaign_id, LeadClaim.url == url,
                LeadClaim.claimed_by == worker, LeadClaim.finished_at.is_(None),
            ).values(claimed_at=RELEASED))

    def unfinished_urls(self, campaign_id: str, urls: list[str]) -> list[str]:
        """Those of ``urls`` whose research has not finished (unclaimed or still held)."""
        with self._tx() as s:
            finished = set(s.scalars(select(LeadClaim.url).where(
                LeadClaim.campaign_id == campaign_id, LeadClaim.url.in_(urls),
                LeadClaim.finished_at.is_not(None),
            )))
            return [url for url in urls if url not in finished]

    def lead_claims(self, campaign_id: str) -> list[LeadClaimView]:
        with self._tx() as s:
            rows = s.scalars(select(LeadClaim).where(LeadClaim.campaign_id == campaign_id)
                             .order_by(LeadClaim.input_index, LeadClaim.url))
            return [
                LeadClaimView(url=r.url, input_index=r.input_index, claimed_by=r.claimed_by,
                              attempts=r.attempts, finished=r.finished_at is not None)
                for r in rows
            ]

    # --- the lead phase -------------------------------------------------------------
    def begin_lead_phase(self, campaign_id: str, shards: int) -> bool:
        """Record that the campaign's companies are researched in shards; False if already begun."""
        with self._tx() as s:
            dialect = s.get_bind().dialect.name
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            stmt = insert(LeadPhase).values(campaign_id=campaign_id, shards=shards, started_at=utcnow())
            begin = stmt.on_conflict_do_nothing(index_elements=["campaign_id"]).returning(
                LeadPhase.campaign_id)
            return s.execute(begin).scalar_one_or_none() is not None

    def finish_lead_phase(self, campaign_id: str, worker: str) -> bool:
        """Mark the lead phase finished once every input's research has finished. True for the
        one caller that made the transition (it hands the campaign on), False for everyone else."""
        with self._tx() as s:
            inputs = len(owned(s, Campaign, campaign_id, None).inputs or [])
            done = (select(func.count()).select_from(LeadClaim)
                    .where(LeadClaim.campaign_id == campaign_id, LeadClaim.finished_at.is_not(None))
                    .scalar_subquery())
            result = s.execute(update(LeadPhase).where(
                LeadPhase.campaign_id == campaign_id, LeadPhase.finished_at.is_(None), done >= inputs,
            ).values(finished_at=utcnow(), finished_by=worker))
            return result.rowcount == 1  # type: ignore[attr-defined]

    def lead_phase(self, campaign_id: str) -> LeadPhaseView | None:
        with self._tx() as s:
            row = s.get(LeadPhase, campaign_id)
            if row is None:
                return None
            return LeadPhaseView(campaign_id=row.campaign_id, shards=row.shards,
                                 finished=row.finished_at is not None, finished_by=row.finished_by)

    def stored_lead(self, campaign_id: str, url: str) -> Lead | None:
        """The lead saved for this company of the campaign (its pipeline finished), if any."""
        with self._tx() as s:
            result = s.scalar(select(LeadRow.result).where(
                LeadRow.campaign_id == campaign_id, LeadRow.url == url))
            return Lead.model_validate(result) if result is not None else None

