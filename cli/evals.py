"""`leadgen eval ...`: run the offline suite, compare two runs, gate on the baseline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

eval_app = typer.Typer(help="Offline eval suite: run, compare, gate, add cases from reviews.", no_args_is_help=True)

RUNS_DIR = Path("eval-runs")


def _prompt_overrides(refs: list[str]) -> dict[str, str]:
    """'copywriter/first_touch@v2' -> {'first_touch': 'copywriter/first_touch@v2'}."""
    overrides = {}
    for ref in refs:
        agent, _, rest = ref.partition("/")
        if not rest:
            raise typer.BadParameter(f"{ref!r}: expected AGENT/NAME[@vN], e.g. copywriter/first_touch@v2")
        overrides[rest.split("@", 1)[0]] = ref
    return overrides


@eval_app.command("run")
def eval_run(
    prompts: Annotated[list[str] | None, typer.Option("--prompts", help="Prompt versions to use, e.g. copywriter/first_touch@v2 (repeatable).")] = None,
    engine: Annotated[str, typer.Option(help="rules or llm (LEADGEN_LLM_* settings).")] = "rules",
    slice_: Annotated[str | None, typer.Option("--slice", help="ci, qualification, hostile, copy, review; default: everything.")] = None,
    out_dir: Annotated[Path, typer.Option(help="Where runs are written.")] = RUNS_DIR,
) -> None:
    """Run the suite; prints the metrics and the run's results.json path."""
    from evals.runner import run_suite

    if engine not in ("rules", "llm"):
        raise typer.BadParameter("engine must be 'rules' or 'llm'")
    result = run_suite(engine=engine, prompts=_prompt_overrides(prompts or []), slice=slice_, out_dir=out_dir)
    for name, value in sorted((result.metrics.get("rates") or {}).items()):
        typer.echo(f"{name:<40} {value:.3f}" if isinstance(value, float) else f"{name:<40} {value}")
    typer.echo(f"{result.cases} cases; results: {result.path}")


@eval_app.command("compare")
def eval_compare(
    run_a: Annotated[Path, typer.Argument(help="Baseline run (dir or results.json).")],
    run_b: Annotated[Path, typer.Argument(help="Candidate run (dir or results.json).")],
    out_dir: Annotated[Path | None, typer.Option(help="Report directory (default: next to run B).")] = None,
) -> None:
    """Compare two runs per metric and per case; writes Markdown, HTML (with a chart) and JSON."""
    from evals.compare import compare_runs

    a = run_a / "results.json" if run_a.is_dir() else run_a
    b = run_b / "results.json" if run_b.is_dir() else run_b
    report = compare_runs(a, b, out_dir or b.parent)
    def fmt(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"

    typer.echo(f"{'metric':<36} {'A':>7} {'B':>7} {'B-A':>7}  95% CI of B-A")
    for m in report.metrics:
        ci = f"[{m.delta_ci[0]:+.3f}, {m.delta_ci[1]:+.3f}]" if m.delta_ci else ""
        typer.echo(f"{m.name:<36} {fmt(m.a):>7} {fmt(m.b):>7} {fmt(m.delta):>7}  {ci}")
    typer.echo(f"{len(report.cases)} cases changed pass/fail")
    for kind, path in report.paths.items():
        typer.echo(f"{kind}: {path}")


@eval_app.command("gate")
def eval_gate(
    run: Annotated[Path | None, typer.Argument(help="A run to check; default: run the ci slice now.")] = None,
    tolerance: Annotated[float, typer.Option(help="Allowed drop below the baseline per rate.")] = 0.02,
) -> None:
    """Exit 1 when a metric falls below the committed baseline (evals/baseline.json) beyond the tolerance."""
    from evals.gate import BASELINE, gate
    from evals.runner import run_suite

    path = run if run is not None else run_suite(engine="rules", slice="ci", out_dir=RUNS_DIR).path
    path = path / "results.json" if path.is_dir() else path
    ok, failures = gate(path, BASELINE, tolerance)
    for failure in failures:
        typer.echo(f"FAIL {failure}", err=True)
    typer.echo("gate passed" if ok else "gate failed", err=not ok)
    raise typer.Exit(0 if ok else 1)


@eval_app.command("add-from-reviews")
def eval_add_from_reviews(
    out: Annotated[Path, typer.Option(help="Cases file to append to.")] = Path("evals/datasets/review_cases.jsonl"),
) -> None:
    """Turn reviewer edits and rejections from the approval queue into new copy cases."""
    from core.settings import Settings
    from evals.reviews import add_from_reviews

    added = add_from_reviews(Settings().resolved_database_url, out)
    typer.echo(f"{added} new review cases in {out}")


@eval_app.command("replay")
def eval_replay(
    source: Annotated[str, typer.Argument(help="Recorded outcomes: a JSONL file, or 'db' for the configured database.")],
    candidate: Annotated[str, typer.Option(help="Scorer to evaluate, MODULE:FUNCTION taking (company, brief).")] = "agents.qualifier:qualify_rules",
    campaign: Annotated[str | None, typer.Option(help="Only this campaign (with 'db').")] = None,
    workspace: Annotated[str, typer.Option(help="Workspace (with 'db').")] = "default",
    out: Annotated[Path | None, typer.Option(help="Write the report as JSON here.")] = None,
) -> None:
    """Would a new version have ranked the leads that replied higher? precision@k, AP, NDCG."""
    from core.settings import Settings
    from evals.replay import replay_main

    database_url = Settings().resolved_database_url if source == "db" else None
    report = replay_main(source, candidate, database_url=database_url, workspace=workspace,
                         campaign_id=campaign, out=out)
    typer.echo(report.to_text())
