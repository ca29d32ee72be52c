"""`leadgen experiments ...`: create a prompt experiment on a campaign, report on it, promote the winner."""

from __future__ import annotations

import json
from typing import Annotated

import typer

experiments_app = typer.Typer(help="Prompt experiments on campaigns: create, report, promote.", no_args_is_help=True)


def _repository():
    from cli.database import ensure_database
    from core.db.repository import Repository
    from core.settings import Settings

    settings = Settings()
    ensure_database(settings)
    return Repository.from_url(settings.resolved_database_url)


def _arm(text: str):
    """'B=copywriter/first_touch@v2,copywriter/follow_up@v2[:weight]' (each ref overrides the role of
    its own name) or JSON '{"name": "B", "prompts": {"first_touch": "..."}, "weight": 1}' -> Arm."""
    from agents.experiments import Arm

    if text.lstrip().startswith("{"):
        try:
            return Arm.model_validate_json(text)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc
    name, eq, rest = text.partition("=")
    if not eq:
        raise typer.BadParameter(f"{text!r}: expected NAME=AGENT/NAME@vN[,...][:WEIGHT]")
    refs, _, weight = rest.partition(":")
    prompts = {ref.split("/", 1)[-1].split("@", 1)[0]: ref for ref in refs.split(",") if ref}
    try:
        return Arm(name=name, prompts=prompts, weight=float(weight) if weight else 1.0)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


@experiments_app.command("create")
def create(
    campaign: Annotated[str, typer.Argument(help="Campaign id.")],
    arm: Annotated[list[str], typer.Option("--arm", help="NAME=copywriter/first_touch@v2[,...][:WEIGHT] or an Arm as JSON; at least two.")],
    name: Annotated[str, typer.Option(help="What is being tested.")] = "prompt experiment",
    holdout: Annotated[float, typer.Option(help="Share of companies kept on the default prompts (0-0.5).")] = 0.1,
    min_sends: Annotated[int, typer.Option(help="Contacted companies each arm needs before promotion.")] = 100,
    metric: Annotated[str, typer.Option(help="positive_reply_rate or reply_rate.")] = "positive_reply_rate",
    workspace: Annotated[str, typer.Option(help="Workspace that owns the campaign.")] = "default",
    actor: Annotated[str, typer.Option(help="Who creates it (audit log).")] = "cli",
) -> None:
    """Create the experiment; prints its id."""
    from pydantic import ValidationError

    from agents.experiments import create_experiment

    repo = _repository()
    try:
        exp = create_experiment(repo, repo.ensure_workspace(workspace), campaign, name=name,
                                arms=[_arm(a) for a in arm], holdout_share=holdout, min_sends=min_sends,
                                metric=metric, actor=actor)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise typer.BadParameter(str(exc)) from exc
    typer.echo(exp.id)


@experiments_app.command("report")
def report(
    experiment: Annotated[str, typer.Argument(help="Experiment id.")],
    workspace: Annotated[str, typer.Option(help="Workspace that owns it.")] = "default",
    as_json: Annotated[bool, typer.Option("--json", help="Print the full report as JSON.")] = False,
) -> None:
    """Per-group sends, reply and positive-reply rates with 95% intervals, differences, and the decision."""
    from agents.experiments import experiment_report

    repo = _repository()
    result = experiment_report(repo, experiment, repo.ensure_workspace(workspace))
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2, default=str))
        return

    def ci(value: tuple[float, float] | None) -> str:
        return "-" if value is None else f"[{value[0]:.3f}, {value[1]:.3f}]"

    typer.echo(f"{'group':<12} {'share':>6} {'sent':>6} {'replies':>8} {'reply 95% CI':>16} {'positive':>9} {'positive 95% CI':>16}")
    for g in result.groups.values():
        typer.echo(f"{g.name:<12} {g.expected_share:>6.2f} {g.sent:>6} {g.replies:>8} {ci(g.reply_ci):>16} "
                   f"{g.positive:>9} {ci(g.positive_ci):>16}")
    for c in result.comparisons:
        diff = "-" if c.difference is None else f"{c.difference:+.3f}"
        typer.echo(f"{c.a} - {c.b} ({c.metric}): {diff} {ci(c.ci)}")
    typer.echo(f"decision: {result.decision.action} {result.decision.winner or ''}".rstrip())
    for reason in result.decision.reasons:
        typer.echo(f"  - {reason}")


@experiments_app.command("promote")
def promote_cmd(
    experiment: Annotated[str, typer.Argument(help="Experiment id.")],
    workspace: Annotated[str, typer.Option(help="Workspace that owns it.")] = "default",
    actor: Annotated[str | None, typer.Option(help="Who decides (audit log).")] = None,
) -> None:
    """Apply the promotion rule and record the decision; prints the winner's prompt refs (JSON).
    Exit 1 when the rule says keep running."""
    from agents.experiments import promote

    repo = _repository()
    decision = promote(repo, experiment, actor=actor or "cli", workspace_id=repo.ensure_workspace(workspace))
    typer.echo(json.dumps({"action": decision.action, "winner": decision.winner, "prompts": decision.prompts,
                           "reasons": decision.reasons}, indent=2))
    if decision.action != "promote":
        raise typer.Exit(1)
