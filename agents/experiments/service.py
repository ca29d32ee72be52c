"""Experiments against the repository: create one, report on it, promote its winner, and the prompt
overrides the write step uses for a company."""

from __future__ import annotations

from typing import Any

from agents.experiments.decision import (
    Decision,
    ExperimentReport,
    LeadTally,
    build_report,
    draft_role,
)
from agents.experiments.design import HOLDOUT_NAME, Arm, ExperimentSpec, Metric, assign_arm
from core.errors import Conflict


def _spec(view: Any) -> ExperimentSpec:
    return ExperimentSpec(
        id=view.id, campaign_id=view.campaign_id, name=view.name, arms=[Arm(**arm) for arm in view.arms],
        holdout_share=view.holdout_share, min_sends=view.min_sends, metric=view.metric, status=view.status,
        winner=view.winner,
    )


def create_experiment(
    repository: Any, workspace_id: str, campaign_id: str, *, name: str, arms: list[Arm] | list[dict[str, Any]],
    holdout_share: float = 0.1, min_sends: int = 100, metric: Metric = "positive_reply_rate",
    actor: str = "system",
) -> ExperimentSpec:
    """Validate (prompt refs exist, arms differ) and store; one experiment per campaign."""
    spec = ExperimentSpec(campaign_id=campaign_id, name=name, arms=[Arm.model_validate(a) for a in arms],
                          holdout_share=holdout_share, min_sends=min_sends, metric=metric)
    view = repository.add_experiment(
        workspace_id, campaign_id, name=spec.name, arms=[a.model_dump(mode="json") for a in spec.arms],
        holdout_share=spec.holdout_share, min_sends=spec.min_sends, metric=spec.metric,
    )
    repository.audit(workspace_id, actor, "experiment.create", "experiment", view.id, None,
                     spec.model_dump(mode="json", exclude={"id"}))
    return _spec(view)


def experiment_report(
    repository: Any, experiment_id: str, workspace_id: str | None = None, *, confidence: float = 0.95,
) -> ExperimentReport:
    view = repository.get_experiment(experiment_id, workspace_id)
    outcomes = repository.lead_outcomes(view.workspace_id, campaign_id=view.campaign_id)
    tallies = [LeadTally(o.domain, o.messages_sent, tuple(o.event_kinds),
                         tuple((draft_role(step, engine), ref) for step, engine, ref in o.drafts))
               for o in outcomes]
    return build_report(_spec(view), tallies, confidence=confidence)


def promote(repository: Any, experiment_id: str, *, actor: str, workspace_id: str | None = None) -> Decision:
    """Apply the promotion rule now and record the decision either way (audit log). A promoted
    experiment's winner serves every later company of the campaign."""
    view = repository.get_experiment(experiment_id, workspace_id)
    if view.status != "running":
        raise Conflict(f"experiment {experiment_id} is {view.status}, not running")
    report = experiment_report(repository, experiment_id, workspace_id)
    decision = report.decision
    record = {"action": decision.action, "winner": decision.winner, "prompts": decision.prompts,
              "reasons": decision.reasons, "report": report.to_dict()}
    repository.decide_experiment(experiment_id, workspace_id, actor=actor,
                                 status="promoted" if decision.action == "promote" else "running",
                                 winner=decision.winner, decision=record)
    return decision


def prompts_for_lead(repository: Any, campaign_id: str, domain: str) -> dict[str, str] | None:
    """Prompt overrides for ``write_drafts`` for this company, or None for the defaults (no
    experiment, stopped, or the company is in the holdout). Synchronous: one small read."""
    view = repository.campaign_experiment(campaign_id)
    if view is None or view.status == "stopped":
        return None
    spec = _spec(view)
    if spec.status == "promoted" and spec.winner:
        return dict(spec.arm(spec.winner).prompts) or None
    arm = assign_arm(spec, domain)
    return None if arm.name == HOLDOUT_NAME else (dict(arm.prompts) or None)
