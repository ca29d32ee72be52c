"""Research claims and the lead phase on a real database (SQLite file in WAL mode, and a fresh
PostgreSQL database): one winner per company and per phase, takeover only after the lease."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy.engine import make_url

from core.db.migrate import upgrade
from core.db.provision import create_database, drop_database
from core.db.repository import Repository
from core.db.tables import utcnow
from core.models import CampaignBrief, Lead

LEASE = 60.0
DEMO_BRIEF = Path(__file__).resolve().parents[2] / "cli/data/demo_brief.yaml"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def repo(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'claims.db'}"
        upgrade(url)
        yield Repository.from_url(url)
        return
    postgres_url = request.getfixturevalue("postgres_url")
    url = make_url(postgres_url).set(database=f"leadgen_test_{uuid.uuid4().hex[:12]}")
    rendered = url.render_as_string(hide_password=False)
    create_database(rendered)
    upgrade(rendered)
    repository = Repository.from_url(rendered)
    yield repository
    repository._sessions.kw["bind"].dispose()
    drop_database(rendered)


def _campaign(repo: Repository, inputs: list[str]) -> str:
    workspace_id = repo.ensure_workspace("claims")
    brief = CampaignBrief.model_validate(yaml.safe_load(DEMO_BRIEF.read_text()))
    return repo.create_campaign(brief, inputs, workspace_id=workspace_id)


def test_a_company_has_one_claim_holder_until_its_lease_ends(repo):
    url = "http://a.example/"
    campaign_id = _campaign(repo, [url])
    now = utcnow()
    assert repo.claim_lead(campaign_id, url, 0, "w1", lease_seconds=LEASE, now=now)
    assert not repo.claim_lead(campaign_id, url, 0, "w2", lease_seconds=LEASE, now=now + timedelta(seconds=LEASE - 1))
    later = now + timedelta(seconds=LEASE + 1)
    assert repo.claim_lead(campaign_id, url, 0, "w2", lease_seconds=LEASE, now=later)  # w1 died
    [claim] = repo.lead_claims(campaign_id)
    assert (claim.claimed_by, claim.attempts, claim.finished) == ("w2", 2, False)
    repo.finish_claim(campaign_id, url)
    far = now + timedelta(days=1)
    assert not repo.claim_lead(campaign_id, url, 0, "w3", lease_seconds=LEASE, now=far)  # finished: never again
    assert repo.lead_claims(campaign_id)[0].attempts == 2


def test_a_released_claim_is_free_at_once_but_only_its_holder_releases_it(repo):
    url = "http://b.example/"
    campaign_id = _campaign(repo, [url])
    assert repo.claim_lead(campaign_id, url, 0, "w1", lease_seconds=LEASE)
    repo.release_claim(campaign_id, url, "w2")
    assert not repo.claim_lead(campaign_id, url, 0, "w2", lease_seconds=LEASE)
    repo.release_claim(campaign_id, url, "w1")
    assert repo.claim_lead(campaign_id, url, 0, "w2", lease_seconds=LEASE)


def test_concurrent_claimers_of_the_same_companies_split_them_without_overlap(repo):
    urls = [f"http://c{i}.example/" for i in range(40)]
    campaign_id = _campaign(repo, urls)

    def claim_all(worker: str) -> list[str]:
        return [url for i, url in enumerate(urls)
                if repo.claim_lead(campaign_id, url, i, worker, lease_seconds=LEASE)]

    with ThreadPoolExecutor(4) as pool:
        won = list(pool.map(claim_all, ["w1", "w2", "w3", "w4"]))
    assert sorted(url for urls_won in won for url in urls_won) == sorted(urls)
    claims = repo.lead_claims(campaign_id)
    assert len(claims) == len(urls) and all(c.attempts == 1 for c in claims)
    assert repo.unfinished_urls(campaign_id, urls) == urls


def test_the_lead_phase_finishes_once_and_only_when_every_company_is_done(repo):
    urls = [f"http://d{i}.example/" for i in range(6)]
    campaign_id = _campaign(repo, urls)
    assert repo.begin_lead_phase(campaign_id, 3)
    assert not repo.begin_lead_phase(campaign_id, 3)
    for i, url in enumerate(urls):
        assert repo.claim_lead(campaign_id, url, i, "w1", lease_seconds=LEASE)
    for url in urls[:-1]:
        repo.finish_claim(campaign_id, url)
    assert not repo.finish_lead_phase(campaign_id, "w1")
    assert repo.unfinished_urls(campaign_id, urls) == urls[-1:]
    repo.finish_claim(campaign_id, urls[-1])
    with ThreadPoolExecutor(6) as pool:
        winners = list(pool.map(lambda w: repo.finish_lead_phase(campaign_id, w), [f"w{i}" for i in range(6)]))
    assert winners.count(True) == 1
    phase = repo.lead_phase(campaign_id)
    assert phase is not None and phase.finished and phase.finished_by == f"w{winners.index(True)}"


def test_stored_lead_is_the_saved_lead_of_that_campaign_and_url(repo):
    url = "http://e.example/"
    campaign_id = _campaign(repo, [url])
    assert repo.stored_lead(campaign_id, url) is None
    repo.save_lead(campaign_id, Lead(url=url, index=0, status="error", error="http_404: gone"))
    stored = repo.stored_lead(campaign_id, url)
    assert stored is not None and (stored.status, stored.error) == ("error", "http_404: gone")
    assert repo.stored_lead(_campaign(repo, [url]), url) is None
