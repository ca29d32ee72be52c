"""Outbox throughput: N approved messages delivered by the real sequencer over SMTP (aiosmtplib)
to a local aiosmtpd sink on 127.0.0.1, caps and send windows lifted. Target: >= 50 messages/s."""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from aiosmtpd.controller import Controller

from bench.report import write_result

BENCH_OPTIONS = {"quick": ["--n", "60"], "results_dir": "--results-dir"}


class _Sink:
    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        self.received += 1
        return "250 OK"


class _Controller(Controller):
    def _trigger_server(self):
        if self.port == 0:
            self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


def _seed(repo, n: int) -> tuple[str, list[str]]:
    from core.models import CampaignBrief, Company, Contact, Draft, Lead, Qualification, Sender

    sender = Sender(name="Bench Sender", company="Bench Co", email="bench@bench.example",
                    postal_address="1 Bench Street, 10115 Berlin, Germany")
    brief = CampaignBrief(name="outbox bench", offer="a benchmark", sender=sender, sequence_steps=1)
    campaign = repo.create_campaign(brief, [], workspace_id=repo.ensure_workspace("bench"))
    for i in range(n):
        domain = f"co{i}.example"
        email = f"lead{i}@{domain}"
        repo.save_lead(campaign, Lead(
            url=f"https://{domain}/", index=i, status="qualified",
            company=Company(name=f"Co {i}", domain=domain, country="Germany"),
            contacts=[Contact(name=f"Lead {i}", email=email, email_status="found")],
            qualification=Qualification(fit=True, score=80),
            drafts=[Draft(step=1, subject=f"Hello {i}", body=f"A short note for lead {i}.", to_email=email)],
        ))
    ids = [item.id for item in repo.approval_items(campaign, limit=n + 1)]
    for approval_id in ids:
        repo.decide(approval_id, "approve", "bench@bench.example")
    return campaign, ids


async def _run(n: int, workdir: Path) -> dict:
    from agents import sequencer
    from agents.send_policy import SendPolicy
    from core.db import Repository, make_engine, migrate, session_factory
    from tools.mail.smtp import SMTPMailer

    url = f"sqlite:///{workdir / 'outbox.db'}"
    migrate.upgrade(url)
    repo = Repository(session_factory(make_engine(url)))
    campaign, ids = _seed(repo, n)
    sink = _Sink()
    controller = _Controller(sink, hostname="127.0.0.1", port=0)
    controller.start()
    try:
        policy = SendPolicy(immediate=True, mailbox_daily_cap=10**9, warmup_start=10**9,
                            domain_daily_cap=10**9, guardrail_min_sent=10**9)
        now = datetime.now(UTC)
        started = time.perf_counter()
        await sequencer.queue_approved(repo, ids, now=now, policy=policy)
        queued_s = time.perf_counter() - started
        mailer = SMTPMailer.from_url(f"smtp://127.0.0.1:{controller.port}?starttls=0")
        started = time.perf_counter()
        report = await sequencer.deliver_due(repo, mailer, now=now, public_base_url="https://bench.example",
                                             secret_key="bench", campaign_id=campaign, limit=n + 1, policy=policy)
        send_s = time.perf_counter() - started
    finally:
        controller.stop()
    return {
        "messages": n, "sent": len(report.sent), "received_by_sink": sink.received,
        "queue_seconds": round(queued_s, 3), "send_seconds": round(send_s, 3),
        "messages_per_second": round(len(report.sent) / send_s, 1) if send_s else None,
        "target_messages_per_second": 50,
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--results-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        result = asyncio.run(_run(args.n, Path(tmp)))
    print(f"outbox: {result['sent']}/{result['messages']} sent in {result['send_seconds']} s "
          f"= {result['messages_per_second']} msg/s (target >= 50)")
    write_result("outbox", result, args.results_dir)
    return result


if __name__ == "__main__":
    main()
