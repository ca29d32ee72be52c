"""Exactly-once delivery under kill -9: `leadgen outbox send-due` runs in real processes that
SIGKILL themselves at each point of the send protocol (LEADGEN_CRASH_AT), against a real local
SMTP sink; recovery runs; the sink must hold every message exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from email import message_from_bytes
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from core.db import Repository, make_engine, migrate, session_factory
from tests.unit.test_sequencer import TUESDAY_10_BERLIN, seed_approved

REPO_ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 200
pytestmark = pytest.mark.timeout(600)


class RecordingSink:
    """An SMTP server that keeps the Message-ID of everything it accepts and, like a relay with
    an archive copy (always_bcc), writes each accepted message to a Maildir."""

    def __init__(self, archive: Path | None) -> None:
        self.received: list[str] = []
        self.archive = archive

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        message_id = message_from_bytes(envelope.content)["Message-ID"]
        self.received.append(message_id)
        if self.archive is not None:
            (self.archive / "new" / f"{len(self.received)}.eml").write_bytes(envelope.content)
        return "250 OK"


class EphemeralPortController(Controller):
    """aiosmtpd Controller bound to port 0; learns its real port before the readiness check."""

    def _trigger_server(self):
        if self.port == 0:
            self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@pytest.fixture
def sink_factory():
    controllers = []

    def start(archive: Path | None) -> tuple[RecordingSink, int]:
        if archive is not None:
            for sub in ("new", "cur", "tmp"):
                (archive / sub).mkdir(parents=True, exist_ok=True)
        handler = RecordingSink(archive)
        controller = EphemeralPortController(handler, hostname="127.0.0.1", port=0)
        controller.start()
        controllers.append(controller)
        return handler, controller.port

    yield start
    for controller in controllers:
        controller.stop()


def send_due(env: dict[str, str], crash: str | None) -> int:
    run_env = {**env}
    if crash:
        run_env["LEADGEN_CRASH_AT"] = crash
    code = "import sys; from cli.outbox import outbox_app; sys.argv[0] = 'outbox'; outbox_app()"
    proc = subprocess.run(
        [sys.executable, "-c", code, "send-due", "--now", TUESDAY_10_BERLIN.isoformat()],
        env=run_env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode in (0, -signal.SIGKILL), proc.stderr[-2000:]
    return proc.returncode


def crash_run(tmp_path, sink_factory, points: tuple[str, ...], *, archive: bool):
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    migrate.upgrade(url)
    repo = Repository(session_factory(make_engine(url)))
    campaign, ids = seed_approved(repo, MESSAGES)
    sink, port = sink_factory(tmp_path / "archive" if archive else None)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("LEADGEN_")},
        "LEADGEN_DATA_DIR": str(tmp_path / "data"), "LEADGEN_DATABASE_URL": url,
        "LEADGEN_SMTP_URL": f"smtp://127.0.0.1:{port}?starttls=0&timeout=10",
        "LEADGEN_SEND_IMMEDIATELY": "1", "LEADGEN_SEND_LEASE_SECONDS": "0",
        "LEADGEN_MAILBOX_DAILY_CAP": "100000", "LEADGEN_MAILBOX_WARMUP_START": "100000",
        "LEADGEN_DOMAIN_DAILY_CAP": "100000", "LEADGEN_GUARDRAIL_MIN_SENT": "100000",
    }
    if archive:
        env["LEADGEN_SENT_ARCHIVE_DIR"] = str(tmp_path / "archive")
    import asyncio

    from agents import sequencer
    from agents.send_policy import SendPolicy
    asyncio.run(sequencer.queue_approved(repo, ids, now=TUESDAY_10_BERLIN, policy=SendPolicy(immediate=True)))
    kills = Counter()
    for attempt in range(60):
        point = points[attempt % len(points)]
        if send_due(env, f"{point}:{3 + attempt * 7 % 23}") == -signal.SIGKILL:
            kills[point] += 1
            continue
        if not repo.outbox_list(campaign_id=campaign, status="queued"):
            break
    assert send_due(env, None) == 0  # final recovery pass, no crash
    rows = repo.outbox_for_campaign(campaign)
    return sink, rows, kills


def test_kill_at_every_point_with_sent_archive_gives_zero_duplicates_zero_losses(tmp_path, sink_factory):
    sink, rows, kills = crash_run(tmp_path, sink_factory, ("claimed", "dispatched", "provider_returned"),
                                  archive=True)
    received = Counter(sink.received)
    assert Counter(r.status for r in rows) == {"sent": MESSAGES}, [(r.status, r.last_error) for r in rows if r.status != "sent"][:5]
    assert all(kills[p] >= 2 for p in ("claimed", "dispatched", "provider_returned")), kills
    assert [mid for mid, n in received.items() if n > 1] == []  # 0 duplicates
    assert set(received) == {r.message_id for r in rows}  # 0 losses
    assert len(rows) == MESSAGES and {r.status for r in rows} == {"sent"}


def test_without_archive_ambiguous_sends_are_held_for_review_never_repeated(tmp_path, sink_factory):
    sink, rows, kills = crash_run(tmp_path, sink_factory, ("claimed", "provider_returned"), archive=False)
    assert kills["claimed"] >= 2 and kills["provider_returned"] >= 2, kills
    received = Counter(sink.received)
    assert [mid for mid, n in received.items() if n > 1] == []
    assert set(received) == {r.message_id for r in rows}
    unconfirmed = [r for r in rows if r.status == "unconfirmed"]
    assert len(unconfirmed) == kills["provider_returned"]
    assert {r.status for r in rows} == {"sent", "unconfirmed"}
