"""The default mailer: each message becomes ``<dir>/<message id>.eml``, written once and atomically."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import tempfile
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from tools.mail.base import SendResult
from tools.mail.errors import MailTransientError
from tools.mail.message import OutgoingMessage, build_mime

PROVIDER = "file"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def safe_name(message_id: str) -> str:
    """A file name for a message id; ids that needed escaping get a hash so they stay distinct."""
    safe = _UNSAFE.sub("_", message_id).strip(".") or "message"
    if safe != message_id or len(safe) > 150:
        digest = hashlib.sha256(message_id.encode()).hexdigest()[:12]
        safe = f"{safe[:150]}-{digest}"
    return safe


class FileOutboxMailer:
    """Writes each message to disk instead of sending it; the same ``message_id`` is written once."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    def path_for(self, message_id: str) -> Path:
        return self.directory / f"{safe_name(message_id)}.eml"

    async def send(self, msg: OutgoingMessage) -> SendResult:
        return await asyncio.to_thread(self._write_once, msg)

    def _write_once(self, msg: OutgoingMessage) -> SendResult:
        result = SendResult(PROVIDER, msg.rfc_message_id, accepted=True)
        target = self.path_for(msg.message_id)
        if target.exists():
            return result
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            data = build_mime(msg).as_bytes()
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".eml")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                _publish(Path(tmp), target)
            finally:
                Path(tmp).unlink(missing_ok=True)
        except OSError as exc:
            raise MailTransientError(f"cannot write {target}: {exc}", provider=PROVIDER) from exc
        return result

    def list_sent(self) -> list[EmailMessage]:
        """Every written message, oldest first."""
        if not self.directory.is_dir():
            return []
        paths = sorted(self.directory.glob("*.eml"), key=lambda p: (p.stat().st_mtime_ns, p.name))
        parser = BytesParser(policy=policy.default)
        return [parser.parsebytes(p.read_bytes()) for p in paths if not p.name.startswith(".tmp-")]


def _publish(tmp: Path, target: Path) -> None:
    """Move a finished file into place unless a concurrent send already did (exactly once)."""
    try:
        os.link(tmp, target)  # fails if the target exists: no overwrite, no torn file
    except FileExistsError:
        return
    except OSError:
        # Filesystems without hard links: an atomic replace still never shows a torn file.
        if not target.exists():
            os.replace(tmp, target)
