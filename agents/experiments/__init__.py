"""Prompt experiments on live campaigns: deterministic arm assignment with a holdout, per-arm reply
statistics with intervals, and the promotion rule (see docs/experiments.md)."""

from agents.experiments.decision import (
    POSITIVE_KINDS,
    REPLY_KINDS,
    Comparison,
    Decision,
    ExperimentReport,
    GroupStats,
    LeadTally,
    build_report,
    decide,
)
from agents.experiments.design import HOLDOUT, Arm, ExperimentSpec, assign_arm, bucket
from agents.experiments.intervals import newcombe_diff, wilson
from agents.experiments.service import (
    create_experiment,
    experiment_report,
    promote,
    prompts_for_lead,
)

__all__ = [
    "HOLDOUT", "POSITIVE_KINDS", "REPLY_KINDS", "Arm", "Comparison", "Decision", "ExperimentReport",
    "ExperimentSpec", "GroupStats", "LeadTally", "assign_arm", "bucket", "build_report",
    "create_experiment", "decide", "experiment_report", "newcombe_diff", "promote", "prompts_for_lead",
    "wilson",
]
