"""Looks up a Message-ID in the relay's archive of accepted mail (a Maildir or a folder of .eml
files, e.g. Postfix ``always_bcc`` delivered locally): how crash recovery settles ambiguous sends."""

from __future__ import annotations

import asyncio
from email.parser import BytesHeaderParser
from pathlib import Path


class SentArchive:
    """Answers "did the relay accept this Message-ID?" from the files it archived."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._seen: dict[Path, str | None] = {}

    async def accepted(self, message_id: str) -> bool | None:
        """True/False from the archive; None when there is no archive to ask."""
        if not self.directory.is_dir():
            return None
        ids = await asyncio.to_thread(self._scan)
        return _bare(message_id) in ids

    def _scan(self) -> set[str]:
        parser = BytesHeaderParser()
        for path in self.directory.rglob("*"):
            if path in self._seen or not path.is_file() or path.parent.name == "tmp":
                continue
            with path.open("rb") as fh:
                head = b"".join(_header_lines(fh))
            value = parser.parsebytes(head).get("Message-ID")
            self._seen[path] = _bare(value) if value else None
        return {v for v in self._seen.values() if v}


def _header_lines(fh):  # type: ignore[no-untyped-def]
    for line in fh:
        if line in (b"\n", b"\r\n"):
            return
        yield line


def _bare(message_id: str) -> str:
    return message_id.strip().strip("<>").lower()
