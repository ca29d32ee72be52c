"""Content-addressed page cache on disk: bodies stored once by sha256 under ``blobs/``, and an
index entry per URL (sha, status, final_url, content_type, fetched_at) under ``index/``."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tools.web.types import Page


def _atomic_write(path: Path, data: bytes) -> None:
    # Write to a temp file then rename, so concurrent readers (other workers) never see half a file.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class PageCache:
    def __init__(
        self,
        root: Path,
        *,
        max_age: float | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.root = Path(root)
        self.max_age = max_age
        self._clock = clock

    @classmethod
    def for_data_dir(cls, data_dir: Path, **kwargs: object) -> PageCache:
        return cls(Path(data_dir) / "cache" / "pages", **kwargs)  # type: ignore[arg-type]

    def _index_path(self, url: str) -> Path:
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()
        return self.root / "index" / key[:2] / f"{key}.json"

    def _blob_path(self, sha: str) -> Path:
        return self.root / "blobs" / sha[:2] / sha

    def get_sync(self, url: str) -> tuple[Page, str] | None:
        """The cached page and how it was originally fetched (httpx/browser), or None."""
        try:
            entry = json.loads(self._index_path(url).read_text("utf-8"))
            body = self._blob_path(entry["sha256"]).read_bytes()
        except (OSError, ValueError, KeyError):
            return None
        if hashlib.sha256(body).hexdigest() != entry["sha256"]:
            return None  # a damaged blob is a miss, not a wrong page
        if self.max_age is not None and self._clock() - float(entry["fetched_at"]) > self.max_age:
            return None
        page = Page(
            url=url,
            final_url=entry["final_url"],
            status=int(entry["status"]),
            html=body.decode("utf-8"),
            content_type=entry.get("content_type", "text/html"),
            fetched_with="cache",
            headers=dict(entry.get("headers", {})),
        )
        return page, str(entry.get("origin", "httpx"))

    def put_sync(self, page: Page) -> str:
        body = page.html.encode("utf-8")
        sha = hashlib.sha256(body).hexdigest()
        blob = self._blob_path(sha)
        if not blob.exists():
            _atomic_write(blob, body)
        entry = {
            "url": page.url,
            "sha256": sha,
            "status": page.status,
            "final_url": page.final_url,
            "content_type": page.content_type,
            "fetched_at": self._clock(),
            "origin": page.fetched_with,
            "headers": {k: v for k, v in page.headers.items() if k in ("content-type", "last-modified", "etag")},
        }
        _atomic_write(self._index_path(page.url), json.dumps(entry).encode("utf-8"))
        return sha

    def purge_older_than(self, cutoff: float, *, dry_run: bool = False) -> int:
        """Forget pages fetched before ``cutoff`` (epoch seconds) and delete blobs no page uses
        any more. Returns how many pages were (or, with ``dry_run``, would be) forgotten."""
        kept: set[str] = set()
        forgotten = 0
        for index in sorted((self.root / "index").glob("*/*.json")):
            try:
                entry = json.loads(index.read_text("utf-8"))
                fetched_at, sha = float(entry["fetched_at"]), str(entry["sha256"])
            except (OSError, ValueError, KeyError):
                fetched_at, sha = float("-inf"), ""  # unreadable entries are dropped too
            if fetched_at >= cutoff:
                kept.add(sha)
                continue
            forgotten += 1
            if not dry_run:
                index.unlink(missing_ok=True)
        if not dry_run:
            for blob in (self.root / "blobs").glob("*/*"):
                if blob.name not in kept and not blob.name.startswith(".tmp-"):
                    blob.unlink(missing_ok=True)
        return forgotten

    async def get(self, url: str) -> tuple[Page, str] | None:
        return await asyncio.to_thread(self.get_sync, url)

    async def put(self, page: Page) -> str:
        return await asyncio.to_thread(self.put_sync, page)
