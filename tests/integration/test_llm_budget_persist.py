"""The LLM budget is the campaign's, kept in the database (core/db/budget_store.py): on SQLite and
PostgreSQL its spend survives a new budget object and a new connection pool (another process), two
campaigns stay apart, concurrent callers stay within the bound tools.llm.TokenBudget documents, an
exhausted campaign sends the agents to the rules engine, and a restarted or resumed campaign run
(graph/runner.py) sees what its first run spent. The LLM is a real ChatOpenAI client talking to
the OpenAI-compatible stub on loopback."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import pytest
from langchain_core.messages import HumanMessage
from pydantic import BaseModel
from typer.testing import CliRunner

from agents.copywriter import write_drafts
from agents.qualifier import qualify
from core.db import migrate
from core.db.repository import Repository
from core.db.tables import utcnow
from core.errors import BudgetExhausted, NotFound
from tests.fixtures.openai_server import OpenAIStub
from tests.unit.test_copywriter import QUAL, make_brief, northwind_lead
from tests.unit.test_researcher import NW, DictFetcher, _site
from tools.llm import TokenBudget, build_chat_model, estimate_tokens, price_of, structured_call

OTHER = "https://kettle-works.example"


class Verdict(BaseModel):
    label: str
    score: int


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'budget.db'}"
        migrate.upgrade(url)
        yield url
        return
    from tests.conftest import scratch_postgres

    with scratch_postgres("leadgen_budget") as url:
        yield url


class Processes:
    """Repositories with their own engine (connection pool): what separate processes would hold."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.opened: list[Repository] = []

    def new(self) -> Repository:
        repo = Repository.from_url(self.url)
        self.opened.append(repo)
        return repo

    def close(self) -> None:
        for repo in self.opened:
            repo._sessions.kw["bind"].dispose()


@pytest.fixture
def processes(db_url):
    opened = Processes(db_url)
    yield opened
    opened.close()


def _campaign(repo: Repository, name: str = "budget") -> str:
    return repo.create_campaign(make_brief(steps=1), [NW], workspace_id=repo.ensure_workspace(name))


def _llm(settings, stub: OpenAIStub):
    settings.llm_base_url, settings.llm_model, settings.llm_max_retries = stub.base_url, "gpt-4o-mini", 0
    return build_chat_model(settings)


async def test_spend_survives_a_new_budget_and_campaigns_stay_apart(settings, processes):
    first_process = processes.new()
    one, two = _campaign(first_process, "one"), _campaign(first_process, "two")
    with OpenAIStub(canned={"label": "fit", "score": 7}, prompt_tokens=300, completion_tokens=50) as stub:
        llm = _llm(settings, stub)
        budget = TokenBudget.from_settings(settings, campaign_id=one, store=first_process)
        for _ in range(2):
            await structured_call(llm, Verdict, [HumanMessage("classify")], budget=budget, lead_key="acme.com")
    per_call = price_of("gpt-4o-mini", 300, 50)
    usage = budget.usage_by_lead()["acme.com"]  # per-lead usage: this object's calls
    assert (usage.input_tokens, usage.output_tokens, usage.calls) == (600, 100, 2)
    assert budget.spent_tokens == 700 and budget.spent_usd == pytest.approx(2 * per_call)

    later = processes.new()  # a resume or another worker: new pool, new budget, same campaign
    again = TokenBudget.from_settings(settings, campaign_id=one, store=later)
    assert (again.spent_tokens, again.spent_usd) == (700, pytest.approx(2 * per_call))
    assert again.usage_by_lead() == {}
    stored = later.llm_spend(one)
    assert (stored.tokens, stored.calls, stored.held_tokens) == (700, 2, 0)

    other = TokenBudget.from_settings(settings, campaign_id=two, store=later)
    assert (other.spent_tokens, other.spent_usd) == (0, 0.0)
    other.charge(40, 2, model="gpt-4o-mini")
    assert later.llm_spend(two).tokens == 42 and later.llm_spend(one).tokens == 700
    assert later.llm_spend_by_campaign([one, two, "never-charged"]).keys() == {one, two}
    with pytest.raises(NotFound):
        TokenBudget.from_settings(settings, campaign_id="no-such-campaign", store=later)


async def test_an_exhausted_campaign_sends_every_agent_to_the_rules_engine(settings, processes):
    first = processes.new()
    campaign = _campaign(first)
    with OpenAIStub(canned={"label": "fit", "score": 7}, prompt_tokens=900, completion_tokens=100) as stub:
        llm = _llm(settings, stub)
        settings.llm_token_budget = 1000
        spent = TokenBudget.from_settings(settings, campaign_id=campaign, store=first)
        await structured_call(llm, Verdict, [HumanMessage("classify")], budget=spent)
        assert spent.exhausted and len(stub.requests) == 1

        # Another process takes the campaign on: its fresh budget object knows the campaign is spent.
        budget = TokenBudget.from_settings(settings, campaign_id=campaign, store=processes.new())
        assert budget.exhausted
        lead = northwind_lead()
        qualification = await qualify(lead.company, make_brief(steps=2), llm=llm, budget=budget)
        drafts = await write_drafts(lead, make_brief(steps=2), QUAL, llm=llm, budget=budget)
        with pytest.raises(BudgetExhausted, match="token budget spent: 1000 used of 1000"):
            await structured_call(llm, Verdict, [HumanMessage("classify")], budget=budget)
    assert qualification.engine == "rules"
    assert "LLM qualification failed (BudgetExhausted)" in qualification.reasons[0]
    assert [d.engine for d in drafts] == ["rules", "rules"]
    assert "llm_budget_exhausted" in drafts[0].flags
    assert len(stub.requests) == 1  # no call left the process once the campaign was spent


def _spend_until_refused(settings, url: str, campaign: str, prompt: str, barrier: threading.Barrier,
                         refused: list[BaseException]) -> None:
    """One worker: its own connection pool, budget object and event loop, calling until refused."""
    repo = Repository.from_url(url)
    try:
        budget = TokenBudget.from_settings(settings, campaign_id=campaign, store=repo)
        llm = build_chat_model(settings)

        async def run() -> None:
            barrier.wait()
            while True:
                await structured_call(llm, Verdict, [HumanMessage(prompt)], budget=budget)

        try:
            asyncio.run(run())
        except BudgetExhausted as exc:
            refused.append(exc)
    finally:
        repo._sessions.kw["bind"].dispose()


def test_concurrent_workers_stay_within_the_documented_bound(settings, processes):
    repo = processes.new()
    campaign = _campaign(repo)
    prompt = "x" * 400
    estimate = estimate_tokens([HumanMessage(prompt)])  # 100 tokens held per call
    workers, limit = 6, 3_000
    # Each call reports its prompt as estimated and a 20-token answer: 20 beyond its hold.
    with OpenAIStub(canned={"label": "fit", "score": 7}, prompt_tokens=estimate, completion_tokens=20) as stub:
        _llm(settings, stub)
        settings.llm_token_budget = limit
        barrier, refused = threading.Barrier(workers), []
        threads = [threading.Thread(target=_spend_until_refused,
                                    args=(settings, processes.url, campaign, prompt, barrier, refused))
                   for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        calls = len(stub.requests)
    spend = repo.llm_spend(campaign)
    assert len(refused) == workers  # every worker stopped because the budget said so
    assert (spend.calls, spend.tokens, spend.held_tokens) == (calls, calls * (estimate + 20), 0)  # none lost
    # The bound: one call's excess over its hold (its answer) per concurrent worker, no more.
    assert spend.tokens <= limit + workers * 20
    # Reservations never overlap past the limit; and the budget was used, not refused early.
    assert calls * estimate <= limit and spend.tokens > limit - estimate
    # Per-process budgets (the old behaviour) would have let every worker spend the whole limit.
    assert calls < workers * (limit // (estimate + 20))


def _reserve_until_refused(budget: TokenBudget, barrier: threading.Barrier, granted: list) -> None:
    barrier.wait()
    try:
        while True:
            granted.append(budget.reserve(100))
    except BudgetExhausted:
        pass


def test_concurrent_reservations_never_overbook(settings, processes):
    """Workers race for the last room in a budget, round after round: the holds granted never add
    up past the limit (no call-sized excess here: nothing is settled)."""
    workers, rounds, room = 8, 12, 5
    settings.llm_token_budget = room * 100
    repos = [processes.new() for _ in range(workers)]
    for round_ in range(rounds):
        campaign = _campaign(repos[0], f"race-{round_}")
        budgets = [TokenBudget.from_settings(settings, campaign_id=campaign, store=r) for r in repos]
        barrier, granted = threading.Barrier(workers), []
        threads = [threading.Thread(target=_reserve_until_refused, args=(b, barrier, granted)) for b in budgets]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(granted) == room, f"round {round_}: {len(granted)} holds of 100 within {room * 100}"
        assert repos[0].llm_spend(campaign).held_tokens == room * 100


def test_holds_are_atomic_and_a_dead_workers_hold_expires(settings, processes):
    one, two = processes.new(), processes.new()
    campaign = _campaign(one)
    settings.llm_token_budget = 1_000
    a = TokenBudget.from_settings(settings, campaign_id=campaign, store=one)
    b = TokenBudget.from_settings(settings, campaign_id=campaign, store=two)
    held = a.reserve(700)
    with pytest.raises(BudgetExhausted, match="700 held by calls in flight"):
        b.reserve(400)  # fits what is spent (0), not what is spent and held
    b.settle(b.reserve(300))  # the rest still fits; a settled call without usage charges nothing
    held.usage.add(650, 40, 0.0)
    a.settle(held)
    a.settle(held)  # settling twice charges once
    spend = two.llm_spend(campaign)
    assert (spend.tokens, spend.calls, spend.held_tokens) == (690, 1, 0)

    # A worker that died mid-call leaves a hold; it stops counting once it expires.
    fits = lambda s: s.tokens + s.held_tokens + 300 <= 1_000  # noqa: E731
    _, hold = one.hold_llm_budget(campaign, 300, 0.0, fits=fits, hold_seconds=60,
                                  now=utcnow() - timedelta(seconds=120))
    assert hold is not None and two.llm_spend(campaign).held_tokens == 0
    b.settle(b.reserve(300))
    _, live = one.hold_llm_budget(campaign, 300, 0.0, fits=fits, hold_seconds=60)
    assert live is not None
    with pytest.raises(BudgetExhausted):
        b.reserve(300)


def test_campaign_list_shows_llm_spend(tmp_path, monkeypatch):
    from cli.main import app
    from core.settings import Settings

    for key in ("LEADGEN_DATABASE_URL", "LEADGEN_HTTP_PROXY"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LEADGEN_DATA_DIR", str(tmp_path / "data"))
    settings = Settings()
    migrate.upgrade(settings.resolved_database_url)
    repo = Repository.from_url(settings.resolved_database_url)
    workspace = repo.ensure_workspace("default")
    spent = repo.create_campaign(make_brief(), [NW], workspace_id=workspace)
    quiet = repo.create_campaign(make_brief(), [OTHER], workspace_id=workspace)
    TokenBudget.from_settings(settings, campaign_id=spent, store=repo).charge(1200, 300, model="gpt-4o-mini")
    result = CliRunner().invoke(app, ["campaigns", "list"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()}
    assert lines[spent].endswith("llm: 1500 tokens, $0.0004, 1 calls")
    assert "llm:" not in lines[quiet]


# --- campaign runs (graph/runner.py) -------------------------------------------------------


def _sites() -> dict:
    site = _site()
    return {**site, **{url.replace(NW, OTHER): page for url, page in site.items()}}


class CrashingFetcher(DictFetcher):
    """The sites, except that the second company's fetch crashes the run (an error no site problem
    raises) once the first company's lead is finished, so the first run has spent on it."""

    def __init__(self, first_done: asyncio.Event) -> None:
        super().__init__(_sites())
        self.first_done = first_done

    async def fetch(self, url: str, *, render: bool | None = None):
        if url.startswith(OTHER):
            await asyncio.wait_for(self.first_done.wait(), timeout=60)
            raise RuntimeError("worker lost")
        return await super().fetch(url, render=render)


def _run_settings(settings, db_url: str, stub: OpenAIStub):
    from cli.database import ensure_database

    if db_url.startswith("postgresql"):
        settings.database_url = db_url
    _llm(settings, stub)
    settings.browser, settings.company_concurrency = False, 2
    ensure_database(settings)
    return settings


async def test_a_restarted_campaign_run_sees_the_spend_of_its_first_run(settings, db_url):
    from graph.deps import make_repository, open_deps
    from graph.runner import CampaignRunner

    # One qualifier call, large enough to spend the whole budget; the verdict is "not a fit".
    with OpenAIStub(canned={"fit": False, "score": 10, "evidence": []},
                    prompt_tokens=20_000, completion_tokens=54) as stub:
        settings = _run_settings(settings, db_url, stub)
        settings.llm_token_budget = 20_054
        repo = make_repository(settings)
        campaign = repo.create_campaign(make_brief(steps=1), [NW, OTHER], workspace_id=repo.ensure_workspace("w"))

        first_done = asyncio.Event()
        async with open_deps(settings, repository=repo, fetcher=CrashingFetcher(first_done)) as deps:
            with pytest.raises(RuntimeError, match="worker lost"):
                await CampaignRunner(settings, deps).start(campaign, on_lead=lambda lead: first_done.set())
        assert len(stub.requests) == 1 and repo.get_campaign(campaign).status == "failed"
        assert repo.llm_spend(campaign).tokens == 20_054

        # Started again from another process: only the second company is left, and the budget is spent.
        async with open_deps(settings, repository=make_repository(settings), fetcher=DictFetcher(_sites())) as deps:
            status = await CampaignRunner(settings, deps).start(campaign)
    assert status in ("completed", "awaiting_approval")
    assert len(stub.requests) == 1  # with a budget per process the second company would have asked the LLM
    first, second = repo.stored_lead(campaign, NW), repo.stored_lead(campaign, OTHER)
    assert first.qualification.engine == "llm"
    assert (first.usage["input_tokens"], first.usage["output_tokens"], first.usage["calls"]) == (20_000, 54, 1)
    assert second.qualification.engine == "rules"
    assert "BudgetExhausted" in second.qualification.reasons[0]
    assert not second.usage  # no call was made for it
    assert repo.llm_spend(campaign).tokens == 20_054


async def test_a_resumed_campaign_run_uses_the_spend_of_its_first_run(settings, db_url):
    from graph.deps import make_repository, open_deps
    from graph.runner import CampaignRunner

    def canned(body: dict) -> dict:
        if body["tools"][0]["function"]["name"] == "QualificationOut":
            return {"fit": True, "score": 90, "evidence": []}
        return {"claims": []}

    with OpenAIStub(canned=canned, prompt_tokens=500, completion_tokens=50) as stub:
        settings = _run_settings(settings, db_url, stub)
        repo = make_repository(settings)
        campaign = repo.create_campaign(make_brief(steps=1), [NW], workspace_id=repo.ensure_workspace("w"))
        async with open_deps(settings, repository=repo, fetcher=DictFetcher(_sites())) as deps:
            assert await CampaignRunner(settings, deps).start(campaign) == "awaiting_approval"
        calls = len(stub.requests)
        assert calls == 2  # qualify and write
        spent = repo.llm_spend(campaign)
        assert (spent.tokens, spent.calls) == (calls * 550, calls)

        item = repo.approval_items(campaign, status="pending", limit=10)[0]
        repo.decide(item.id, "reject", "test")
        used = []
        async with open_deps(settings, repository=make_repository(settings), fetcher=DictFetcher(_sites())) as deps:
            bind = deps.for_campaign

            def observed(campaign_id: str):
                used.append(bind(campaign_id))
                return used[-1]

            deps.for_campaign = observed  # type: ignore[method-assign]
            assert await CampaignRunner(settings, deps).resume(campaign) == "completed"
    (resumed,) = used
    assert resumed.budget.persistent and resumed.budget.campaign_id == campaign
    assert (resumed.budget.spent_tokens, resumed.budget.spent_usd) == (spent.tokens, pytest.approx(spent.cost_usd))
    assert repo.llm_spend(campaign).tokens == calls * 550  # resuming spent nothing and lost nothing
