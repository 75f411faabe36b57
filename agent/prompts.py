"""The one prompt loader: Jinja templates in `prompts/`, rendered with StrictUndefined
so a missing variable is an error, never an empty string."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


@cache
def _env() -> Environment:
    return Environment(loader=FileSystemLoader(PROMPTS_DIR), undefined=StrictUndefined,
                       autoescape=False, trim_blocks=True, lstrip_blocks=True,
                       keep_trailing_newline=False)


def render(name: str, **variables: Any) -> str:
    """Render `prompts/<name>` (e.g. 'score_system.md.j2')."""
    return _env().get_template(name).render(**variables).strip()
