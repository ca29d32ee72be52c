"""IMAP reply polling against a real Dovecot server on 127.0.0.1 (Debian ``dovecot-imapd``)."""

from __future__ import annotations

import asyncio
import imaplib
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tests.fixtures.mail import dovecot
from tests.fixtures.mail.outbox_db import seed_outbox
from tools.tracking.imap import ImapMailbox, ReplyPoller

INBOUND = Path(__file__).resolve().parents[1] / "fixtures" / "mail" / "inbound"
JO, SAM, CAMILLE = "jo@acme.example", "sam@beta.example", "camille@gamma.example"
IDS = {JO: "<5f0c1e2a9b8d4c7e@pipewise.io>", SAM: "<8a7b6c5d4e3f2a1b@pipewise.io>"}
NOW = datetime(2026, 11, 5, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def imap_server():
    if not dovecot.available():
        message = "dovecot is not installed (apt-get install dovecot-imapd)"
        if IN_CI:
            pytest.fail(message + " (CI=true: a missing service is a failure)")
        pytest.skip(message)
    with dovecot.dovecot_server() as server:
        yield server


@pytest.fixture
def folder(imap_server, request):
    """A fresh folder per test, so tests share the server but not their messages."""
    name = f"Replies-{request.node.name[:40]}-{time.monotonic_ns()}"
    with client(imap_server) as imap:
        assert imap.create(name)[0] == "OK"
    return name


class client:
    def __init__(self, server):
        self.imap = imaplib.IMAP4(server.host, server.port, timeout=10)
        self.imap.login(server.user, server.password)

    def __enter__(self) -> imaplib.IMAP4:
        return self.imap

    def __exit__(self, *exc) -> None:
        self.imap.logout()


def deliver(server, folder: str, *raws: bytes) -> None:
    with client(server) as imap:
        for raw in raws:
            assert imap.append(folder, None, None, raw)[0] == "OK"


def unseen(server, folder: str) -> int:
    with client(server) as imap:
        imap.select(folder, readonly=True)
        _, data = imap.search(None, "UNSEEN")
        return len((data[0] or b"").split())


@pytest.fixture
def db(tmp_path):
    return seed_outbox(str(tmp_path / "imap.db"), [JO, SAM, CAMILLE], message_ids=IDS)


def poller(server, folder, db, workspace_id=None) -> ReplyPoller:
    box = ImapMailbox(server.host, server.port, server.user, server.password, folder=folder, ssl=False)
    return ReplyPoller(box, db.repo, workspace_id or db.workspace_id, clock=lambda: NOW)


def eml(name: str) -> bytes:
    return (INBOUND / name).read_bytes()


def test_poll_applies_unseen_replies_and_marks_them_seen(imap_server, folder, db):
    deliver(imap_server, folder, eml("reply_positive_quoted.eml"), eml("reply_unsubscribe.eml"),
            eml("dsn_hard_bounce.eml"), eml("ooo_fr_no_date.eml"))
    summary = poller(imap_server, folder, db).poll_once()
    assert (summary.fetched, summary.applied, summary.failed) == (4, 4, 0)
    assert sorted(r.kind for r in summary.results) == ["bounce", "out_of_office", "positive", "unsubscribe"]
    assert unseen(imap_server, folder) == 0
    assert db.repo.is_suppressed(db.workspace_id, SAM)
    assert db.repo.is_suppressed("elsewhere", JO)  # the DSN: global hard bounce
    assert {row.status for step, row in db.outbox(JO).items() if step > 1} == {"cancelled"}
    assert db.outbox(CAMILLE)[2].status == "queued" and db.outbox(CAMILLE)[2].due_at > NOW

    again = poller(imap_server, folder, db).poll_once()
    assert (again.fetched, again.applied) == (0, 0)


def test_the_same_message_id_twice_is_applied_once(imap_server, folder, db):
    deliver(imap_server, folder, eml("reply_positive_quoted.eml"))
    first = poller(imap_server, folder, db).poll_once()
    deliver(imap_server, folder, eml("reply_positive_quoted.eml"))  # a redelivered copy
    second = poller(imap_server, folder, db).poll_once()
    assert (first.applied, second.applied, second.duplicates) == (1, 0, 1)
    assert len(db.repo.events(db.workspace_id, kind="reply_positive")) == 1
    assert unseen(imap_server, folder) == 0


def test_messages_without_message_id_are_idempotent_by_content(imap_server, folder, db):
    raw = (b"From: Jo Park <jo@acme.example>\r\nTo: ana@pipewise.io\r\n"
           b"Subject: Re: Pipelines at acme.example\r\n\r\nNot interested, thanks.\r\n")
    deliver(imap_server, folder, raw, raw)
    summary = poller(imap_server, folder, db).poll_once()
    assert (summary.applied, summary.duplicates) == (1, 1)
    assert summary.results[0].kind == "negative"
    assert summary.results[0].message_ref == IDS[JO]


def test_a_message_that_cannot_be_applied_stays_unseen(imap_server, folder, db):
    deliver(imap_server, folder, eml("reply_unsubscribe.eml"))
    broken = poller(imap_server, folder, db, workspace_id="no-such-workspace").poll_once()
    assert (broken.fetched, broken.failed, broken.applied) == (1, 1, 0)
    assert unseen(imap_server, folder) == 1
    fixed = poller(imap_server, folder, db).poll_once()
    assert fixed.applied == 1 and unseen(imap_server, folder) == 0


async def test_async_poll_runs_in_a_thread(imap_server, folder, db):
    deliver(imap_server, folder, eml("ooo_de_x_autoreply.eml"))
    summary = await poller(imap_server, folder, db).poll()
    assert [r.kind for r in summary.results] == ["out_of_office"]
    assert summary.results[0].message_ref == IDS[SAM]


def test_wrong_password_is_an_imap_error(imap_server, folder, db):
    box = ImapMailbox(imap_server.host, imap_server.port, imap_server.user, "wrong", folder=folder, ssl=False)
    with pytest.raises(imaplib.IMAP4.error):
        ReplyPoller(box, db.repo, db.workspace_id).poll_once()


async def test_run_polls_until_stopped(imap_server, folder, db):
    deliver(imap_server, folder, eml("reply_negative_outlook.eml"))
    stop = asyncio.Event()
    task = asyncio.create_task(poller(imap_server, folder, db).run(0.05, stop))
    for _ in range(200):  # bounded wait for the first poll to land
        if db.repo.events(db.workspace_id, kind="reply_negative"):
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, timeout=30)
    assert len(db.repo.events(db.workspace_id, kind="reply_negative")) == 1
    assert unseen(imap_server, folder) == 0
