"""Reading a campaign brief from YAML or JSON, with errors that name the offending field."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from pydantic import ValidationError

from core.errors import BriefInvalid
from core.models import CampaignBrief


def describe_validation_error(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"]) or "(root)"
        if err["type"] == "extra_forbidden":
            lines.append(f"{field}: unknown field")
        elif err["type"] == "missing":
            lines.append(f"{field}: required field is missing")
        else:
            lines.append(f"{field}: {err['msg']}")
    return "; ".join(lines)


def parse_brief(data: object) -> CampaignBrief:
    if not isinstance(data, dict):
        raise BriefInvalid("the brief must be a mapping of fields (YAML or JSON object)")
    try:
        return CampaignBrief.model_validate(data)
    except ValidationError as exc:
        raise BriefInvalid(describe_validation_error(exc)) from exc


def load_brief(path: str | Path) -> CampaignBrief:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BriefInvalid(f"cannot read brief {path}: {exc.strerror or exc}") from exc
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise BriefInvalid(f"{path} is not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {exc}") from exc
    return parse_brief(data)
