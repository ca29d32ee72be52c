"""The reviewer queue reads only the leads of the items it shows (``Repository.leads_by_urls``),
never the whole campaign; tests/integration/test_queue_page_leads_pg.py runs these on PostgreSQL."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from api.routers.pages import QUEUE_PAGE
from core.errors import NotFound
from tests.unit.test_api_fixtures import *  # noqa: F403
from tests.unit.test_api_fixtures import World, make_brief, make_lead, page_login

BIG_CAMPAIGN = 240  # leads; two drafts each, so the queue holds many pages


def _campaign(world: World, label: str, n: int, top: int = 99) -> str:
    """A campaign of ``n`` leads in workspace A, their scores spread over 10..``top``."""
    brief = make_brief(f"Campaign {label}")
    domains = [f"{label}{i}.example" for i in range(n)]
    campaign_id = world.repo.create_campaign(brief, [f"https://{d}" for d in domains],
                                             workspace_id=world.a.id)
    for i, domain in enumerate(domains):
        world.repo.save_lead(campaign_id, make_lead(domain, score=10 + (i * 37) % (top - 9), index=i,
                                                    brief=brief))
    return campaign_id


# --- Repository.leads_by_urls ------------------------------------------------------------

def test_leads_by_urls_returns_exactly_the_requested_leads(world):
    repo = world.repo
    campaign = _campaign(world, "pick", 6)
    urls = [f"https://pick{i}.example" for i in (4, 1, 3)]
    leads = repo.leads_by_urls(campaign, urls + [urls[0]], workspace_id=world.a.id)
    # campaign order (input index), each lead once however often it was asked for
    assert [lead.url for lead in leads] == [f"https://pick{i}.example" for i in (1, 3, 4)]
    assert all(lead.qualification and lead.contacts and lead.drafts for lead in leads)
    # the same leads campaign_leads returns, field for field
    every = {lead.url: lead for lead in repo.campaign_leads(campaign, workspace_id=world.a.id)}
    assert leads == [every[lead.url] for lead in leads]
    # without a workspace (internal callers), as campaign_leads
    assert [lead.url for lead in repo.leads_by_urls(campaign, {urls[1]})] == [urls[1]]


def test_leads_by_urls_handles_empty_and_unknown_urls(world):
    repo = world.repo
    campaign = _campaign(world, "gaps", 3)
    assert repo.leads_by_urls(campaign, [], workspace_id=world.a.id) == []
    assert repo.leads_by_urls(campaign, ["https://nowhere.example"], workspace_id=world.a.id) == []
    found = repo.leads_by_urls(campaign, ["https://nowhere.example", "https://gaps2.example"],
                               workspace_id=world.a.id)
    assert [lead.url for lead in found] == ["https://gaps2.example"]
    with pytest.raises(TypeError):
        repo.leads_by_urls(campaign, "https://gaps2.example")  # one string is not a list of URLs
    with pytest.raises(NotFound):
        repo.leads_by_urls("0" * 36, ["https://gaps2.example"], workspace_id=world.a.id)


def test_leads_by_urls_never_crosses_campaigns_or_workspaces(world):
    repo = world.repo
    first = _campaign(world, "same", 2)
    # Another campaign of the same workspace holds a lead with the same URL, scored differently.
    brief = make_brief("Second")
    second = repo.create_campaign(brief, ["https://same0.example"], workspace_id=world.a.id)
    repo.save_lead(second, make_lead("same0.example", score=11, brief=brief))
    url = "https://same0.example"
    assert [lead.qualification.score for lead in repo.leads_by_urls(first, [url])] == [10]
    assert [lead.qualification.score for lead in repo.leads_by_urls(second, [url])] == [11]
    # Workspace B's URLs asked of A's campaign: nothing; A's campaign asked from B: not found.
    b_campaign = world.b.campaigns[0]
    b_urls = [lead.url for lead in repo.campaign_leads(b_campaign)]
    assert repo.leads_by_urls(first, b_urls, workspace_id=world.a.id) == []
    for urls in ([url], []):
        with pytest.raises(NotFound):
            repo.leads_by_urls(first, urls, workspace_id=world.b.id)
        with pytest.raises(NotFound):
            repo.leads_by_urls(b_campaign, urls, workspace_id=world.a.id)
    assert [lead.url for lead in repo.leads_by_urls(b_campaign, b_urls, workspace_id=world.b.id)] \
        == b_urls


# --- the reviewer page ---------------------------------------------------------------------

class LeadReads:
    """Records the real repository's lead reads and the SQL that selects stored lead results."""

    def __init__(self, repo, monkeypatch) -> None:
        self.by_urls: list[tuple[str, set[str], int]] = []  # campaign, URLs asked, leads returned
        self.whole_campaigns: list[str] = []
        self.statements: list[tuple[str, object]] = []
        real_by_urls, real_campaign_leads = repo.leads_by_urls, repo.campaign_leads

        def leads_by_urls(campaign_id, urls, workspace_id=None):
            urls = set(urls)
            leads = real_by_urls(campaign_id, urls, workspace_id=workspace_id)
            self.by_urls.append((campaign_id, urls, len(leads)))
            return leads

        def campaign_leads(campaign_id, workspace_id=None):
            self.whole_campaigns.append(campaign_id)
            return real_campaign_leads(campaign_id, workspace_id)

        monkeypatch.setattr(repo, "leads_by_urls", leads_by_urls)
        monkeypatch.setattr(repo, "campaign_leads", campaign_leads)
        self.engine = repo._sessions.kw["bind"]
        event.listen(self.engine, "before_cursor_execute", self._statement)

    def _statement(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if re.search(r"\bleads\.result\b", statement):
            self.statements.append((statement, parameters))

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._statement)

    @property
    def leads_loaded(self) -> int:
        return sum(n for _, _, n in self.by_urls)


@pytest.fixture
def lead_reads(app, client, monkeypatch):
    reads = LeadReads(app.state.context.repository, monkeypatch)
    yield reads
    reads.close()


def _page_items(world: World, html: str):
    ids = re.findall(r'id="item-([0-9a-f-]{36})"', html)
    return [world.repo.get_approval(i) for i in ids]


def test_queue_page_loads_only_the_leads_it_shows(client, world, lead_reads):
    big = _campaign(world, "bulk", BIG_CAMPAIGN)
    page_login(client, world)
    lead_reads.by_urls.clear()
    lead_reads.statements.clear()

    html = client.get(f"/queue?campaign_id={big}").text
    items = _page_items(world, html)
    assert len(items) == QUEUE_PAGE and {i.campaign_id for i in items} == {big}
    shown = {item.lead_url for item in items}
    assert lead_reads.whole_campaigns == []
    assert lead_reads.by_urls == [(big, shown, len(shown))]
    assert lead_reads.leads_loaded == len(shown) < BIG_CAMPAIGN
    # One SELECT of stored lead results, bound to the page's URLs only.
    assert len(lead_reads.statements) == 1
    statement, parameters = lead_reads.statements[0]
    values = parameters.values() if isinstance(parameters, dict) else parameters
    assert {v for v in values if isinstance(v, str) and v.startswith("https://")} == shown
    # Every item still shows what its lead carries: qualification and the contact's source.
    for item in items:
        domain = item.lead_url.removeprefix("https://")
        assert f'href="https://{domain}/team"' in html
    assert html.count("Logistics company, 120 staff") == len(items)

    # The next page (keyset cursor) reads its own leads, and again only those.
    lead_reads.by_urls.clear()
    after = re.search(r'href="/queue\?[^"]*after=([^"&]+)', html).group(1)
    html = client.get(f"/queue?campaign_id={big}&after={after}").text
    page_two = _page_items(world, html)
    assert page_two and not {i.id for i in page_two} & {i.id for i in items}
    assert lead_reads.by_urls == [(big, {i.lead_url for i in page_two},
                                   len({i.lead_url for i in page_two}))]
    assert lead_reads.whole_campaigns == []


def test_queue_page_across_campaigns_reads_each_campaigns_page_leads(client, world, lead_reads):
    big = _campaign(world, "many", BIG_CAMPAIGN, top=84)
    small = world.a.campaigns[0]  # scores 90 and 80: on the first page beside the big one
    page_login(client, world)
    lead_reads.by_urls.clear()

    html = client.get("/queue").text
    items = _page_items(world, html)
    assert {i.campaign_id for i in items} == {big, small}
    assert world.b.campaigns[0] not in html
    asked = {campaign: urls for campaign, urls, _ in lead_reads.by_urls}
    assert len(lead_reads.by_urls) == 2 and set(asked) == {big, small}
    for campaign, urls in asked.items():
        assert urls == {i.lead_url for i in items if i.campaign_id == campaign}
    assert lead_reads.leads_loaded == len({i.lead_url for i in items}) < BIG_CAMPAIGN
    assert lead_reads.whole_campaigns == []
    for item in items:
        assert f'href="{item.lead_url}/team"' in html


def test_editing_a_draft_reads_only_its_own_lead(client, world, lead_reads):
    big = _campaign(world, "edit", BIG_CAMPAIGN)
    csrf = page_login(client, world)
    item = world.approvals(big)[0]
    lead_reads.by_urls.clear()

    response = client.post(f"/queue/{item.id}/edit", data={
        "csrf_token": csrf, "subject": "A new subject",
        "body": "Hi,\n\nA claim-free body.\n\nDana\n--\nDana Example, Shiftly, 12 Harbour Road, "
                "Leith EH6 6LX\nReply 'unsubscribe' to opt out.",
    })
    assert response.status_code == 200 and "Saved. Guard check" in response.text
    assert (big, {item.lead_url}, 1) in lead_reads.by_urls
    # The guard re-check read one lead (the page render after the redirect reads its own page).
    assert lead_reads.by_urls[0] == (big, {item.lead_url}, 1)
    assert lead_reads.whole_campaigns == []
    assert world.repo.get_approval(item.id).draft.subject == "A new subject"
