"""``LocalObjectStore``: objects as files under ``<data_dir>/objects``, written atomically."""

from __future__ import annotations

import builtins
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from core.errors import NotFound
from tools.storage.base import ObjectInfo, check_key, older_than

_TMP_PREFIX = ".tmp-"


class LocalObjectStore:
    """The default store. The content type is not kept: files are served by their extension."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*check_key(key).split("/"))

    def put(
        self, key: str, data: bytes | BinaryIO, content_type: str = "application/octet-stream"
    ) -> str:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Temp file then rename: a reader never sees half an export.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=_TMP_PREFIX)
        try:
            with os.fdopen(fd, "wb") as handle:
                if isinstance(data, bytes | bytearray | memoryview):
                    handle.write(data)
                else:
                    shutil.copyfileobj(data, handle)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return key

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError) as exc:
            raise NotFound(f"object {key} not found") from exc

    def open(self, key: str) -> BinaryIO:
        # A file object is its own context manager.
        try:
            return self._path(key).open("rb")
        except (FileNotFoundError, IsADirectoryError) as exc:
            raise NotFound(f"object {key} not found") from exc

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> bool:
        path = self._path(key)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        self._prune_dirs(path.parent)
        return True

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        if not self.root.is_dir():
            return
        found = []
        for dirpath, _dirs, files in os.walk(self.root):
            for name in files:
                if name.startswith(_TMP_PREFIX):
                    continue
                path = Path(dirpath) / name
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    found.append((key, path))
        for key, path in sorted(found):
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue  # deleted while we walked
            yield ObjectInfo(key, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC))

    def url(self, key: str, expires_in: int = 3600) -> str:
        return self._path(key).resolve().as_uri()

    def delete_older_than(self, prefix: str, cutoff: datetime) -> builtins.list[str]:
        old = older_than(self.list(prefix), cutoff)
        return [info.key for info in old if self.delete(info.key)]

    def _prune_dirs(self, directory: Path) -> None:
        root = self.root.resolve()
        directory = directory.resolve()
        while directory != root and root in directory.parents:
            try:
                directory.rmdir()
            except OSError:
                return  # not empty
            directory = directory.parent
