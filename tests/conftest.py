"""Suite-wide guards: no connection leaves loopback, no tracing, no real LLM."""

from __future__ import annotations

import ipaddress
import os
import socket
import uuid
from contextlib import contextmanager

import pytest

os.environ.setdefault("LANGSMITH_TRACING", "false")
os.environ.setdefault("LANGCHAIN_TRACING_V2", "false")
os.environ.pop("LEADGEN_LLM_BASE_URL", None)
os.environ.pop("OPENAI_API_KEY", None)

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


class NetworkBlocked(RuntimeError):
    pass


def _is_loopback(address) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return True
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _guarded_connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
        raise NetworkBlocked(f"test tried to connect outside loopback: {address!r}")
    return _real_connect(self, address)


def _guarded_connect_ex(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
        raise NetworkBlocked(f"test tried to connect outside loopback: {address!r}")
    return _real_connect_ex(self, address)


def pytest_configure(config):
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]


def pytest_unconfigure(config):
    socket.socket.connect = _real_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _real_connect_ex  # type: ignore[method-assign]


IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_service(host: str, port: int, name: str) -> None:
    """Skip when a local service is missing on a laptop; fail under CI=true."""
    try:
        with socket.create_connection((host, port), timeout=1):
            return
    except OSError as exc:
        msg = f"{name} not reachable at {host}:{port}: {exc}"
        if IN_CI:
            pytest.fail(msg + " (CI=true: a missing service is a failure)")
        pytest.skip(msg)


@pytest.fixture
def postgres_url() -> str:
    require_service("127.0.0.1", 5432, "PostgreSQL")
    return os.environ.get("LEADGEN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@contextmanager
def scratch_postgres(prefix: str, *, migrate: bool = True):
    """A fresh PostgreSQL database (migrated to head unless told otherwise), dropped afterwards."""
    from core.db.migrate import upgrade
    from core.db.provision import create_database, drop_database

    require_service("127.0.0.1", 5432, "PostgreSQL")
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{prefix}_{uuid.uuid4().hex[:12]}"
    create_database(url)
    try:
        if migrate:
            upgrade(url)
        yield url
    finally:
        drop_database(url)


@pytest.fixture(scope="module")
def pg_module_url(request):
    """One scratch PostgreSQL database for a whole module: the ``*_pg`` modules that collect a
    SQLite test module again and point its ``db_url`` here. Tests seed uniquely named rows."""
    name = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_").removesuffix("_pg")
    with scratch_postgres(f"leadgen_{name}"[:40]) as url:
        yield url


@pytest.fixture
def redis_url() -> str:
    require_service("127.0.0.1", 6379, "Redis")
    return "redis://127.0.0.1:6379/15"


@pytest.fixture
def settings(tmp_path, monkeypatch):
    """Settings pointing every file at a fresh temporary data dir."""
    from core.settings import Settings

    for key in list(os.environ):
        if key.startswith("LEADGEN_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    return Settings(data_dir=tmp_path / "data", allow_private_hosts=["127.0.0.1", "localhost"])
