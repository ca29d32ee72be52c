"""What an experiment is (arms of prompt overrides, a holdout share) and which group a company
falls in: a pure function of campaign id and company domain, so re-runs assign identically."""

from __future__ import annotations

import hashlib
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from agents.copywriter import DEFAULT_PROMPTS
from prompts.registry import UnknownPrompt, get_prompt

HOLDOUT_NAME = "holdout"
Metric = Literal["positive_reply_rate", "reply_rate"]
Status = Literal["running", "promoted", "stopped"]
_ARM_NAME = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


class Arm(BaseModel):
    """One treatment: copywriter prompt overrides by role (``{"first_touch": "copywriter/first_touch@v2"}``)
    and a relative weight among the arms."""

    model_config = ConfigDict(frozen=True)

    name: str
    prompts: dict[str, str] = Field(default_factory=dict)
    weight: float = Field(default=1.0, gt=0)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _ARM_NAME.match(value):
            raise ValueError("arm names are 1-40 letters, digits, '-' or '_'")
        return value

    @field_validator("prompts")
    @classmethod
    def _prompts(cls, value: dict[str, str]) -> dict[str, str]:
        for role, ref in value.items():
            if role not in DEFAULT_PROMPTS:
                raise ValueError(f"unknown prompt role {role!r}; one of {', '.join(sorted(DEFAULT_PROMPTS))}")
            try:
                get_prompt(ref)
            except UnknownPrompt as exc:
                raise ValueError(f"prompt {ref!r} does not exist") from exc
        return dict(value)


HOLDOUT = Arm(name=HOLDOUT_NAME)  # the campaign's default prompts, kept aside for comparison


class ExperimentSpec(BaseModel):
    """An experiment on one campaign. ``holdout_share`` of companies keep the default prompts; the
    rest are split between ``arms`` by weight."""

    id: str | None = None
    campaign_id: str
    name: str = Field(min_length=1, max_length=200)
    arms: list[Arm] = Field(min_length=2)
    holdout_share: float = Field(default=0.1, ge=0.0, le=0.5)
    min_sends: int = Field(default=100, ge=1)
    metric: Metric = "positive_reply_rate"
    status: Status = "running"
    winner: str | None = None

    @model_validator(mode="after")
    def _distinct(self) -> ExperimentSpec:
        names = [arm.name for arm in self.arms]
        if len(set(names)) != len(names) or HOLDOUT_NAME in names:
            raise ValueError(f"arm names must be distinct and not {HOLDOUT_NAME!r}")
        effective = [tuple(sorted(effective_refs(arm).items())) for arm in self.arms]
        if len(set(effective)) != len(effective):
            raise ValueError("two arms resolve to the same prompts: nothing to compare")
        return self

    def arm(self, name: str) -> Arm:
        if name == HOLDOUT_NAME:
            return HOLDOUT
        return next(arm for arm in self.arms if arm.name == name)

    def expected_shares(self) -> dict[str, float]:
        total = sum(arm.weight for arm in self.arms)
        shares = {arm.name: (1 - self.holdout_share) * arm.weight / total for arm in self.arms}
        return {**shares, HOLDOUT_NAME: self.holdout_share}


def effective_refs(arm: Arm) -> dict[str, str]:
    """Role -> resolved ``name@vN`` the copywriter would use for this arm (defaults filled in)."""
    return {role: get_prompt(ref).ref for role, ref in {**DEFAULT_PROMPTS, **arm.prompts}.items()}


def normalized_domain(domain: str) -> str:
    host = domain.strip().lower().rstrip(".")
    host = re.sub(r"^[a-z]+://", "", host).split("/", 1)[0].split(":", 1)[0]
    return host.removeprefix("www.")


def bucket(campaign_id: str, domain: str) -> float:
    """A uniform number in [0, 1) fixed by campaign id and (normalized) company domain."""
    digest = hashlib.sha256(f"{campaign_id}\x00{normalized_domain(domain)}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def assign_arm(experiment: ExperimentSpec, domain: str) -> Arm:
    """The holdout for the first ``holdout_share`` of the unit interval, then arms by weight."""
    u = bucket(experiment.campaign_id, domain)
    if u < experiment.holdout_share:
        return HOLDOUT
    v = (u - experiment.holdout_share) / (1 - experiment.holdout_share)
    total, edge = sum(arm.weight for arm in experiment.arms), 0.0
    for arm in experiment.arms:
        edge += arm.weight / total
        if v < edge:
            return arm
    return experiment.arms[-1]  # v within float rounding of 1.0
