"""Scale-out: one large campaign researched by 1 and then 2 `leadgen worker` processes (Redis
broker; one SQLite WAL database, then one PostgreSQL database; the sample web in a child process as
HTTP proxy; no browser): companies/min of the lead phase and up to the approval gate, and the
speed-up of 2 workers over 1.

``ScaleOutCluster`` (workers, campaign, waiting) is also what tests/integration/test_scale_out.py runs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEMO_BRIEF = ROOT / "cli/data/demo_brief.yaml"
BENCH_OPTIONS = {"quick": ["--quick"], "results_dir": "--results-dir"}
GATE_STATUSES = ("awaiting_approval", "completed", "failed")


@dataclass
class ScaleOutCluster:
    """Worker processes sharing one data dir (SQLite database, checkpoints, file outbox) and one
    Celery queue of their own."""

    data_dir: Path
    broker_url: str
    proxy_url: str
    shard_size: int = 50
    database_url: str | None = None  # None: SQLite (WAL) in data_dir
    queue: str = field(default_factory=lambda: f"leadgen-scale-{uuid.uuid4().hex[:8]}")
    extra_env: dict[str, str] = field(default_factory=dict)
    workers: list[subprocess.Popen] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LEADGEN_")}
        env.update(
            LEADGEN_DATA_DIR=str(self.data_dir),
            LEADGEN_HTTP_PROXY=self.proxy_url,
            LEADGEN_BROKER_URL=self.broker_url,
            LEADGEN_CELERY_QUEUE=self.queue,
            LEADGEN_PER_HOST_DELAY="0.02",
            LEADGEN_BROWSER="false",
            LEADGEN_SHARD_SIZE=str(self.shard_size),
            LEADGEN_WORKER_METRICS_PORT="0",
            LEADGEN_SEND_IMMEDIATELY="true",
            LEADGEN_LOG_LEVEL="WARNING",
            LANGSMITH_TRACING="false",
            PYTHONPATH=str(ROOT),
        )
        if self.database_url:
            env["LEADGEN_DATABASE_URL"] = self.database_url
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # each worker gets a directory of its own
        env.update(self.extra_env)
        return env

    def settings(self):
        from core.settings import Settings

        env = self.env()
        return Settings(**{k.removeprefix("LEADGEN_").lower(): v for k, v in env.items()
                           if k.startswith("LEADGEN_")})

    def repository(self):
        from graph.deps import make_repository

        return make_repository(self.settings())

    def prepare_database(self) -> None:
        from cli.database import ensure_database

        ensure_database(self.settings())

    def start_workers(self, count: int) -> None:
        logs = self.data_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        for _ in range(count):
            out = open(logs / f"worker-{len(self.workers)}.log", "w")  # noqa: SIM115  (closed with the process)
            self.workers.append(subprocess.Popen(
                [sys.executable, "-m", "cli.main", "worker", "--concurrency", "1"],
                env=self.env(), cwd=self.data_dir, stdout=out, stderr=subprocess.STDOUT,
            ))

    def worker_log(self, number: int) -> str:
        return (self.data_dir / "logs" / f"worker-{number}.log").read_text(errors="replace")

    def worker_processes(self) -> list[set[int]]:
        """The pids of each worker: its main process and its pool children."""
        found = []
        for proc in self.workers:
            try:
                found.append({proc.pid} | {c.pid for c in psutil.Process(proc.pid).children(recursive=True)})
            except psutil.NoSuchProcess:
                found.append({proc.pid})
        return found

    def worker_cpu_seconds(self) -> float:
        """CPU time (user + system) the worker processes and their pool children used so far."""
        total = 0.0
        for pids in self.worker_processes():
            for pid in pids:
                try:
                    times = psutil.Process(pid).cpu_times()
                except psutil.NoSuchProcess:
                    continue
                total += times.user + times.system
        return total

    def assert_workers_alive(self) -> None:
        for number, proc in enumerate(self.workers):
            if proc.poll() is not None:
                raise RuntimeError(f"worker {number} exited ({proc.returncode}):\n{self.worker_log(number)[-3000:]}")

    def stop_workers(self) -> None:
        for proc in self.workers:
            proc.terminate()
        for proc in self.workers:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        self.workers.clear()

    def create_campaign(self, urls: list[str], name: str = "scale-out") -> str:
        from core.models import CampaignBrief

        repo = self.repository()
        brief = CampaignBrief.model_validate({**yaml.safe_load(DEMO_BRIEF.read_text()), "name": name})
        return repo.create_campaign(brief, urls, workspace_id=repo.ensure_workspace("scale-out"))

    def send_task(self, name: str, *args: Any) -> None:
        from workers.app import make_celery

        app = make_celery(self.settings())
        try:
            app.send_task(name, args=list(args), queue=self.queue)
        finally:
            app.close()

    def wait_for_status(self, campaign_id: str, statuses: tuple[str, ...], timeout: float,
                        on_poll=None) -> str:
        repo = self.repository()
        deadline = time.monotonic() + timeout
        while True:
            status = repo.get_campaign(campaign_id).status
            if status in statuses:
                return status
            self.assert_workers_alive()
            if on_poll is not None:
                on_poll(repo)
            if time.monotonic() > deadline:
                raise TimeoutError(f"campaign {campaign_id} still {status} after {timeout:.0f}s")
            time.sleep(0.5)


def run_campaign(cluster: ScaleOutCluster, urls: list[str], workers: int, timeout: float) -> dict[str, Any]:
    """Start ``workers`` workers, run one campaign of ``urls`` to the approval gate, stop them."""
    cluster.prepare_database()
    campaign_id = cluster.create_campaign(urls, name=f"scale-out x{workers}")
    cluster.start_workers(workers)
    marks: dict[str, float] = {}

    def note_phase(repo) -> None:
        phase = repo.lead_phase(campaign_id)
        if phase is not None and phase.finished and "lead_phase" not in marks:
            marks["lead_phase"] = time.perf_counter() - started

    try:
        time.sleep(3.0)  # let the workers connect; their start-up is not the campaign's time
        started = time.perf_counter()
        cluster.send_task("leadgen.start_campaign", campaign_id)
        status = cluster.wait_for_status(campaign_id, GATE_STATUSES, timeout, on_poll=note_phase)
        total = time.perf_counter() - started
        cpu = cluster.worker_cpu_seconds()
    finally:
        cluster.stop_workers()
    repo = cluster.repository()
    note_phase(repo)
    claims = repo.lead_claims(campaign_id)
    counts = repo.campaign_counts(campaign_id)
    lead_phase = marks.get("lead_phase", total)
    return {
        "workers": workers,
        "status": status,
        "companies": len(urls),
        "lead_phase_seconds": round(lead_phase, 2),
        "to_gate_seconds": round(total, 2),
        "research_companies_per_minute": round(len(urls) / lead_phase * 60, 1),
        "companies_per_minute": round(len(urls) / total * 60, 1),
        "worker_cpu_seconds": round(cpu, 1),
        "leads": counts["leads"],
        "drafts": counts["drafts"],
        "claims": len(claims),
        "claims_taken_over": sum(c.attempts - 1 for c in claims),
        "claims_by_worker_process": len({c.claimed_by for c in claims}),
    }


@contextmanager
def scratch_database(kind: str, postgres_server: str) -> Iterator[str | None]:
    """None for SQLite (a file in the cluster's data dir); a fresh PostgreSQL database otherwise."""
    if kind == "sqlite":
        yield None
        return
    from sqlalchemy.engine import make_url

    from core.db.provision import create_database, drop_database

    url = make_url(postgres_server).set(database=f"leadgen_bench_{uuid.uuid4().hex[:10]}")
    rendered = url.render_as_string(hide_password=False)
    create_database(rendered)
    try:
        yield rendered
    finally:
        drop_database(rendered)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_scale_out", description=__doc__)
    parser.add_argument("--n", type=int, default=1000, help="companies in the campaign")
    parser.add_argument("--shard-size", type=int, default=50)
    parser.add_argument("--page-budget", type=int, default=8, help="pages read per company")
    parser.add_argument("--databases", default="sqlite,postgres", help="comma separated: sqlite, postgres")
    parser.add_argument("--postgres-server", default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
                        help="a scratch database is created on this server and dropped afterwards")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="sample web delay per response")
    parser.add_argument("--broker-url", default=os.environ.get("LEADGEN_BROKER_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--dataset", default=None)
    parser.add_argument("--timeout", type=float, default=1800.0)
    parser.add_argument("--quick", action="store_true", help="120 companies, shards of 20")
    parser.add_argument("--results-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.shard_size = min(args.n, 120), 20

    import tempfile

    from bench.local_web import choose_dataset, sample_web_process
    from bench.report import print_summary, write_result
    from sampleweb.dataset import domain_of, load_records

    dataset = choose_dataset(args.dataset)
    records = load_records(dataset.path)
    urls = [f"http://{domain_of(record)}/" for record in records][: args.n]
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    results: dict[str, Any] = {}
    with sample_web_process(args.latency_ms, dataset.path) as web, \
            tempfile.TemporaryDirectory(prefix="leadgen-scale-out-") as tmp:
        for database in databases:
            runs = []
            for workers in (1, 2):
                with scratch_database(database, args.postgres_server) as database_url:
                    cluster = ScaleOutCluster(
                        Path(tmp) / f"{database}-x{workers}", args.broker_url, web.proxy_url,
                        shard_size=args.shard_size, database_url=database_url,
                        extra_env={"LEADGEN_PAGE_BUDGET": str(args.page_budget)},
                    )
                    runs.append(run_campaign(cluster, urls, workers, args.timeout))
                print_summary(f"scale-out on {database}, {workers} worker(s)", runs[-1])
            one, two = runs
            results[database] = {
                "runs": runs,
                "speedup_research": round(two["research_companies_per_minute"] / one["research_companies_per_minute"], 2),
                "speedup_to_gate": round(two["companies_per_minute"] / one["companies_per_minute"], 2),
            }
            print_summary(f"scale-out speed-up on {database} (2 workers / 1)", {
                "research": results[database]["speedup_research"],
                "to approval gate": results[database]["speedup_to_gate"]})
    data = {
        "dataset": str(dataset.path),
        "full_dataset": dataset.full,
        "dataset_note": dataset.note,
        "companies": len(urls),
        "settings": {"shard_size": args.shard_size, "page_budget": args.page_budget,
                     "latency_ms": args.latency_ms, "browser": False, "per_host_delay": 0.02,
                     "worker_concurrency": 1, "company_concurrency": 16},
        "databases": results,
    }
    write_result("scale_out", data, args.results_dir)
    return data


if __name__ == "__main__":
    main()
