"""IMAP reply polling: fetch UNSEEN messages from a folder, classify and apply each reply, then
mark it seen. Blocking imaplib runs in a worker thread; replies are idempotent by Message-ID."""

from __future__ import annotations

import asyncio
import hashlib
import imaplib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from core.db.store import Store
from tools.tracking.inbound import parse_inbound
from tools.tracking.replies import ReplyClassifier, apply_reply, read_reply
from tools.tracking.types import ReplyResult

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImapMailbox:
    host: str
    port: int
    user: str
    password: str
    folder: str = "INBOX"
    ssl: bool = True
    timeout: float = 30.0
    batch_size: int = 200


@dataclass
class PollSummary:
    fetched: int = 0
    applied: int = 0
    duplicates: int = 0
    failed: int = 0
    results: list[ReplyResult] = field(default_factory=list)


class ReplyPoller:
    """Polls one mailbox for one workspace. ``poll_once`` blocks; ``poll`` runs it in a thread."""

    def __init__(
        self,
        mailbox: ImapMailbox,
        target: Store | sessionmaker[Session],
        workspace_id: str,
        *,
        llm: ReplyClassifier | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.mailbox = mailbox
        self.target = target
        self.workspace_id = workspace_id
        self.llm = llm
        self.clock = clock

    def _connect(self) -> imaplib.IMAP4:
        box = self.mailbox
        client: imaplib.IMAP4
        if box.ssl:
            client = imaplib.IMAP4_SSL(box.host, box.port, timeout=box.timeout)
        else:
            client = imaplib.IMAP4(box.host, box.port, timeout=box.timeout)
        client.login(box.user, box.password)
        return client

    def poll_once(self) -> PollSummary:
        summary = PollSummary()
        client = self._connect()
        try:
            status, _ = client.select(_quoted(self.mailbox.folder))
            if status != "OK":
                raise imaplib.IMAP4.error(f"cannot select {self.mailbox.folder}")
            _, data = client.uid("SEARCH", "UNSEEN")
            uids = (data[0] or b"").split()[: self.mailbox.batch_size]
            for uid in uids:
                self._handle(client, uid, summary)
        finally:
            try:
                client.logout()
            except (imaplib.IMAP4.error, OSError):
                log.debug("IMAP logout failed", exc_info=True)
        return summary

    async def poll(self) -> PollSummary:
        return await asyncio.to_thread(self.poll_once)

    async def run(self, interval_seconds: float, stop: asyncio.Event) -> None:
        """Poll until ``stop`` is set; a failed poll is logged and retried next interval."""
        while not stop.is_set():
            try:
                await self.poll()
            except (imaplib.IMAP4.error, OSError):
                log.warning("IMAP poll of %s failed", self.mailbox.host, exc_info=True)
            try:
                await asyncio.wait_for(stop.wait(), timeout=interval_seconds)
            except TimeoutError:
                continue

    def _handle(self, client: imaplib.IMAP4, uid: bytes, summary: PollSummary) -> None:
        # BODY.PEEK leaves \Seen alone: a message that fails to apply is read again next poll.
        status, data = client.uid("FETCH", uid.decode(), "(BODY.PEEK[])")
        raw = _message_bytes(data) if status == "OK" else None
        if raw is None:
            summary.failed += 1
            return
        summary.fetched += 1
        try:
            message = parse_inbound(raw)
            result = read_reply(self.target, self.workspace_id, message, llm=self.llm)
            if result.message_id is None:  # no Message-ID: the content is its identity
                result = replace(result, message_id=f"<sha256.{hashlib.sha256(raw).hexdigest()}@imap>")
            applied = apply_reply(self.target, self.workspace_id, result, now=self.clock())
        except Exception:
            # One malformed message must not stop the mailbox; it stays unseen for a retry.
            log.exception("could not apply IMAP message uid=%s", uid.decode())
            summary.failed += 1
            return
        summary.results.append(result)
        if applied.recorded:
            summary.applied += 1
        else:
            summary.duplicates += 1
        client.uid("STORE", uid.decode(), "+FLAGS", "(\\Seen)")


def _message_bytes(data: list[object]) -> bytes | None:
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def _quoted(folder: str) -> str:
    return folder if folder.startswith('"') else '"' + folder.replace('"', '\\"') + '"'
