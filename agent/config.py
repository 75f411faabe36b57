"""Settings: environment `MOCKLOOP_*` < CLI flag < explicit argument.

The CLI passes its flags as keyword arguments to `Settings(...)`, which pydantic-settings
ranks above the environment; functions that take an explicit `model=` argument rank it
above both. Secrets are `SecretStr` and never printed.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

OFFLINE = "offline"
ModelRole = Literal["interviewer", "grader"]


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "mockloop"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MOCKLOOP_", extra="ignore")

    model: str = Field(OFFLINE, description="litellm model string, or 'offline'")
    interviewer_model: str | None = None
    grader_model: str | None = None
    api_base: str | None = None
    api_key: SecretStr | None = None
    data_dir: Path = Field(default_factory=_default_data_dir)
    knowledge_dir: Path | None = None  # where the Chroma store lives; default <data_dir>/chroma
    timeout_s: float = 60.0
    max_retries: int = 2
    retry_backoff_s: float = 1.0
    max_reasks: int = 1
    max_transcript_bytes: int = 1_000_000
    host: str = "127.0.0.1"
    port: int = 7860
    coach_user: str = "coach"
    coach_password: SecretStr | None = None

    def model_for(self, role: ModelRole, explicit: str | None = None) -> str:
        """The model string for a model role; an explicit argument wins."""
        if explicit:
            return explicit
        specific = self.interviewer_model if role == "interviewer" else self.grader_model
        return specific or self.model

    @property
    def chroma_dir(self) -> Path:
        return self.knowledge_dir or self.data_dir / "chroma"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "mockloop.sqlite"

    @property
    def checkpoint_path(self) -> Path:
        return self.data_dir / "checkpoints.sqlite"


def is_offline(model: str | None) -> bool:
    return not model or model == OFFLINE


def get_settings(**overrides: Any) -> Settings:
    """Settings from the environment, with non-None overrides (CLI flags) on top. Building
    them reads the environment (~8 ms), and each interview turn asks a few times, so the
    result is remembered for as long as the variables it reads stay the same."""
    given = tuple(sorted((k, v) for k, v in overrides.items() if v is not None))
    env = tuple(sorted((k, v) for k, v in os.environ.items()
                       if k.startswith("MOCKLOOP_") or k == "XDG_DATA_HOME"))
    try:
        return _settings(given, env, str(Path.home()))
    except TypeError:  # an unhashable override: build them afresh
        return Settings(**dict(given))


@lru_cache(maxsize=64)
def _settings(given: tuple[tuple[str, Any], ...], env: tuple[tuple[str, str], ...],
              home: str) -> Settings:
    return Settings(**dict(given))
