"""OutcomeMemory against a real embedded Chroma and a real local Chroma server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

from core.models import Company, Outcome, Signal
from memory.store import OutcomeMemory

_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _outcomes() -> list[Outcome]:
    return [
        Outcome(
            campaign_id="c1",
            domain="ledgerly.io",
            kind="replied_positive",
            profile="Ledgerly\nIndustry: accounting software\nCloud bookkeeping and invoicing for small businesses.",
            industry="accounting software",
            angle="hiring",
            prompt_version="copywriter/first_touch@v1",
            score=82,
        ),
        Outcome(
            campaign_id="c1",
            domain="crumb-bakery.fr",
            kind="no_reply",
            profile="Crumb\nIndustry: bakery\nArtisan bakery selling sourdough bread and pastries in Lyon.",
            industry="bakery",
            angle="launch",
        ),
        Outcome(
            campaign_id="c1",
            domain="steelworks.de",
            kind="bounced",
            profile="Steelworks\nIndustry: manufacturing\nIndustrial steel fabrication and welding services.",
        ),
    ]


@pytest.fixture
def memory(settings) -> OutcomeMemory:
    store = OutcomeMemory.from_settings(settings)
    for outcome in _outcomes():
        store.record(outcome)
    return store


def test_nearest_finds_the_similar_company_first(memory):
    priors = memory.nearest("Invoicing and accounting platform for freelancers and SMBs", k=3)
    assert [p.domain for p in priors][0] == "ledgerly.io"
    assert len(priors) == 3
    assert priors[0].similarity > priors[1].similarity >= priors[2].similarity
    top = priors[0]
    assert (top.kind, top.angle, top.score, top.campaign_id) == ("replied_positive", "hiring", 82, "c1")
    assert top.prompt_version == "copywriter/first_touch@v1"
    assert -1 <= top.similarity <= 1


def test_self_similarity_is_about_one(memory):
    profile = _outcomes()[1].profile
    assert memory.nearest(profile, k=1)[0].similarity == pytest.approx(1.0, abs=1e-3)


def test_exclude_domain_and_k_larger_than_collection(memory):
    priors = memory.nearest("accounting software", k=10, exclude_domain="ledgerly.io")
    assert {p.domain for p in priors} == {"crumb-bakery.fr", "steelworks.de"}


def test_record_is_an_upsert_by_campaign_domain_kind(memory):
    first = _outcomes()[0]
    memory.record(first.model_copy(update={"score": 40}))
    assert memory.count() == 3
    assert memory.nearest(first.profile, k=1)[0].score == 40
    memory.record(first.model_copy(update={"campaign_id": "c2"}))
    assert memory.count() == 4


def test_empty_memory_returns_nothing(settings):
    assert OutcomeMemory.from_settings(settings).nearest("anything") == []


def test_outcomes_persist_across_processes(settings, memory, tmp_path):
    # A fresh interpreter proves the data is on disk, not in Chroma's per-process cache.
    script = textwrap.dedent(
        f"""
        from core.settings import Settings
        from memory.store import OutcomeMemory
        store = OutcomeMemory.from_settings(Settings(data_dir={str(settings.data_dir)!r}))
        print(store.count(), store.nearest("sourdough bakery", k=1)[0].domain)
        """
    )
    repo = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(repo), "ANONYMIZED_TELEMETRY": "False"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["3", "crumb-bakery.fr"]


def test_profile_text_and_angle_stats():
    company = Company(
        name="Ledgerly",
        domain="ledgerly.io",
        industry="Fintech",
        description="Cloud   bookkeeping\nfor small businesses.",
        team_size=45,
        country="DE",
        signals=[
            Signal(kind="hiring", text="We are hiring", source_url="https://ledgerly.io/jobs"),
            Signal(kind="funding", text="Series A", source_url="https://ledgerly.io/news"),
            Signal(kind="hiring", text="Backend engineer", source_url="https://ledgerly.io/jobs"),
        ],
    )
    text = OutcomeMemory.profile_text(company)
    assert text.splitlines() == [
        "Ledgerly",
        "Industry: Fintech",
        "Cloud bookkeeping for small businesses.",
        "Team size: 45",
        "Country: DE",
        "Signals: funding, hiring",
    ]
    assert OutcomeMemory.profile_text(Company(domain="bare.io")) == "bare.io"

    priors = [o.model_copy() for o in _outcomes()]
    priors.append(priors[0].model_copy(update={"kind": "no_reply", "domain": "x.io"}))
    priors.append(priors[0].model_copy(update={"kind": "meeting", "domain": "y.io"}))
    assert OutcomeMemory.angle_stats(priors) == {"hiring": (2, 3), "launch": (0, 1)}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    chroma = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    if not Path(chroma).exists():
        _unavailable("chroma CLI not installed")
    port = _free_port()
    log = (tmp_path / "chroma.log").open("wb")
    proc = subprocess.Popen(
        [chroma, "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        if not _wait_ready(proc, f"{url}/api/v2/heartbeat"):
            _unavailable(f"chroma run did not start: {(tmp_path / 'chroma.log').read_text()[-500:]}")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _wait_ready(proc: subprocess.Popen, heartbeat: str, attempts: int = 300) -> bool:
    for _ in range(attempts):
        if proc.poll() is not None:
            return False
        try:
            with _NO_PROXY.open(heartbeat, timeout=1):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(reason + " (CI=true)")
    pytest.skip(reason)


def test_http_client_against_a_local_chroma_server(settings, chroma_server):
    remote = settings.model_copy(update={"chroma_url": chroma_server})
    store = OutcomeMemory.from_settings(remote)
    for outcome in _outcomes():
        store.record(outcome)
    assert not (settings.data_dir / "memory").exists()
    again = OutcomeMemory.from_settings(remote)
    assert again.count() == 3
    assert again.nearest("accounting platform for small companies", k=1)[0].domain == "ledgerly.io"
