"""The product through HTTP alone: a real API under uvicorn (in-process launcher, real graph,
real fetcher on the sample web, file outbox) driven from token to campaign, queue, decisions,
outbox and export, on SQLite and on a fresh PostgreSQL database."""

from __future__ import annotations

import csv
import email
import io
import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import policy
from pathlib import Path

import httpx
import pytest
import uvicorn
import yaml

from api.accounts import create_user
from api.app import create_app
from core.db.engine import make_engine, session_factory
from core.db.migrate import upgrade
from core.db.provision import create_database, drop_database
from core.db.repository import Repository
from core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
# The demo brief with a broad ICP: the flow needs several qualified leads to decide on, not a
# test of the qualifier's precision (the evals measure that).
BRIEF = {**yaml.safe_load((ROOT / "cli/data/demo_brief.yaml").read_text()),
         "description": "Early-stage software companies.",
         "icp": {"min_employees": 1, "exclude": ["gambling"]}}
PASSWORD = "flow-password-123"
SECRET = "http-flow-secret-" + "0123456789abcdef" * 3
N_COMPANIES = 8
CAMPAIGN_DEADLINE = 300.0
WORKSPACE = "flow-agency"


@dataclass
class LiveApi:
    base_url: str
    settings: Settings
    repo: Repository
    admin: str
    reviewer: str


@pytest.fixture
def sample_web():
    from sampleweb.server import SampleWeb

    with SampleWeb(port=0) as web:
        yield web


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path) -> Iterator[str | None]:
    if request.param == "sqlite":
        yield None  # the default: <data_dir>/leadgen.db
        return
    base = request.getfixturevalue("postgres_url")
    url = base.rsplit("/", 1)[0] + f"/leadgen_flow_{uuid.uuid4().hex[:10]}"
    create_database(url)
    try:
        yield url
    finally:
        drop_database(url)


@contextmanager
def _serve(app, sock: socket.socket) -> Iterator[None]:
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture
def live_api(tmp_path, monkeypatch, sample_web, database_url) -> Iterator[LiveApi]:
    for key in list(os.environ):
        if key.startswith("LEADGEN_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LEADGEN_HTTP_PROXY", sample_web.proxy_url)
    monkeypatch.setenv("LEADGEN_PER_HOST_DELAY", "0.02")
    monkeypatch.setenv("LEADGEN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LEADGEN_SECRET_KEY", SECRET)
    # Approved mail goes out now, not in the recipients' next business-hours window.
    monkeypatch.setenv("LEADGEN_SEND_IMMEDIATELY", "true")
    if database_url:
        monkeypatch.setenv("LEADGEN_DATABASE_URL", database_url)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    monkeypatch.setenv("LEADGEN_PUBLIC_BASE_URL", base_url)
    settings = Settings()
    settings.ensure_dirs()
    upgrade(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    sessions = session_factory(engine)
    create_user(sessions, "admin@flow.example", PASSWORD, "admin", WORKSPACE)
    create_user(sessions, "reviewer@flow.example", PASSWORD, "reviewer", WORKSPACE)
    app = create_app(settings)  # the default launcher: campaigns run in this process
    try:
        with _serve(app, sock):
            yield LiveApi(base_url, settings, Repository(sessions), "admin@flow.example",
                          "reviewer@flow.example")
    finally:
        sock.close()
        engine.dispose()


def _login(client: httpx.Client, user: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", data={"username": user, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _wait_for(client: httpx.Client, headers, campaign_id: str, statuses: tuple[str, ...]) -> dict:
    deadline = time.monotonic() + CAMPAIGN_DEADLINE
    body: dict = {}
    while time.monotonic() < deadline:
        response = client.get(f"/api/v1/campaigns/{campaign_id}", headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["status"] != "failed", body
        if body["status"] in statuses:
            return body
        time.sleep(0.5)
    raise AssertionError(f"campaign never reached {statuses}: {body}")


def _outbox(data_dir: Path) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(p.read_bytes(), policy=policy.default)  # type: ignore[misc]
        for p in sorted((data_dir / "outbox").glob("*.eml"))
    ]


def _queue(client: httpx.Client, headers, campaign_id: str, status: str = "pending") -> list[dict]:
    items: list[dict] = []
    while True:
        page = client.get("/api/v1/approvals", headers=headers, params={
            "campaign_id": campaign_id, "status": status, "limit": 200, "offset": len(items)})
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        if len(page.json()["items"]) < 200:
            return items


@pytest.mark.slow
def test_campaign_through_http_alone(live_api: LiveApi, sample_web):
    repo = live_api.repo
    with httpx.Client(base_url=live_api.base_url, timeout=30) as client:
        admin = _login(client, live_api.admin)
        reviewer = _login(client, live_api.reviewer)

        companies = [site.url for site in sample_web.sites()][:N_COMPANIES]
        created = client.post("/api/v1/campaigns", headers=admin,
                              json={"brief": BRIEF, "companies": companies})
        assert created.status_code == 201, created.text
        campaign_id = created.json()["id"]
        assert created.json()["inputs"] == N_COMPANIES

        progress = _wait_for(client, admin, campaign_id, ("awaiting_approval", "completed"))
        assert progress["status"] == "awaiting_approval", progress
        assert progress["counts"]["leads"]["total"] == N_COMPANIES, progress["counts"]

        pending = _queue(client, reviewer, campaign_id)
        assert pending and all(i["campaign_id"] == campaign_id and i["status"] == "pending"
                               for i in pending)
        first_touch = [i for i in pending if i["draft"]["step"] == 1 and i["contact"]
                       and i["contact"]["email"]]
        assert len(first_touch) >= 3, client.get(
            f"/api/v1/campaigns/{campaign_id}/export", headers=admin).text
        emails = [i["contact"]["email"].lower() for i in first_touch]
        # Edit and reject drafts to addresses no other draft shares, so "not sent" is unambiguous.
        edited, rejected = [i for i in first_touch if emails.count(i["contact"]["email"].lower()) == 1][:2]

        # Edit: a new subject and an extra opening line; the guard re-checks the new content.
        subject = f"A question for {edited['company']['name'] or edited['company']['domain']}"
        body = "I will keep this short.\n\n" + edited["draft"]["body"]
        response = client.post(f"/api/v1/approvals/{edited['id']}/edit", headers=reviewer,
                               json={"subject": subject, "body": body})
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "pending"
        assert (response.json()["draft"]["subject"], response.json()["draft"]["body"]) == (subject, body)

        response = client.post(f"/api/v1/approvals/{edited['id']}/approve", headers=reviewer)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "approved"
        response = client.post(f"/api/v1/approvals/{rejected['id']}/reject", headers=reviewer)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "rejected"

        remaining = {i["id"] for i in pending} - {edited["id"], rejected["id"]}
        response = client.post("/api/v1/approvals/bulk", headers=reviewer, json={
            "action": "approve", "filter": {"campaign_id": campaign_id}})
        assert response.status_code == 200, response.text
        assert set(response.json()["decided"]) == remaining and response.json()["failed"] == []
        assert _queue(client, reviewer, campaign_id) == []

        done = _wait_for(client, admin, campaign_id, ("completed",))
        assert done["status"] == "completed"

        # The outbox: one .eml per approved first-touch draft, none for the rejected one.
        approved_first = [i for i in first_touch if i["id"] != rejected["id"]]
        messages = _outbox(live_api.settings.data_dir)
        recipients = [m["To"].addresses[0].addr_spec.lower() for m in messages]
        for item in approved_first:
            assert recipients.count(item["contact"]["email"].lower()) == 1, (item, recipients)
        assert rejected["contact"]["email"].lower() not in recipients
        assert len(messages) == len(approved_first)  # follow-ups wait for their step delay
        outbox = repo.outbox_for_campaign(campaign_id)
        assert sorted((o.approval_item_id, o.status) for o in outbox if o.step == 1) == sorted(
            (i["id"], "sent") for i in approved_first)
        assert rejected["id"] not in {o.approval_item_id for o in outbox}

        # What went out is exactly what the reviewer approved, edits included.
        sent = next(m for m in messages
                    if m["To"].addresses[0].addr_spec.lower() == edited["contact"]["email"].lower())
        assert sent["Subject"] == subject
        assert sent.get_body(("plain",)).get_content() == body.rstrip() + "\n"
        assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

        # Every decision is in the audit log: who, what, before and after.
        def audit(approval_id: str) -> list:
            return repo.audit_log(object_id=approval_id)

        edit_rows = audit(edited["id"])
        assert [r.action for r in edit_rows] == ["approval.edit", "approval.approve"]
        assert all(r.actor == live_api.reviewer for r in edit_rows)
        assert edit_rows[0].before["subject"] == edited["draft"]["subject"]
        assert edit_rows[0].after["subject"] == subject and edit_rows[0].after["body"] == body
        assert edit_rows[1].before["status"] == "pending"
        assert edit_rows[1].after["status"] == "approved" and edit_rows[1].after["approved_hash"]
        reject_rows = audit(rejected["id"])
        assert [(r.action, r.actor, r.after["status"]) for r in reject_rows] == [
            ("approval.reject", live_api.reviewer, "rejected")]
        for approval_id in remaining:
            assert [(r.action, r.actor, r.after["status"]) for r in audit(approval_id)] == [
                ("approval.approve", live_api.reviewer, "approved")]
        create_rows = [r for r in repo.audit_log(object_id=campaign_id) if r.action == "campaign.create"]
        assert [r.actor for r in create_rows] == [live_api.admin]

        # Exports: one row per input company, in input order.
        response = client.get(f"/api/v1/campaigns/{campaign_id}/export", headers=admin,
                              params={"format": "csv"})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert [r["url"] for r in rows] == companies
        response = client.get(f"/api/v1/campaigns/{campaign_id}/export", headers=admin,
                              params={"format": "jsonl"})
        assert response.status_code == 200, response.text
        lines = [json.loads(line) for line in response.text.splitlines()]
        assert [line["url"] for line in lines] == companies
        assert any(line["status"] == "qualified" for line in lines)

        # The chat briefing: a conversation fills the brief, confirming creates and starts a campaign.
        briefed = _brief_by_chat(client, reviewer, companies[-2:])
        progress = _wait_for(client, admin, briefed, ("awaiting_approval", "completed"))
        assert progress["inputs"] == 2 and progress["counts"]["leads"]["total"] == 2, progress
        assert progress["brief"]["sender"]["email"] == "dana@evalcraft.example"
        listed = client.get("/api/v1/campaigns", headers=admin).json()
        assert {c["id"] for c in listed} == {campaign_id, briefed}


def _sse_message(response: httpx.Response) -> dict:
    """The final ``message`` event of a text/event-stream answer (after the ``delta`` chunks)."""
    events = [block.split("\n", 1) for block in response.text.split("\n\n") if block.strip()]
    names = [head.removeprefix("event: ") for head, _ in events]
    assert names[-1] == "message" and set(names[:-1]) == {"delta"}, names
    return json.loads(events[-1][1].removeprefix("data: "))


def _brief_by_chat(client: httpx.Client, headers, companies: list[str]) -> str:
    chat = [
        "We sell a managed evaluation service that catches regressions in LLM features",
        "software startups in the US with 1-500 employees",
        "Companies: " + ", ".join(companies),
        "I'm Dana Whitfield from Evalcraft Labs, dana@evalcraft.example",
        "548 Market St PMB 40112, San Francisco, CA 94104, USA",
    ]
    started = client.post("/api/v1/briefings", headers=headers)
    assert started.status_code == 201, started.text
    answer = started.json()
    assert answer["missing"] and not answer["complete"]
    for text in chat:
        response = client.post(f"/api/v1/briefings/{answer['id']}/messages", headers=headers,
                               json={"content": text})
        assert response.status_code == 200, response.text
        answer = response.json()
    assert answer["complete"] and answer["missing"] == [] and answer["campaign_id"] is None, answer
    assert answer["companies"] == companies
    response = client.post(f"/api/v1/briefings/{answer['id']}/messages", json={"content": "yes"},
                           headers={**headers, "Accept": "text/event-stream"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    done = _sse_message(response)
    assert done["status"] == "complete" and done["campaign_id"], done
    return done["campaign_id"]
