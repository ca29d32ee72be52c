"""Experiments and replay on a real database: leads saved, approved, queued, sent and answered
through the Repository, then tallied per arm, promoted (audited) and replayed. SQLite file by
default; the ``pg`` variants run the same on PostgreSQL in a fresh database."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.engine import make_url

from agents.experiments import (
    HOLDOUT,
    Arm,
    assign_arm,
    create_experiment,
    experiment_report,
    promote,
    prompts_for_lead,
)
from agents.qualifier import qualify_rules
from core.db import Repository, migrate
from core.db.provision import create_database, drop_database
from core.errors import Conflict, NotFound
from core.models import (
    ICP,
    CampaignBrief,
    Claim,
    Company,
    Contact,
    Draft,
    Evidence,
    Lead,
    Qualification,
    Sender,
)
from evals.replay import load_outcomes, qualifier_scorer, replay

V1 = "copywriter/first_touch@v1"
NEW = "copywriter/follow_up@v1"  # stands in for a first_touch@v2 (only v1 templates exist)
ARMS = [Arm(name="A", prompts={"first_touch": V1}), Arm(name="B", prompts={"first_touch": NEW})]


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.postgres)])
def repo(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'exp.db'}"
        migrate.upgrade(url)
        yield Repository.from_url(url)
        return
    base = request.getfixturevalue("postgres_url")
    url = make_url(base).set(database=f"leadgen_test_{uuid.uuid4().hex[:12]}").render_as_string(hide_password=False)
    create_database(url)
    migrate.upgrade(url)
    repository = Repository.from_url(url)
    yield repository
    repository._sessions.kw["bind"].dispose()
    drop_database(url)


def brief() -> CampaignBrief:
    return CampaignBrief(
        name="Pipelines", offer="Managed data pipelines for logistics teams",
        icp=ICP(industries=["logistics"]),
        sender=Sender(name="Ana Ruiz", company="Pipewise", email="ana@pipewise.io",
                      postal_address="1 Main St, Springfield"),
    )


def lead(domain: str, index: int, first_touch_ref: str, score: int) -> Lead:
    url, source = f"https://{domain}/", f"https://{domain}/about"
    return Lead(
        url=url, index=index, status="qualified",
        company=Company(name=domain.split(".")[0].title(), domain=domain, industry="logistics",
                        description="Freight forwarding for small shippers."),
        contacts=[Contact(name="Jo Park", title="CTO", email=f"jo@{domain}", source_url=source, email_status="found")],
        qualification=Qualification(fit=True, score=score, reasons=["logistics"],
                                    evidence=[Evidence(claim="Logistics company", source_url=source)]),
        drafts=[Draft(step=1, subject=f"Hello {domain}", body="Body", to_email=f"jo@{domain}", to_name="Jo Park",
                      claims=[Claim(text="Logistics company", source_url=source)], prompt_version=first_touch_ref)],
    )


def seed(repo: Repository, campaign_id: str, exp, n: int, reply_kind) -> dict[str, dict[str, int]]:
    """Save, approve, queue and send ``n`` leads with the prompts their group gets; answer each with
    ``reply_kind(group, i)`` (an event kind or None). Returns what was seeded per group."""
    seeded: dict[str, dict[str, int]] = {}
    ws = repo.get_campaign(campaign_id).workspace_id
    for i in range(n):
        domain = f"shipper{i}.example"
        group = assign_arm(exp, domain)
        overrides = prompts_for_lead(repo, campaign_id, domain) or {}
        assert overrides == group.prompts
        repo.save_lead(campaign_id, lead(domain, i, overrides.get("first_touch", V1), score=90 - i % 50))
        counts = seeded.setdefault(group.name, {"leads": 0, "sent": 0, "replies": 0, "positive": 0})
        counts["leads"] += 1
        if i % 10 == 9:
            continue  # saved but never approved: assigned, not contacted
        [item_id] = repo.approval_ids_for_lead(campaign_id, f"https://{domain}/")
        repo.decide(item_id, "approve", "rev@pipewise.io")
        message, _ = repo.enqueue_outbox(item_id)
        repo.mark_outbox(message.id, "sent", provider="file", provider_message_id=f"p-{i}")
        counts["sent"] += 1
        repo.add_event(ws, "delivered", campaign_id=campaign_id, outbox_message_id=message.id)
        kind = reply_kind(group.name, i)
        if kind:
            repo.add_event(ws, kind, campaign_id=campaign_id, outbox_message_id=message.id,
                           provider_event_id=f"reply:{i}")
            counts["replies"] += kind in ("reply_positive", "reply_negative", "reply_neutral", "reply_unsubscribe")
            counts["positive"] += kind == "reply_positive"
    return seeded


def test_create_validates_stores_and_audits(repo):
    ws = repo.ensure_workspace("acme")
    campaign = repo.create_campaign(brief(), [], workspace_id=ws)
    exp = create_experiment(repo, ws, campaign, name="first touch v2", arms=ARMS, holdout_share=0.2, min_sends=50,
                            actor="ana@pipewise.io")
    assert exp.id and exp.status == "running" and exp.arms == ARMS
    [entry] = [e for e in repo.audit_log(ws) if e.action == "experiment.create"]
    assert entry.object_id == exp.id and entry.actor == "ana@pipewise.io"
    with pytest.raises(Conflict):
        create_experiment(repo, ws, campaign, name="again", arms=ARMS)
    other = repo.ensure_workspace("other")
    with pytest.raises(NotFound):
        experiment_report(repo, exp.id, other)
    with pytest.raises(NotFound):
        create_experiment(repo, other, campaign, name="not yours", arms=ARMS)


def test_prompts_for_lead_follows_the_assignment(repo):
    ws = repo.ensure_workspace("acme")
    campaign = repo.create_campaign(brief(), [], workspace_id=ws)
    assert prompts_for_lead(repo, campaign, "anything.example") is None  # no experiment
    exp = create_experiment(repo, ws, campaign, name="t", arms=ARMS, holdout_share=0.3)
    domains = [f"d{i}.example" for i in range(60)]
    got = {d: prompts_for_lead(repo, campaign, d) for d in domains}
    for d in domains:
        arm = assign_arm(exp, d)
        assert got[d] == (None if arm == HOLDOUT else arm.prompts)
    assert None in got.values() and {"first_touch": NEW} in got.values()


def test_report_and_promotion_on_seeded_outcomes(repo):
    ws = repo.ensure_workspace("acme")
    campaign = repo.create_campaign(brief(), [], workspace_id=ws)
    exp = create_experiment(repo, ws, campaign, name="first touch v2", arms=ARMS, holdout_share=0.1, min_sends=20)

    def answer(group: str, i: int) -> str | None:
        if group == "B":
            return "reply_positive" if i % 3 else "reply_out_of_office"
        return "reply_negative" if i % 7 == 0 else "bounce" if i % 11 == 0 else None

    seeded = seed(repo, campaign, exp, 100, answer)  # about 40 sends per arm, whatever the campaign id
    report = experiment_report(repo, exp.id, ws)
    for name, counts in seeded.items():
        g = report.groups[name]
        assert (g.leads, g.sent, g.replies, g.positive) == (
            counts["leads"], counts["sent"], counts["replies"], counts["positive"]), name
        assert g.mismatched == 0
    assert report.groups["A"].positive == 0 and report.groups["B"].positive == seeded["B"]["positive"] > 0

    decision = promote(repo, exp.id, actor="ana@pipewise.io", workspace_id=ws)
    assert decision.action == "promote" and decision.winner == "B"
    assert decision.prompts == {"first_touch": NEW}
    stored = repo.get_experiment(exp.id, ws)
    assert stored.status == "promoted" and stored.winner == "B"
    [entry] = [e for e in repo.audit_log(ws, object_id=exp.id) if e.action == "experiment.promote"]
    assert entry.after["winner"] == "B" and entry.before == {"status": "running", "winner": None}
    with pytest.raises(Conflict):
        promote(repo, exp.id, actor="ana@pipewise.io", workspace_id=ws)
    holdout_domain = next(f"x{i}.example" for i in range(500) if assign_arm(exp, f"x{i}.example") == HOLDOUT)
    assert prompts_for_lead(repo, campaign, holdout_domain) == {"first_touch": NEW}  # the winner serves everyone


def test_promotion_refused_and_recorded_when_evidence_is_thin(repo):
    ws = repo.ensure_workspace("acme")
    campaign = repo.create_campaign(brief(), [], workspace_id=ws)
    exp = create_experiment(repo, ws, campaign, name="too early", arms=ARMS, holdout_share=0.1, min_sends=100)
    seed(repo, campaign, exp, 20, lambda group, i: "reply_positive" if group == "B" else None)
    decision = promote(repo, exp.id, actor="ana@pipewise.io", workspace_id=ws)
    assert decision.action == "keep_running" and decision.winner is None
    assert any("fewer than 100" in r for r in decision.reasons)
    assert repo.get_experiment(exp.id, ws).status == "running"
    [entry] = [e for e in repo.audit_log(ws, object_id=exp.id) if e.action == "experiment.keep_running"]
    assert entry.after["reasons"] == decision.reasons


def test_replay_reads_contacted_leads_from_the_database(repo):
    ws = repo.ensure_workspace("acme")
    campaign = repo.create_campaign(brief(), [], workspace_id=ws)
    exp = create_experiment(repo, ws, campaign, name="t", arms=ARMS)
    seed(repo, campaign, exp, 30, lambda group, i: "reply_positive" if i % 4 == 0 else
         "reply_neutral" if i % 5 == 0 else None)
    cases = load_outcomes(repo, ws, campaign_id=campaign)
    assert len(cases) == 27  # every tenth lead was never sent
    by_id = {c.domain: c for c in cases}
    assert by_id["shipper0.example"].outcome == "positive"
    assert by_id["shipper5.example"].outcome == "replied"
    assert by_id["shipper1.example"].outcome == "none"
    assert by_id["shipper1.example"].current_score == 89
    assert all(c.company is not None and c.brief == brief() for c in cases)
    report = replay(cases, qualifier_scorer(qualify_rules))
    assert report.cases == 27 and report.relevant == sum(c.outcome != "none" for c in cases)
    assert report.current is not None and report.candidate.average_precision is not None
