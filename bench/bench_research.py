"""Researcher throughput (issue 4): N companies on the sample web with per-response latency, through
the real fetcher (proxy, robots, politeness, chromium), then the same list through the whole graph.

    .venv/bin/python -m bench.bench_research --n 1000 --latency-ms 50
Writes bench/results/research.json. Targets: >= 300 companies/min, peak RSS <= 600 MB. Never fails on time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.local_web import choose_dataset, sample_web_process
from bench.report import print_summary, write_result
from bench.rss import PeakRss
from core.models import Lead
from core.settings import Settings
from sampleweb.dataset import domain_of, load_records

BENCH_OPTIONS = {"quick": ["--quick"], "results_dir": "--results-dir"}
NAME = "research"
TARGET_PER_MIN = 300
TARGET_RSS_MB = 600
DEMO_BRIEF = Path(__file__).resolve().parents[1] / "cli" / "data" / "demo_brief.yaml"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.bench_research", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=1000, help="companies (default 1000)")
    p.add_argument("--latency-ms", type=float, default=50.0, help="latency added to every response")
    p.add_argument("--concurrency", type=int, default=None,
                   help="companies at once (default: settings.company_concurrency)")
    p.add_argument("--no-browser", action="store_true", help="httpx only, no chromium re-render")
    p.add_argument("--skip-graph", action="store_true", help="researcher only, not the whole graph")
    p.add_argument("--dataset", default=None, help="companies.jsonl (default: full shared dataset)")
    p.add_argument("--profile", action="store_true",
                   help="cProfile the researcher run; top functions go into the JSON")
    p.add_argument("--quick", action="store_true", help="n=40, for a fast look")
    p.add_argument("--results-dir", type=Path, default=None, help="where the JSON goes")
    args = p.parse_args(argv)
    if args.quick:
        args.n = min(args.n, 40)
    return args


def bench_settings(data_dir: Path, proxy_url: str, args: argparse.Namespace) -> Settings:
    """Product defaults, except: the sample web as proxy, page cache off, browser as asked."""
    overrides: dict[str, Any] = {"data_dir": data_dir, "http_proxy": proxy_url, "page_cache": False,
                                 "browser": not args.no_browser}
    if args.concurrency:
        overrides["company_concurrency"] = args.concurrency
    return Settings(_env_file=None, **overrides)  # type: ignore[call-arg]


def error_kind(lead: Lead) -> str | None:
    if lead.status != "error":
        return None
    return (lead.error or "unknown").split(":", 1)[0].strip() or "unknown"


def per_minute(count: int, seconds: float) -> float:
    return round(count / seconds * 60, 1) if seconds > 0 else 0.0


async def research_all(settings: Settings, urls: list[str]) -> tuple[list[Lead], dict[str, Any]]:
    from agents.researcher import research
    from tools.web.fetcher import build_fetcher

    fetcher = build_fetcher(settings)
    gate = asyncio.Semaphore(settings.company_concurrency)

    async def one(i: int, url: str) -> Lead:
        async with gate:
            return await research(url, fetcher, page_budget=settings.page_budget, index=i,
                                  deadline=settings.research_deadline)

    try:
        leads = await asyncio.gather(*(one(i, u) for i, u in enumerate(urls)))
    finally:
        await fetcher.aclose()
    return list(leads), fetcher.metrics()


def run_researcher(settings: Settings, urls: list[str], web_pid: int,
                   profile: bool) -> dict[str, Any]:
    profiler = cProfile.Profile() if profile else None
    with PeakRss(exclude={web_pid}) as peak:
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        leads, metrics = asyncio.run(research_all(settings, urls))
        if profiler:
            profiler.disable()
        seconds = time.perf_counter() - started
    errors = Counter(k for k in map(error_kind, leads) if k)
    result: dict[str, Any] = {
        "companies": len(urls),
        "seconds": round(seconds, 2),
        "companies_per_minute": per_minute(len(urls), seconds),
        "leads_ok": sum(1 for lead in leads if lead.status != "error"),
        "contacts_found": sum(len(lead.contacts) for lead in leads),
        "pages_fetched": metrics["pages"],
        "http_requests": metrics["requests"],
        "browser_renders": metrics["browser_renders"],
        "robots_refusals": metrics["robots_refusals"],
        "fetch_errors_by_kind": metrics["errors"],
        "lead_errors_by_kind": dict(errors),
        "peak_rss_mb": peak.peak_mb,
        "peak_pss_mb": peak.peak_pss_mb,
        "peak_breakdown": peak.breakdown_mb,
        "rss_samples": peak.samples,
    }
    if profiler:
        result["profile_top"] = top_functions(profiler)
    return result


def top_functions(profiler: cProfile.Profile, limit: int = 25) -> list[dict[str, Any]]:
    """The functions with the most own time (file:function, calls, tottime, cumtime)."""
    stats = pstats.Stats(profiler, stream=io.StringIO())
    rows = []
    for (filename, line, func), (_, ncalls, tottime, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append({"where": f"{_short_path(filename)}:{line}:{func}", "calls": ncalls,
                     "tottime_s": round(tottime, 3), "cumtime_s": round(cumtime, 3)})
    rows.sort(key=lambda r: r["tottime_s"], reverse=True)
    return rows[:limit]


def _short_path(filename: str) -> str:
    for marker in ("/site-packages/", "/work/main/", "/lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


def run_graph(settings: Settings, urls: list[str], web_pid: int) -> dict[str, Any]:
    from cli.run import ensure_database, run_to_gate
    from core.briefs import load_brief

    ensure_database(settings)
    brief = load_brief(DEMO_BRIEF)
    out = io.StringIO()
    with PeakRss(exclude={web_pid}) as peak:
        started = time.perf_counter()
        campaign_id, leads, status = asyncio.run(
            run_to_gate(settings, brief, urls, out, workspace="bench", show_progress=False))
        seconds = time.perf_counter() - started
    statuses = Counter(lead.status or "none" for lead in leads)
    return {
        "companies": len(urls),
        "seconds": round(seconds, 2),
        "companies_per_minute": per_minute(len(urls), seconds),
        "campaign_status": status,
        "lead_statuses": dict(statuses),
        "lead_errors_by_kind": dict(Counter(k for k in map(error_kind, leads) if k)),
        "drafts": sum(len(lead.drafts) for lead in leads),
        "peak_rss_mb": peak.peak_mb,
        "peak_pss_mb": peak.peak_pss_mb,
        "database": "sqlite (temp file)" if not settings.is_postgres else "postgresql",
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    dataset = choose_dataset(args.dataset)
    records = load_records(dataset.path)[: args.n]
    urls = [f"http://{domain_of(r)}/" for r in records]
    result: dict[str, Any] = {
        "dataset": str(dataset.path), "full_dataset": dataset.full, "dataset_note": dataset.note,
        "latency_ms": args.latency_ms, "browser": not args.no_browser,
        "fetcher": "tools.web.fetcher.build_fetcher (page cache off, via sampleweb proxy)",
        "targets": {"companies_per_minute": TARGET_PER_MIN, "peak_rss_mb": TARGET_RSS_MB},
    }
    if not dataset.full:
        print(f"NOTE: {dataset.note}", flush=True)
    with sample_web_process(args.latency_ms, dataset.path) as web, \
            tempfile.TemporaryDirectory(prefix="bench-research-") as tmp:
        settings = bench_settings(Path(tmp) / "research", web.proxy_url, args)
        result["settings"] = {k: getattr(settings, k) for k in (
            "company_concurrency", "per_host_concurrency", "per_host_delay", "global_concurrency",
            "page_budget", "fetch_timeout", "fetch_retries")}
        result["researcher"] = run_researcher(settings, urls, web.pid, args.profile)
        r = result["researcher"]
        r["meets_throughput_target"] = r["companies_per_minute"] >= TARGET_PER_MIN
        r["meets_rss_target"] = r["peak_rss_mb"] <= TARGET_RSS_MB
        r["meets_pss_target"] = r["peak_pss_mb"] <= TARGET_RSS_MB
        print_summary(f"researcher: {len(urls)} companies, {args.latency_ms:g} ms latency", {
            k: r[k] for k in ("seconds", "companies_per_minute", "pages_fetched", "browser_renders",
                              "fetch_errors_by_kind", "lead_errors_by_kind", "peak_rss_mb",
                              "peak_pss_mb", "peak_breakdown", "meets_throughput_target", "meets_rss_target")})
        if not args.skip_graph:
            graph_settings = bench_settings(Path(tmp) / "graph", web.proxy_url, args)
            try:
                g = run_graph(graph_settings, urls, web.pid)
            except Exception as exc:  # keep the researcher numbers; say why the graph run stopped
                g = {"error": f"{type(exc).__name__}: {exc}", "seconds": 0.0,
                     "companies_per_minute": None, "lead_statuses": {}, "drafts": 0,
                     "peak_rss_mb": None, "peak_pss_mb": None}
            g["overhead_vs_researcher"] = (round(g["seconds"] / r["seconds"], 2)
                                           if r["seconds"] and g["seconds"] else None)
            result["graph"] = g
            print_summary("whole graph (cli.run.run_to_gate, SQLite)", {
                k: g[k] for k in ("seconds", "companies_per_minute", "lead_statuses", "drafts",
                                  "peak_rss_mb", "peak_pss_mb", "overhead_vs_researcher")})
    path = write_result(NAME, result, args.results_dir)
    print(f"wrote {path}", flush=True)
    return result


if __name__ == "__main__":
    main()
