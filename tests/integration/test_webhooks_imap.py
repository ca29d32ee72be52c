"""The worker's IMAP reply poll against a real Dovecot server on 127.0.0.1: a reply to a message
sent through the SMTP sink stops the contact's sequence and becomes an outcome in the memory."""

from __future__ import annotations

import asyncio
import imaplib
import time
from datetime import UTC, datetime
from urllib.parse import quote

import pytest

from agents.outcomes import close_memory
from memory.store import OutcomeMemory
from tests.conftest import IN_CI
from tests.e2e.test_sending_flow_fixtures import *  # noqa: F403 - fixtures
from tests.e2e.test_sending_flow_fixtures import PROSPECTS, SENDER
from tests.fixtures.mail import dovecot
from workers.app import imap_mailbox, make_celery, poll_reply_mailbox

CLYDE = PROSPECTS[0].email


@pytest.fixture(scope="module")
def imap_server():
    if not dovecot.available():
        message = "dovecot is not installed (apt-get install dovecot-imapd)"
        if IN_CI:
            pytest.fail(message + " (CI=true: a missing service is a failure)")
        pytest.skip(message)
    with dovecot.dovecot_server() as server:
        yield server


def test_imap_url_becomes_the_pollers_mailbox():
    box = imap_mailbox("imaps://inbox%40pipewise.io:p%3Ass@mail.example:9993/Replies%20In")
    assert (box.host, box.port, box.user, box.password, box.folder, box.ssl) == (
        "mail.example", 9993, "inbox@pipewise.io", "p:ss", "Replies In", True)
    plain = imap_mailbox("imap://u:p@127.0.0.1")
    assert (plain.port, plain.folder, plain.ssl) == (143, "INBOX", False)
    with pytest.raises(ValueError):
        imap_mailbox("https://u:p@mail.example/INBOX")


def test_beat_polls_replies_only_when_a_mailbox_is_configured(settings):
    assert "poll-replies" not in make_celery(settings).conf.beat_schedule
    configured = settings.model_copy(update={"imap_url": "imaps://u:p@mail.example/INBOX", "imap_poll_seconds": 90})
    assert make_celery(configured).conf.beat_schedule["poll-replies"] == {
        "task": "leadgen.poll_replies", "schedule": 90}


def test_worker_poll_applies_a_reply_and_records_its_outcome(sending_flow, imap_server):
    flow = sending_flow
    flow.approve_all()
    now = datetime.now(UTC)
    flow.queue(1, 2, now=now)
    assert len(flow.send_due(now).sent) == 2
    first = flow.outbox(CLYDE, 1)
    folder = f"Replies-{time.monotonic_ns()}"
    reply = (f"From: Ana Clyde <{CLYDE}>\r\nTo: {SENDER.email}\r\nSubject: Re: {first.subject}\r\n"
             f"Message-ID: <imap-reply-1@mail.clyde.example>\r\nIn-Reply-To: {first.message_id}\r\n"
             "Date: Wed, 4 Nov 2026 16:41:09 +0000\r\n\r\n"
             "Sounds good, happy to chat - are you free on Friday at 11:00?\r\n").encode()
    imap = imaplib.IMAP4(imap_server.host, imap_server.port, timeout=10)
    imap.login(imap_server.user, imap_server.password)
    assert imap.create(folder)[0] == "OK"
    assert imap.append(folder, None, None, reply)[0] == "OK"
    imap.logout()
    url = (f"imap://{quote(imap_server.user, safe='')}:{quote(imap_server.password, safe='')}"
           f"@{imap_server.host}:{imap_server.port}/{folder}")
    poll_settings = flow.settings.model_copy(update={"imap_url": url, "imap_workspace": flow.workspace_name})

    # The API app holds the memory's Chroma files open; the worker is another process in real life.
    flow.app.state.outcome_memory.close()
    summary = asyncio.run(poll_reply_mailbox(poll_settings))
    assert (summary["fetched"], summary["applied"], summary["outcomes"]) == (1, 1, 1)
    assert flow.outbox(CLYDE, 2).status == "cancelled"
    again = asyncio.run(poll_reply_mailbox(poll_settings))
    assert again["fetched"] == 0  # marked seen: read once

    memory = OutcomeMemory.from_settings(flow.settings)
    try:
        found = [p for p in memory.nearest("Clyde Warehousing contract warehousing", 5) if p.domain == "clyde.example"]
    finally:
        close_memory(memory)
    assert [p.kind for p in found] == ["replied_positive"]
