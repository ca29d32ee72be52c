"""Persistence: SQLAlchemy tables, engine, Alembic migrations and the Repository other layers call."""

from core.db.engine import make_engine, session_factory
from core.db.repository import Repository
from core.db.tables import Base

__all__ = ["Base", "Repository", "make_engine", "session_factory"]
