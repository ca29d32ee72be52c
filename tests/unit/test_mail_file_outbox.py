"""FileOutboxMailer: one .eml per message id, written atomically and exactly once."""

from __future__ import annotations

import asyncio

import pytest

from tools.mail.base import Mailer
from tools.mail.file_outbox import FileOutboxMailer, safe_name
from tools.mail.message import OutgoingMessage


def _message(message_id: str = "m-1", subject: str = "Hello") -> OutgoingMessage:
    return OutgoingMessage(
        message_id=message_id,
        idempotency_key=f"key-{message_id}",
        from_name="Jane",
        from_email="jane@acme.example",
        to_email="max@ledgerly.example",
        subject=subject,
        text="Hi Max",
        postal_address="Acme, 1 Main St, Springfield",
        unsubscribe_url="https://leadgen.example/u/t",
    )


async def test_send_writes_one_eml_and_lists_it(tmp_path):
    mailer = FileOutboxMailer(tmp_path / "outbox")
    assert isinstance(mailer, Mailer)
    assert mailer.list_sent() == []
    result = await mailer.send(_message())
    assert (result.provider, result.accepted) == ("file", True)
    assert result.provider_message_id == "<m-1@acme.example>"
    assert [p.name for p in (tmp_path / "outbox").iterdir()] == ["m-1.eml"]
    [sent] = mailer.list_sent()
    assert sent["To"] == "max@ledgerly.example" and sent["Subject"] == "Hello"
    assert sent["X-Leadgen-Idempotency-Key"] == "key-m-1"


async def test_same_message_id_twice_is_a_noop(tmp_path):
    mailer = FileOutboxMailer(tmp_path)
    first = await mailer.send(_message())
    before = mailer.path_for("m-1").read_bytes()
    second = await mailer.send(_message(subject="Changed"))
    assert first == second
    assert mailer.path_for("m-1").read_bytes() == before
    assert len(mailer.list_sent()) == 1


async def test_concurrent_sends_of_one_id_write_once(tmp_path):
    mailer = FileOutboxMailer(tmp_path)
    results = await asyncio.gather(*(mailer.send(_message(subject=f"s{i}")) for i in range(8)))
    assert len(set(results)) == 1
    assert len(list(tmp_path.glob("*.eml"))) == 1
    assert not list(tmp_path.glob(".tmp-*"))


async def test_distinct_ids_with_unsafe_characters_stay_distinct(tmp_path):
    mailer = FileOutboxMailer(tmp_path)
    await mailer.send(_message("a/b"))
    await mailer.send(_message("a:b"))
    await mailer.send(_message("../escape"))
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 3
    assert all(p.parent == tmp_path for p in tmp_path.iterdir())
    assert safe_name("plain-id_1.x") == "plain-id_1.x"


async def test_unwritable_directory_is_a_transient_error(tmp_path):
    from tools.mail.errors import MailTransientError

    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(MailTransientError):
        await FileOutboxMailer(blocker / "outbox").send(_message())
