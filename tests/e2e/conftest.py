"""End-to-end fixtures: the sample web on loopback and the `leadgen` CLI in real subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LEADGEN = [sys.executable, "-m", "cli.main"]


@pytest.fixture(scope="session")
def sample_web():
    from sampleweb.server import SampleWeb

    with SampleWeb(port=0) as web:
        yield web


@pytest.fixture
def cli_env(tmp_path, sample_web):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADGEN_")}
    env.update(
        LEADGEN_DATA_DIR=str(tmp_path / "data"),
        LEADGEN_HTTP_PROXY=sample_web.proxy_url,
        LEADGEN_BROWSER="true",
        # The sample web is ours and local: politeness delays would only slow the suite.
        LEADGEN_PER_HOST_DELAY="0.02",
        # Approved first touches go out at once instead of waiting for the recipient's send window.
        LEADGEN_SEND_IMMEDIATELY="true",
        LANGSMITH_TRACING="false",
        PYTHONPATH=str(ROOT),
    )
    return env


@pytest.fixture
def pg_database(postgres_url):
    """A fresh, empty PostgreSQL database for one test (the CLI migrates it), dropped afterwards."""
    from tests.conftest import scratch_postgres

    with scratch_postgres("leadgen_e2e", migrate=False) as url:
        yield url


def leadgen(*args: str, env: dict, cwd: Path, check: bool = True, timeout: int = 600):
    proc = subprocess.run(
        [*LEADGEN, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"leadgen {' '.join(args)} exited {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        )
    return proc
