"""The base of every store: a sessionmaker and one short transaction per call."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Self

from sqlalchemy.orm import Session, sessionmaker

from core.db.engine import make_engine, session_factory
from core.errors import NotFound


class Store:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    @classmethod
    def from_url(cls, url: str) -> Self:
        return cls(session_factory(make_engine(url)))

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session


def owned(session: Session, model: Any, row_id: str, workspace_id: str | None) -> Any:
    """The row with this id, as long as it belongs to the workspace (when one is given)."""
    row = session.get(model, row_id)
    if row is None or (workspace_id is not None and row.workspace_id != workspace_id):
        raise NotFound(f"{model.__tablename__.rstrip('s')} {row_id} not found")
    return row
