"""core/metrics.py and its callers: every catalogued metric is registered with its type and labels,
and each instrumented function moves the metric it owns (compared before/after: the process
registry is shared by every test)."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from langchain_core.messages import HumanMessage
from langgraph.runtime import Runtime
from prometheus_client import REGISTRY, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from core import metrics
from core.errors import FetchError
from core.metrics_export import DerivedRatios, eval_accuracy, exposition_registry
from core.models import CampaignBrief, Company, Contact, Lead, Qualification, Sender
from graph import nodes
from graph.deps import Deps
from tests.unit.test_llm import ScriptedChatModel, Verdict
from tests.unit.test_ops_config import (
    _METRIC_NAME,
    CATALOG,
    DASHBOARD,
    dashboard_exprs,
    load_alert_rules,
    parse_catalog,
    resolve_metric,
)
from tools.llm import TokenBudget, structured_call
from tools.web.fetcher import WebFetcher
from workers.metrics_server import count_task

CAT = parse_catalog(CATALOG.read_text())


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@contextmanager
def change(name: str, **labels: str) -> Iterator[list[float]]:
    """Yields a list that holds, after the block, how much the sample moved."""
    moved: list[float] = []
    before = value(name, **labels)
    yield moved
    moved.append(value(name, **labels) - before)


def exposed() -> dict[str, object]:
    text = generate_latest(exposition_registry()).decode()
    return {family.name: family for family in text_string_to_metric_families(text)}


# --- the registry matches the catalog, the dashboard and the alerts -------------------------


def family_name(catalog_name: str) -> str:
    """The parser names a counter family without its ``_total``."""
    return catalog_name.removesuffix("_total") if CAT[catalog_name]["type"] == "counter" else catalog_name


def test_every_catalog_metric_is_registered_with_its_type_and_labels():
    metrics.record_lead("research", "ok", 0.1)  # histograms need one sample to show their labels
    families = exposed()
    for name, entry in CAT.items():
        family = families.get(family_name(name))
        assert family is not None, f"{name} is not exposed"
        assert family.type == entry["type"], name
        label_sets = {frozenset(s.labels) - {"le"} for s in family.samples
                      if not s.name.endswith("_created")}
        for labels in label_sets:
            assert labels == entry["labels"], f"{name}: labels {sorted(labels)}"


def test_every_metric_the_dashboard_and_alerts_use_is_registered():
    families = exposed()
    exprs = [expr for _, expr in dashboard_exprs(json.loads(DASHBOARD.read_text()))]
    exprs += [rule["expr"] for rule in load_alert_rules()]
    used = {resolve_metric(name, CAT) for expr in exprs for name in _METRIC_NAME.findall(expr)}
    assert None not in used
    assert {family_name(name) for name in used} <= set(families)


def test_registry_defines_nothing_outside_the_catalog():
    ours = {name for name in exposed() if name.startswith("leadgen_")}
    assert ours == {family_name(name) for name in CAT}


# --- recording functions -------------------------------------------------------------------


def test_label_values_stay_in_a_closed_set():
    with change("leadgen_messages_deferred_total", provider="other", reason="other") as moved:
        metrics.record_deferred("carrier-pigeon", "because I said so")
    assert moved == [1.0]
    assert metrics.label_word("Spam Phrasing: 'act now'") == "spam_phrasing"
    assert metrics.label_word("") == "other"


def test_smtp_acceptance_counts_as_delivered_but_sendgrid_waits_for_its_event():
    with change("leadgen_messages_delivered_total", provider="smtp") as smtp, \
            change("leadgen_messages_delivered_total", provider="sendgrid") as sendgrid, \
            change("leadgen_messages_sent_total", provider="sendgrid") as sent:
        metrics.record_sent("smtp")
        metrics.record_sent("sendgrid")
    assert (smtp, sendgrid, sent) == ([1.0], [0.0], [1.0])


def test_provider_of_a_mailer():
    from tools.mail.file_outbox import FileOutboxMailer
    from tools.mail.sendgrid import SendGridMailer
    from tools.mail.smtp import SMTPMailer

    assert metrics.provider_of(FileOutboxMailer.__new__(FileOutboxMailer)) == "file"
    assert metrics.provider_of(SMTPMailer.__new__(SMTPMailer)) == "smtp"
    assert metrics.provider_of(SendGridMailer.__new__(SendGridMailer)) == "sendgrid"
    assert metrics.provider_of(type("M", (), {"provider": "smtp"})()) == "smtp"
    assert metrics.provider_of(object()) == "other"


def test_queued_and_qualification_feedback():
    with change("leadgen_messages_queued_total") as queued:
        metrics.record_queued(3)
    with change("leadgen_qualification_feedback_total", verdict="correct") as correct, \
            change("leadgen_qualification_feedback_total", verdict="incorrect") as incorrect:
        metrics.record_qualification_feedback(True, "approve")
        metrics.record_qualification_feedback(False, "reject")
        metrics.record_qualification_feedback(True, "reject")
    assert (queued, correct, incorrect) == ([3.0], [2.0], [1.0])


def test_budget_series_disappears_when_the_campaign_ends():
    metrics.record_budget_used("camp-x", 0.5, 2.0)
    assert value("leadgen_llm_budget_used_ratio", campaign="camp-x", resource="cost") == 1.0
    metrics.clear_budget("camp-x")
    assert REGISTRY.get_sample_value(
        "leadgen_llm_budget_used_ratio", {"campaign": "camp-x", "resource": "tokens"}) is None


def test_worker_task_outcomes_from_celery_postrun():
    class Task:
        name = "leadgen.start_campaign"

    with change("leadgen_worker_tasks_total", task="start_campaign", outcome="ok") as ok, \
            change("leadgen_worker_tasks_total", task="start_campaign", outcome="failed") as failed:
        count_task(sender=Task(), state="SUCCESS")
        count_task(sender=Task(), state="FAILURE")
        count_task(sender=type("Other", (), {"name": "celery.backend_cleanup"})(), state="SUCCESS")
    assert (ok, failed) == ([1.0], [1.0])


# --- derived ratios ------------------------------------------------------------------------


def test_ratios_are_computed_from_the_counters_at_scrape_time():
    registry_metrics = [metrics.MESSAGES_SENT, metrics.MESSAGES_DELIVERED, metrics.HTTP_REQUESTS]
    sent = sum(value("leadgen_messages_sent_total", provider=p) for p in metrics.PROVIDERS)
    delivered = sum(value("leadgen_messages_delivered_total", provider=p) for p in metrics.PROVIDERS)
    metrics.record_sent("smtp")
    ratios = {f.name: f for f in DerivedRatios(lambda: [m for x in registry_metrics for m in x.collect()]).collect()}
    [sample] = ratios["leadgen_deliverability_ratio"].samples
    assert sample.value == pytest.approx((delivered + 1) / (sent + 1))


def test_ratios_without_a_denominator_have_no_sample():
    families = {f.name: f for f in DerivedRatios(lambda: []).collect()}
    assert families["leadgen_deliverability_ratio"].samples == []
    assert families["leadgen_api_error_ratio"].samples == []


def test_eval_accuracy_prefers_the_newest_run_then_the_baseline(tmp_path):
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps({"slices": {"ci": {"rates": {"qualification.accuracy": 0.5}},
                                               "all": {"rates": {"qualification.accuracy": 0.75}}}}))
    runs = tmp_path / "runs"
    assert eval_accuracy(runs, baseline) == 0.75
    for name, accuracy in (("20250101T000000-rules-ci", 0.6), ("20250102T000000-rules-all", 0.9)):
        (runs / name).mkdir(parents=True)
        (runs / name / "results.json").write_text(json.dumps(
            {"metrics": {"rates": {"qualification.accuracy": {"value": accuracy, "k": 9, "n": 10}}}}))
    assert eval_accuracy(runs, baseline) == 0.9
    assert eval_accuracy(tmp_path / "none", tmp_path / "missing.json") is None


# --- instrumented functions ---------------------------------------------------------------


async def test_llm_usage_is_counted_per_agent_and_budget_per_campaign():
    model = ScriptedChatModel(responder=lambda m, t: {"label": "fit", "score": 7},
                              input_tokens=40, output_tokens=10, model_name="gpt-4o-mini")
    budget = TokenBudget(max_tokens=200, max_cost_usd=1.0, model="gpt-4o-mini")
    with change("leadgen_llm_tokens_total", agent="qualifier", kind="prompt") as prompt, \
            change("leadgen_llm_tokens_total", agent="qualifier", kind="completion") as completion, \
            change("leadgen_llm_cost_usd_total", agent="qualifier") as cost:
        with metrics.llm_scope("qualifier", "camp-llm"):
            await structured_call(model, Verdict, [HumanMessage("x")], budget=budget)
    assert (prompt, completion) == ([40.0], [10.0])
    assert cost[0] == pytest.approx(budget.spent_usd) and cost[0] > 0
    assert value("leadgen_llm_budget_used_ratio", campaign="camp-llm", resource="tokens") == 0.25
    metrics.clear_budget("camp-llm")


async def test_llm_usage_is_counted_without_a_budget():
    model = ScriptedChatModel(responder=lambda m, t: {"label": "fit", "score": 7})
    with change("leadgen_llm_tokens_total", agent="copywriter", kind="prompt") as prompt:
        with metrics.llm_scope("copywriter"):
            await structured_call(model, Verdict, [HumanMessage("x")], budget=None)
    assert prompt == [100.0]


class _Site(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        body = b"User-agent: *\nDisallow: /private\n" if self.path == "/robots.txt" else b"<html>ok</html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain" if self.path == "/robots.txt" else "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


async def test_fetch_errors_by_kind_with_robots_refusals(settings, site):
    fetcher = WebFetcher(settings.model_copy(update={"page_cache": False, "browser": False}))
    try:
        with change("leadgen_fetch_errors_total", kind="robots") as robots, \
                change("leadgen_fetch_errors_total", kind="unsafe_url") as unsafe:
            await fetcher.fetch(f"{site}/")
            with pytest.raises(FetchError):
                await fetcher.fetch(f"{site}/private/page")
            with pytest.raises(FetchError):
                await fetcher.fetch("http://10.1.2.3/")
    finally:
        await fetcher.aclose()
    assert (robots, unsafe) == ([1.0], [1.0])


class _FailingFetcher:
    async def fetch(self, url: str, *, render: bool | None = None):
        raise FetchError("no such host", kind="dns", url=url)

    async def fetch_text(self, url: str) -> str:
        raise FetchError("no such host", kind="dns", url=url)


def _brief() -> CampaignBrief:
    sender = Sender(name="Sam Reed", company="Pipewise", email="sam@pipewise.dev",
                    postal_address="12 Market St, Springfield, IL 62701, USA")
    return CampaignBrief(name="Data teams", offer="We help data teams ship reliable pipelines",
                         sender=sender, sequence_steps=2)


def _lead() -> Lead:
    home = "https://www.northwind.example/"
    company = Company(name="Northwind Analytics", domain="northwind.example",
                      description="Northwind builds demand forecasting software for grocery chains.",
                      sources={"description": home},
                      pages={home: "Northwind builds demand forecasting software for grocery chains."})
    contact = Contact(name="Maria Lopez", title="COO", email="maria@northwind.example",
                      email_status="found", source_url=home)
    return Lead(url=home, company=company, contacts=[contact])


def _runtime(**deps) -> Runtime:
    return Runtime(context=Deps(fetcher=deps.pop("fetcher", None), repository=deps.pop("repository", None),
                                mailer=None, **deps))


async def test_research_node_counts_failed_leads_and_their_time():
    state = {"campaign_id": "c1", "url": "https://unreachable.example/", "index": 0}
    with change("leadgen_leads_total", stage="research", outcome="failed") as failed, \
            change("leadgen_stage_duration_seconds_count", stage="research") as timed:
        update = await nodes.research(state, _runtime(fetcher=_FailingFetcher()))
    assert update["lead"]["status"] == "error"
    assert (failed, timed) == ([1.0], [1.0])


async def test_qualify_node_counts_skipped_and_verdicts():
    brief = _brief().model_dump(mode="json")
    broken = Lead(url="https://x.example/", status="error").model_dump(mode="json")
    with change("leadgen_leads_total", stage="qualify", outcome="skipped") as skipped:
        assert await nodes.qualify({"campaign_id": "c1", "brief": brief, "lead": broken}, _runtime()) == {}
    assert skipped == [1.0]
    before = {o: value("leadgen_leads_total", stage="qualify", outcome=o) for o in ("ok", "disqualified")}
    update = await nodes.qualify({"campaign_id": "c1", "brief": brief,
                                  "lead": _lead().model_dump(mode="json")}, _runtime())
    outcome = "ok" if update["lead"]["status"] == "qualified" else "disqualified"
    assert value("leadgen_leads_total", stage="qualify", outcome=outcome) == before[outcome] + 1


class _NoExperiments:
    """The write node asks the repository whether the campaign runs an experiment: it does not."""

    def campaign_experiment(self, campaign_id: str):
        return None


async def test_write_node_counts_each_drafts_guard_flags():
    lead = _lead()
    lead.status, lead.qualification = "qualified", Qualification(fit=True, score=80)
    state = {"campaign_id": "c1", "brief": _brief().model_dump(mode="json"),
             "lead": lead.model_dump(mode="json")}
    before = {name: value("leadgen_guard_flags_total", guard=name)
              for name in ("missing_opt_out", "no_claim", "no_recipient", "spam_phrasing",
                           "unsupported_claim_removed", "body_too_long")}
    with change("leadgen_leads_total", stage="write", outcome="ok") as written:
        update = await nodes.write(state, _runtime(repository=_NoExperiments()))
    drafts = update["lead"]["drafts"]
    assert drafts and written == [1.0]
    flags = [flag for draft in drafts for flag in draft["flags"]]
    for name in set(flags):
        assert value("leadgen_guard_flags_total", guard=name) == before.get(name, 0.0) + flags.count(name)


class _DecidedRepository:
    def __init__(self, decided: dict[str, str]) -> None:
        self.decided = decided

    def decisions(self, campaign_id: str) -> dict[str, str]:
        return self.decided


async def test_review_counts_a_lead_once_all_its_drafts_are_decided():
    approvals = {"a1": {"index": 0, "step": 1}, "a2": {"index": 0, "step": 2},
                 "b1": {"index": 1, "step": 1}}
    state = {"campaign_id": "c1", "approvals": approvals, "decisions": {}}
    with change("leadgen_leads_total", stage="review", outcome="ok") as ok, \
            change("leadgen_leads_total", stage="review", outcome="disqualified") as rejected:
        runtime = _runtime(repository=_DecidedRepository({"a1": "approve", "b1": "reject"}))
        update = await nodes.approval(state, runtime)
        assert set(update["decisions"]) == {"a1", "b1"}
        state["decisions"] = update["decisions"]
        runtime = _runtime(repository=_DecidedRepository({"a1": "approve", "b1": "reject", "a2": "reject"}))
        assert set((await nodes.approval(state, runtime))["decisions"]) == {"a2"}
    assert (ok, rejected) == ([1.0], [1.0])
