"""Provider scenarios shared by the recording builder and the tests that replay them."""

from __future__ import annotations

import json
import os
from collections.abc import Callable

from pydantic import BaseModel

from agent.config import Settings
from agent.llm import structured

MODEL = "openai/gpt-4o-mini"


class Capital(BaseModel):
    country: str
    capital: str
    population_millions: float


def settings() -> Settings:
    return Settings(max_reasks=1, max_retries=0, retry_backoff_s=0, timeout_s=5)


def ask_capital() -> object:
    os.environ.setdefault("OPENAI_API_KEY", "sk-test-not-a-real-key")
    messages = [{"role": "system", "content": "Answer in JSON."},
                {"role": "user", "content": "What is the capital of France?"}]
    return structured(messages, Capital, model=MODEL, settings=settings())


def all_scenarios() -> list[tuple[str, list[tuple[int, dict]], Callable[[], object]]]:
    from tests.recordings.build import chat

    good = json.dumps({"country": "France", "capital": "Paris", "population_millions": 68.2})
    out = [
        ("gateway_reask", [(200, chat('{"country": "France", "capital": "Paris"}')),
                           (200, chat(good))], ask_capital),
        ("gateway_truncated", [(200, chat('{"country": "France", "capi', finish="length")),
                               (200, chat('{"country": "Fr', finish="length"))], ask_capital),
    ]
    try:
        from tests import scoring_scenarios
    except ImportError:
        return out
    return out + scoring_scenarios.all_scenarios()
