"""Creating and dropping the database a URL names (PostgreSQL ``CREATE DATABASE``; SQLite files)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from core.db.engine import normalize_url


def _server(url: URL) -> tuple[URL, str]:
    name = url.database
    if not name:
        raise ValueError("the URL names no database")
    # Connect to the maintenance database: a database cannot create or drop itself.
    return url.set(database="postgres"), name


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create_database(url: str) -> bool:
    """Create the database if it does not exist. Returns True when it was created."""
    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        if not parsed.database or parsed.database == ":memory:" or path.exists():
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
        return True
    server, name = _server(parsed)
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            found = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if found:
                return False
            connection.exec_driver_sql(f"CREATE DATABASE {_quoted(name)}")
            return True
    finally:
        engine.dispose()


def drop_database(url: str) -> None:
    """Drop the database (closing its open connections first on PostgreSQL)."""
    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            for suffix in ("", "-wal", "-shm"):
                Path(parsed.database + suffix).unlink(missing_ok=True)
        return
    server, name = _server(parsed)
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {_quoted(name)} WITH (FORCE)")
    finally:
        engine.dispose()
