"""Prompt registry: versioned Jinja2 templates ``prompts/<agent>/<name>.vN.j2`` with their sha256.

A template never changes once used; a new wording is a new ``.vN+1.j2`` file, so every draft
and score can name the exact text (``ref`` + ``sha256``) it came from.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, StrictUndefined, Template

PROMPTS_DIR = Path(__file__).parent
_FILE_NAME = re.compile(r"^(?P<name>[a-z0-9_]+)\.v(?P<version>[0-9]+)\.j2$")
_REF = re.compile(r"^(?P<name>[a-z0-9_]+/[a-z0-9_]+)(?:@v(?P<version>[0-9]+))?$")

# Templates are trusted files; values are data. Jinja2 never re-evaluates a rendered value,
# so a "{{ ... }}" inside page text stays literal text.
_ENV = Environment(
    undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True,
    keep_trailing_newline=False,
)


class UnknownPrompt(LookupError):
    """No template file matches the requested reference."""


@dataclass(frozen=True)
class Prompt:
    name: str  # "<agent>/<name>", e.g. "copywriter/first_touch"
    version: int
    sha256: str
    text: str
    _template: Template = field(repr=False, compare=False)

    @property
    def ref(self) -> str:
        return f"{self.name}@v{self.version}"

    def render(self, **variables: Any) -> str:
        """Render with every variable required (a missing one raises ``UndefinedError``)."""
        return self._template.render(**variables).strip()


@cache
def _catalogue(root: Path) -> dict[str, dict[int, Prompt]]:
    found: dict[str, dict[int, Prompt]] = {}
    for path in sorted(root.glob("*/*.j2")):
        match = _FILE_NAME.match(path.name)
        if not match:
            continue
        text = path.read_text(encoding="utf-8")
        name = f"{path.parent.name}/{match['name']}"
        version = int(match["version"])
        found.setdefault(name, {})[version] = Prompt(
            name=name,
            version=version,
            sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            text=text,
            _template=_ENV.from_string(text),
        )
    return found


def get_prompt(ref: str, *, root: Path = PROMPTS_DIR) -> Prompt:
    """``"copywriter/first_touch"`` (latest version) or ``"copywriter/first_touch@v1"``."""
    match = _REF.match(ref.strip())
    if not match:
        raise UnknownPrompt(f"not a prompt reference: {ref!r} (expected agent/name or agent/name@vN)")
    versions = _catalogue(root).get(match["name"])
    if not versions:
        raise UnknownPrompt(f"no prompt named {match['name']!r}")
    if match["version"] is None:
        return versions[max(versions)]
    version = int(match["version"])
    if version not in versions:
        raise UnknownPrompt(f"{match['name']!r} has no version v{version} (have {sorted(versions)})")
    return versions[version]


def list_prompts(*, root: Path = PROMPTS_DIR) -> list[Prompt]:
    """Every version of every prompt, sorted by name then version."""
    return [p for _, versions in sorted(_catalogue(root).items()) for _, p in sorted(versions.items())]
