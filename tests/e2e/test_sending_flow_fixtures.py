"""Shared harness of the sending-flow and webhook tests (no tests here): a real SMTP sink on
loopback, a migrated SQLite database with a seeded two-step campaign, the API with a reviewer,
approval through the API, the real sequencer for queueing and send-due runs, and signed SendGrid
event batches from a key pair made for the test."""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient

from agents import sequencer
from agents.send_policy import SendPolicy
from api.accounts import create_user
from api.app import create_app
from api.context import get_launcher
from core.db.engine import make_engine, session_factory
from core.db.migrate import upgrade
from core.db.repository import Repository
from core.db.views import OutboxView
from core.models import ICP, CampaignBrief, Company, Contact, Draft, Lead, Qualification, Sender
from core.settings import Settings
from tools.mail.factory import build_mailer
from tools.tracking.sendgrid_events import SIGNATURE_HEADER, TIMESTAMP_HEADER

PASSWORD = "correct horse battery staple"
SECRET = "sending-flow-secret-" + "0123456789abcdef" * 3
INBOUND_TOKEN = "inbound-" + "f" * 32
PUBLIC_BASE_URL = "https://leadgen.example"
SENDER = Sender(name="Dana Example", company="Shiftly", email="dana@shiftly.example",
                postal_address="12 Harbour Road, Leith EH6 6LX")
BRIEF = CampaignBrief(
    name="Warehouse outreach", offer="shift scheduling for warehouse teams", sender=SENDER, sequence_steps=2,
    icp=ICP(industries=["warehousing"], min_employees=50, max_employees=500),
)
# No send window or gaps, caps out of the way: what is due goes out in this run.
POLICY = SendPolicy(immediate=True, gap_seconds=0, gap_jitter_seconds=0, mailbox_daily_cap=10_000,
                    warmup_start=10_000, domain_daily_cap=10_000, guardrail_min_sent=10_000)


@dataclass(frozen=True)
class Prospect:
    company: Company
    person: str
    email: str
    score: int


PROSPECTS = (
    Prospect(Company(name="Clyde Warehousing", domain="clyde.example", industry="warehousing", team_size=120,
                     country="United Kingdom",
                     description="Contract warehousing and fulfilment for e-commerce retailers."),
             "Ana Clyde", "ana@clyde.example", 82),
    Prospect(Company(name="Forth Couriers", domain="forth.example", industry="warehousing", team_size=90,
                     country="United Kingdom", description="Same-day courier and parcel delivery in Edinburgh."),
             "Ben Forth", "ben@forth.example", 76),
)


class SinkHandler:
    """The SMTP sink: accepts every message and keeps the bytes as received."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append((list(envelope.rcpt_tos), envelope.content))
        return "250 2.0.0 Ok: queued"

    def messages(self, to: str | None = None) -> list[EmailMessage]:
        parsed = [BytesParser(policy=policy.default).parsebytes(raw) for _, raw in self.received]
        return [m for m in parsed if to is None or str(m["To"]).endswith(f"<{to}>") or str(m["To"]) == to]


class EphemeralPortController(Controller):
    """aiosmtpd Controller bound to port 0; learns its real port before the readiness check."""

    def _trigger_server(self):
        if self.port == 0:
            self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class RecordingLauncher:
    """The campaign graph is not under test here: approvals are queued by the sequencer."""

    def __init__(self) -> None:
        self.resumes: list[tuple[str, dict]] = []

    async def start(self, campaign_id: str) -> None:
        return None

    async def resume(self, campaign_id: str, decisions: dict[str, dict]) -> None:
        self.resumes.append((campaign_id, decisions))

    async def aclose(self) -> None:
        return None


class EventSigner:
    """A P-256 key pair standing in for SendGrid's: signs timestamp + raw body like the vectors."""

    def __init__(self) -> None:
        self._key = ec.generate_private_key(ec.SECP256R1())
        der = self._key.public_key().public_bytes(serialization.Encoding.DER,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo)
        self.public_key = base64.b64encode(der).decode()

    def headers(self, body: bytes, timestamp: int | None = None) -> dict[str, str]:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signature = self._key.sign(stamp.encode() + body, ec.ECDSA(hashes.SHA256()))
        return {SIGNATURE_HEADER: base64.b64encode(signature).decode(), TIMESTAMP_HEADER: stamp,
                "Content-Type": "application/json"}


def sendgrid_event(kind: str, row: OutboxView, **extra: Any) -> dict[str, Any]:
    """One event as SendGrid posts it for a message we sent (our ids echoed from custom_args)."""
    return {"email": row.to_email, "event": kind, "timestamp": int(time.time()),
            "sg_event_id": f"evt-{uuid.uuid4().hex}", "sg_message_id": f"{uuid.uuid4().hex[:22]}.filter",
            "leadgen_message_id": row.message_id, "idempotency_key": row.idempotency_key, **extra}


def event_body(events: list[dict[str, Any]]) -> bytes:
    return (json.dumps(events, separators=(",", ":")) + "\r\n").encode()


@dataclass
class SendingFlow:
    client: TestClient
    app: Any
    repo: Repository
    settings: Settings
    sink: SinkHandler
    signer: EventSigner
    workspace_id: str
    workspace_name: str
    campaign_id: str
    headers: dict[str, str]
    launcher: RecordingLauncher
    approved: dict[int, list[str]] = field(default_factory=dict)  # step -> approval ids

    def approve_all(self) -> None:
        """Approve every pending draft through the API, as a reviewer would."""
        page = self.client.get("/api/v1/approvals", params={"campaign_id": self.campaign_id, "limit": 200},
                               headers=self.headers)
        assert page.status_code == 200, page.text
        for item in page.json()["items"]:
            answer = self.client.post(f"/api/v1/approvals/{item['id']}/approve", headers=self.headers)
            assert answer.status_code == 200, answer.text
            assert answer.json()["status"] == "approved"
            step = self.repo.get_approval(item["id"]).draft.step
            self.approved.setdefault(step, []).append(item["id"])

    def queue(self, *steps: int, now: datetime | None = None, pol: SendPolicy = POLICY) -> int:
        ids = [aid for step in steps for aid in self.approved.get(step, [])]
        return asyncio.run(sequencer.queue_approved(self.repo, ids, now=now or datetime.now(UTC), policy=pol))

    def send_due(self, now: datetime | None = None) -> sequencer.DeliveryReport:
        """One send-due run of the real sequencer through the configured SMTP mailer."""
        return asyncio.run(sequencer.deliver_due(
            self.repo, build_mailer(self.settings), now=now or datetime.now(UTC),
            public_base_url=self.settings.public_base_url, secret_key=self.settings.secret_key, policy=POLICY,
        ))

    def outbox(self, email: str, step: int) -> OutboxView:
        rows = [r for r in self.repo.outbox_for_campaign(self.campaign_id)
                if r.to_email == email and r.step == step]
        assert len(rows) == 1, rows
        return rows[0]

    def post_events(self, events: list[dict[str, Any]], *, timestamp: int | None = None):
        body = event_body(events)
        return self.client.post("/api/v1/webhooks/sendgrid/events", content=body,
                                headers=self.signer.headers(body, timestamp))

    def post_reply(self, fields: dict[str, str], token: str = INBOUND_TOKEN):
        return self.client.post(f"/api/v1/webhooks/sendgrid/inbound/{token}", data=fields)


def make_lead(prospect: Prospect, index: int) -> Lead:
    first = prospect.person.split()[0]
    name = prospect.company.name
    return Lead(
        url=f"https://{prospect.company.domain}", status="qualified", index=index, company=prospect.company,
        contacts=[Contact(name=prospect.person, title="Head of Operations", email=prospect.email,
                          source_url=f"https://{prospect.company.domain}/team", email_status="found")],
        qualification=Qualification(fit=True, score=prospect.score, reasons=["Warehousing, right size"]),
        drafts=[
            Draft(step=1, subject=f"Shift planning at {name}", to_email=prospect.email, to_name=prospect.person,
                  body=f"Hi {first},\n\nShiftly plans shifts for warehouse teams like yours.\n\nBest,\nDana",
                  angle="product", prompt_version="copywriter/first_touch@v1"),
            Draft(step=2, subject=f"Following up: shift planning at {name}", to_email=prospect.email,
                  to_name=prospect.person, body=f"Hi {first}, a short follow-up on shift planning.\n\nDana",
                  angle="product", prompt_version="copywriter/follow_up@v1"),
        ],
    )


def seed(repo: Repository, sessions, label: str) -> tuple[str, str, str, str]:
    """A workspace with a reviewer and a campaign of PROSPECTS awaiting approval;
    returns (workspace id, campaign id, reviewer e-mail, workspace name)."""
    name = f"{label}-{uuid.uuid4().hex[:8]}"
    reviewer = f"reviewer@{name}.example"
    create_user(sessions, reviewer, PASSWORD, "reviewer", name)
    workspace_id = repo.ensure_workspace(name)
    campaign_id = repo.create_campaign(BRIEF, [f"https://{p.company.domain}" for p in PROSPECTS],
                                       workspace_id=workspace_id)
    for index, prospect in enumerate(PROSPECTS):
        repo.save_lead(campaign_id, make_lead(prospect, index))
    repo.set_campaign_status(campaign_id, "awaiting_approval")
    return workspace_id, campaign_id, reviewer, name


@pytest.fixture(scope="session")
def flow_db_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sending-flow") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def smtp_sink():
    handler = SinkHandler()
    controller = EphemeralPortController(handler, hostname="127.0.0.1", port=0)
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()


@pytest.fixture
def cheap_password_hashing(monkeypatch):
    from argon2 import PasswordHasher

    import api.accounts

    monkeypatch.setattr(api.accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def sending_flow(settings, tmp_path, flow_db_template, smtp_sink, cheap_password_hashing):
    handler, port = smtp_sink
    db = tmp_path / "flow.db"
    shutil.copyfile(flow_db_template, db)
    signer = EventSigner()
    flow_settings = Settings(
        data_dir=settings.data_dir, database_url=f"sqlite:///{db}", secret_key=SECRET,
        public_base_url=PUBLIC_BASE_URL, smtp_url=f"smtp://127.0.0.1:{port}",
        sendgrid_webhook_public_key=signer.public_key, inbound_webhook_token=INBOUND_TOKEN,
        send_immediately=True,
    )
    sessions = session_factory(make_engine(flow_settings.resolved_database_url))
    repo = Repository(sessions)
    workspace_id, campaign_id, reviewer, workspace_name = seed(repo, sessions, "flow")
    launcher = RecordingLauncher()
    app = create_app(flow_settings)
    app.dependency_overrides[get_launcher] = lambda: launcher
    with TestClient(app) as client:
        token = client.post("/api/v1/auth/token", data={"username": reviewer, "password": PASSWORD})
        assert token.status_code == 200, token.text
        yield SendingFlow(client=client, app=app, repo=repo, settings=flow_settings, sink=handler, signer=signer,
                          workspace_id=workspace_id, workspace_name=workspace_name, campaign_id=campaign_id, launcher=launcher,
                          headers={"Authorization": f"Bearer {token.json()['access_token']}"})
