"""Two real `leadgen worker` processes (Redis broker, one SQLite WAL database) share one large
campaign: every company is researched exactly once, by one of them, both do part of the work, the
campaign reaches the approval gate once, and approved mail is delivered exactly once while both
workers send at the same time."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from bench.bench_scale_out import GATE_STATUSES, ScaleOutCluster
from bench.local_web import choose_dataset
from tools.mail.file_outbox import safe_name

pytestmark = [pytest.mark.slow, pytest.mark.redis]

FULL_SIZE = 1000
APPROVED = 40


def _settled(rows, now: datetime) -> bool:
    """Nothing in flight and nothing due: every message is sent or waits for a later time."""
    return all(r.status == "sent" or (r.status == "queued" and r.due_at is not None and r.due_at > now)
               for r in rows)


def test_two_workers_research_one_large_campaign_once_and_send_once(tmp_path, redis_url):
    from sampleweb.dataset import domain_of, load_records
    from sampleweb.server import SampleWeb

    dataset = choose_dataset()  # without the shared 1,024-company dataset: the bundled 120 records
    urls = [f"http://{domain_of(r)}/" for r in load_records(dataset.path)][:FULL_SIZE]
    assert len(urls) >= (FULL_SIZE if dataset.full else 100), dataset.note
    shard_size = 50 if dataset.full else 10

    with SampleWeb(port=0, dataset=dataset.path) as web:
        cluster = ScaleOutCluster(
            tmp_path / "data", redis_url, web.proxy_url, shard_size=shard_size,
            extra_env={
                "LEADGEN_PAGE_BUDGET": "2",  # the test is about sharing work, not research depth
                "LEADGEN_MAILBOX_WARMUP_START": "1000", "LEADGEN_MAILBOX_DAILY_CAP": "1000",
            },
        )
        cluster.prepare_database()
        campaign_id = cluster.create_campaign(urls)
        cluster.start_workers(2)
        try:
            cluster.send_task("leadgen.start_campaign", campaign_id)
            assert cluster.wait_for_status(campaign_id, GATE_STATUSES, timeout=900) == "awaiting_approval"
            worker_pids = cluster.worker_processes()
            repo = cluster.repository()

            # Every input: one lead, one research claim taken once, finished.
            leads = repo.campaign_leads(campaign_id)
            assert sorted(lead.url for lead in leads) == sorted(urls)
            assert [lead.index for lead in leads] == list(range(len(urls)))
            claims = repo.lead_claims(campaign_id)
            assert sorted(c.url for c in claims) == sorted(urls)
            assert all(c.finished and c.attempts == 1 for c in claims)
            phase = repo.lead_phase(campaign_id)
            assert phase is not None and phase.finished and phase.shards == -(-len(urls) // shard_size)

            # Both workers researched part of the campaign (a claim names the pool process).
            holders = {int(c.claimed_by.rsplit(":", 1)[1]) for c in claims}
            by_worker = [holders & pids for pids in worker_pids]
            assert all(by_worker), (holders, worker_pids)
            shares = [sum(1 for c in claims if int(c.claimed_by.rsplit(":", 1)[1]) in pids)
                      for pids in worker_pids]
            assert sum(shares) == len(urls) and min(shares) > 0, shares

            # Approve some first touches, then wake the campaign while both workers also run send-due.
            pending = repo.approval_items(campaign_id, status="pending", limit=5000)
            first_touch = [item.id for item in pending
                           if item.draft.step == 1 and item.contact and item.contact.email][:APPROVED]
            assert len(first_touch) == APPROVED
            repo.decide_many(first_touch, "approve", "reviewer@w.test")
            cluster.send_task("leadgen.resume_campaign", campaign_id)
            for _ in range(4):
                cluster.send_task("leadgen.send_due")

            deadline = time.monotonic() + 240
            while True:
                rows = repo.outbox_for_campaign(campaign_id)
                status = repo.get_campaign(campaign_id).status
                if rows and status == "awaiting_approval" and _settled(rows, datetime.now(UTC)):
                    break
                cluster.assert_workers_alive()
                assert time.monotonic() < deadline, (status, [(r.status, r.due_at) for r in rows])
                time.sleep(0.5)
            time.sleep(2.0)  # send-due tasks still queued find nothing more to send
            rows = repo.outbox_for_campaign(campaign_id)
        finally:
            cluster.stop_workers()

    sent = [r for r in rows if r.status == "sent"]
    assert sorted(r.approval_item_id for r in sent) == sorted(first_touch)  # each approved one, once
    assert all(r.attempts == 1 for r in sent)  # claimed for sending once: one provider call each
    files = sorted(p.name for p in (tmp_path / "data" / "outbox").glob("*.eml"))
    assert files == sorted(f"{safe_name(r.message_id)}.eml" for r in sent)
