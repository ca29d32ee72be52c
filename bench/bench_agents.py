"""Qualifier + copywriter throughput (issue 5): (a) the rules engines over N researched leads,
(b) the LLM path against a local fake OpenAI-compatible server with per-call latency.

    .venv/bin/python -m bench.bench_agents --n 1000 --llm-latency-ms 300 --llm-concurrency 16
Writes bench/results/agents.json. Targets: rules >= 1,000 leads/min, LLM >= 100 leads/min.
Drafts are written for every lead, fit or not (an upper bound). Never fails on time.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.fake_openai import FakeOpenAI
from bench.local_web import choose_dataset
from bench.report import print_summary, write_result
from bench.site_fetcher import SampleSiteFetcher
from core.models import CampaignBrief, Draft, Lead, Qualification
from sampleweb.dataset import domain_of, load_records

BENCH_OPTIONS = {"quick": ["--quick"], "results_dir": "--results-dir"}
NAME = "agents"
TARGET_RULES_PER_MIN = 1000
TARGET_LLM_PER_MIN = 100
DEMO_BRIEF = Path(__file__).resolve().parents[1] / "cli" / "data" / "demo_brief.yaml"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.bench_agents", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=1000, help="leads (default 1000)")
    p.add_argument("--llm-latency-ms", type=float, default=300.0, help="fake LLM latency per call")
    p.add_argument("--llm-concurrency", type=int, default=16, help="concurrent LLM calls")
    p.add_argument("--skip-llm", action="store_true", help="rules engines only")
    p.add_argument("--dataset", default=None, help="companies.jsonl (default: full shared dataset)")
    p.add_argument("--quick", action="store_true", help="n=40, for a fast look")
    p.add_argument("--results-dir", type=Path, default=None, help="where the JSON goes")
    args = p.parse_args(argv)
    if args.quick:
        args.n = min(args.n, 40)
    return args


async def build_leads(records: list[dict], n: int) -> tuple[list[Lead], int]:
    """Research sites in-process until ``n`` leads have a company; cycle them when the dataset has
    fewer. Returns (leads, unique leads)."""
    from agents.researcher import research

    fetcher = SampleSiteFetcher(records)
    leads: list[Lead] = []
    for record in records:
        if len(leads) >= n:
            break
        lead = await research(f"http://{domain_of(record)}/", fetcher, index=len(leads))
        if lead.company is not None:
            leads.append(lead)
    unique = len(leads)
    if not leads:
        raise RuntimeError("no site in the dataset produced a company")
    while len(leads) < n:
        leads.append(leads[len(leads) % unique].model_copy(update={"index": len(leads)}))
    return leads, unique


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else 0.0


def _outcome(results: list[tuple[Qualification, list[Draft]]]) -> dict[str, Any]:
    drafts = [d for _, ds in results for d in ds]
    return {
        "fit": sum(1 for q, _ in results if q.fit),
        "qualification_engines": dict(Counter(q.engine for q, _ in results)),
        "drafts": len(drafts),
        "draft_engines": dict(Counter(d.engine for d in drafts)),
        "draft_flags": dict(Counter(f for d in drafts for f in d.flags)),
    }


async def run_rules(leads: list[Lead], brief: CampaignBrief) -> dict[str, Any]:
    from agents.copywriter import write_drafts
    from agents.qualifier import qualify

    per_lead: list[float] = []
    results = []
    started = time.perf_counter()
    for lead in leads:
        t0 = time.perf_counter()
        assert lead.company is not None
        qualification = await qualify(lead.company, brief)
        drafts = await write_drafts(lead, brief, qualification)
        per_lead.append(time.perf_counter() - t0)
        results.append((qualification, drafts))
    seconds = time.perf_counter() - started
    return {
        "leads": len(leads), "seconds": round(seconds, 3),
        "leads_per_minute": round(len(leads) / seconds * 60, 1),
        "ms_per_lead_p50": round(statistics.median(per_lead) * 1000, 2),
        "ms_per_lead_p95": round(percentile(per_lead, 0.95) * 1000, 2),
        **_outcome(results),
    }


async def run_llm(leads: list[Lead], brief: CampaignBrief, latency_ms: float,
                  concurrency: int) -> dict[str, Any]:
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    from agents.copywriter import write_drafts
    from agents.qualifier import qualify
    from tools.llm import TokenBudget

    with FakeOpenAI(latency_ms=latency_ms) as server:
        llm = ChatOpenAI(base_url=server.base_url, model="bench-fake", api_key=SecretStr("bench"),
                         timeout=60, max_retries=2)
        budget = TokenBudget(max_tokens=10**12, max_cost_usd=1e9, model="bench-fake")
        gate = asyncio.Semaphore(concurrency)  # a lead's calls are sequential: one call per slot

        async def one(lead: Lead) -> tuple[Qualification, list[Draft]]:
            assert lead.company is not None
            async with gate:
                qualification = await qualify(lead.company, brief, llm=llm, budget=budget)
                drafts = await write_drafts(lead, brief, qualification, llm=llm, budget=budget)
            return qualification, drafts

        started = time.perf_counter()
        results = await asyncio.gather(*(one(lead) for lead in leads))
        seconds = time.perf_counter() - started
        usage = budget.usage_by_lead().values()
        calls = sum(u.calls for u in usage)
        n = len(leads)
        return {
            "leads": n, "seconds": round(seconds, 2),
            "leads_per_minute": round(n / seconds * 60, 1),
            "llm_latency_ms": latency_ms, "concurrency": concurrency,
            "calls_per_lead": round(calls / n, 2),
            "server_requests_per_lead": round(server.calls / n, 2),
            "max_calls_in_flight": server.max_in_flight,
            "input_tokens_per_lead": round(sum(u.input_tokens for u in usage) / n, 1),
            "output_tokens_per_lead": round(sum(u.output_tokens for u in usage) / n, 1),
            "tokens_per_lead": round(budget.spent_tokens / n, 1),
            "tokens_source": "tools.llm.TokenBudget via UsageRecorder (usage reported by the server)",
            **_outcome(list(results)),
        }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    from core.briefs import load_brief

    args = parse_args(argv)
    dataset = choose_dataset(args.dataset)
    brief = load_brief(DEMO_BRIEF)
    started = time.perf_counter()
    leads, unique = asyncio.run(build_leads(load_records(dataset.path), args.n))
    result: dict[str, Any] = {
        "dataset": str(dataset.path), "full_dataset": dataset.full, "dataset_note": dataset.note,
        "leads": len(leads), "unique_leads": unique,
        "lead_build_seconds": round(time.perf_counter() - started, 1),
        "lead_source": "agents.researcher over sampleweb.sites.build_site(...).lookup in-process",
        "targets": {"rules_leads_per_minute": TARGET_RULES_PER_MIN,
                    "llm_leads_per_minute": TARGET_LLM_PER_MIN},
    }
    rules = asyncio.run(run_rules(leads, brief))
    rules["meets_target"] = rules["leads_per_minute"] >= TARGET_RULES_PER_MIN
    result["rules"] = rules
    print_summary(f"rules engines: qualify + write_drafts over {len(leads)} leads", {
        k: rules[k] for k in ("seconds", "leads_per_minute", "ms_per_lead_p50", "ms_per_lead_p95",
                              "fit", "drafts", "meets_target")})
    if not args.skip_llm:
        llm = asyncio.run(run_llm(leads, brief, args.llm_latency_ms, args.llm_concurrency))
        llm["meets_target"] = llm["leads_per_minute"] >= TARGET_LLM_PER_MIN
        result["llm"] = llm
        print_summary(f"LLM path: fake server, {args.llm_latency_ms:g} ms/call, "
                      f"{args.llm_concurrency} concurrent calls", {
            k: llm[k] for k in ("seconds", "leads_per_minute", "calls_per_lead", "tokens_per_lead",
                                "max_calls_in_flight", "qualification_engines", "draft_engines",
                                "meets_target")})
    path = write_result(NAME, result, args.results_dir)
    print(f"wrote {path}", flush=True)
    return result


if __name__ == "__main__":
    main()
