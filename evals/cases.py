"""Eval cases and where they live: the committed JSONL datasets, the eval briefs, and slices."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from core.briefs import load_brief
from core.models import CampaignBrief, Lead

DATASETS_DIR = Path(__file__).parent / "datasets"
BRIEFS_DIR = DATASETS_DIR / "briefs"
DATASET_FILES = {
    "qualification": "qualification.jsonl",
    "hostile": "hostile.jsonl",
    "copy": "copy.jsonl",
    "review": "review_cases.jsonl",
}
CaseKind = Literal["qualification", "hostile", "copy", "review"]
SLICES = ("ci", "qualification", "hostile", "copy", "review")


class QualificationCase(BaseModel):
    id: str
    kind: Literal["qualification"] = "qualification"
    domain: str
    brief: str
    expected_fit: bool
    label_reasons: list[str] = Field(default_factory=list)
    slices: list[str] = Field(default_factory=list)


class HostileCase(BaseModel):
    id: str
    kind: Literal["hostile"] = "hostile"
    domain: str
    brief: str
    injections: list[str]  # kinds, see evals.injections.INJECTIONS
    planted: list[str]  # off-domain addresses the pages plant
    slices: list[str] = Field(default_factory=list)


class CopyExpectation(BaseModel):
    company_name: str
    offer_keywords: list[str]
    avoid: list[str] = Field(default_factory=list)  # sentences a reviewer removed or rejected


class CopyCase(BaseModel):
    id: str
    kind: Literal["copy", "review"] = "copy"
    brief: str | dict[str, Any]  # an eval brief id, or a whole brief (review cases keep theirs)
    lead: Lead
    expect: CopyExpectation
    review: dict[str, Any] | None = None  # for review cases: action, reviewer, original and edited text
    slices: list[str] = Field(default_factory=list)


Case = QualificationCase | HostileCase | CopyCase


@cache
def load_eval_brief(brief_id: str) -> CampaignBrief:
    return load_brief(BRIEFS_DIR / f"{brief_id}.yaml")


def brief_of(case: HostileCase | QualificationCase | CopyCase) -> CampaignBrief:
    if isinstance(case.brief, dict):
        return CampaignBrief.model_validate(case.brief)
    return load_eval_brief(case.brief)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Rows of a JSONL file; lines starting with ``#`` are comments (dataset headers)."""
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            rows.append(json.loads(line))
    return rows


def write_jsonl(path: Path, header: str, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"# {line}" for line in header.strip().splitlines()]
    lines += [json.dumps(row, ensure_ascii=False, sort_keys=True) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def load_cases(kind: CaseKind, datasets_dir: Path = DATASETS_DIR) -> list[Case]:
    rows = read_jsonl(datasets_dir / DATASET_FILES[kind])
    model: type[BaseModel] = {"qualification": QualificationCase, "hostile": HostileCase}.get(kind, CopyCase)
    return [model.model_validate(row) for row in rows]  # type: ignore[misc]


def select_cases(slice: str | None = None, datasets_dir: Path = DATASETS_DIR) -> list[Case]:
    """Every case (``slice=None``), one kind (``"copy"``), or the cases tagged with a slice (``"ci"``)."""
    if slice is not None and slice not in SLICES:
        raise ValueError(f"unknown slice {slice!r}; choose one of {', '.join(SLICES)} or none for all")
    cases: list[Case] = []
    for kind in DATASET_FILES:
        if slice in DATASET_FILES and slice != kind:
            continue
        loaded = load_cases(kind, datasets_dir)  # type: ignore[arg-type]
        cases += [c for c in loaded if slice not in (None, *DATASET_FILES) and slice in c.slices
                  or slice in (None, *DATASET_FILES)]
    return cases
