"""The model gateway: the only module that imports litellm.

Any litellm model string works (hosted keys, Ollama, any OpenAI-compatible server).
This module owns: network hygiene before import, timeouts, retries with backoff that
honour Retry-After and never retry auth errors, structured output into pydantic models
with a capped re-ask that lists the validation errors, token and cost accounting, and
the deterministic `scripted` model that tests select by name.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from agent.config import Settings, get_settings
from agent.errors import MockloopError

# Hygiene before litellm is imported anywhere: no remote price list, httpx for async.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("DISABLE_AIOHTTP_TRANSPORT", "True")
os.environ.setdefault("LITELLM_TELEMETRY", "False")

log = logging.getLogger(__name__)
T = TypeVar("T", bound=BaseModel)
Messages = list[dict[str, Any]]


# ---------------------------------------------------------------- errors


class LLMError(MockloopError):
    """A model call failed for good; carries the attempts made and the tokens spent."""

    def __init__(self, message: str, *, attempts: int = 1, usage: Usage | None = None,
                 errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.usage = usage or Usage()
        self.errors = errors or []


class LLMAuthError(LLMError):
    """The provider rejected the credentials; never retried."""


class LLMTimeoutError(LLMError):
    pass


class LLMRateLimitError(LLMError):
    pass


class LLMUnavailableError(LLMError):
    pass


class StructuredOutputError(LLMError):
    """The model never produced output that validated, after the capped re-asks."""


# ---------------------------------------------------------------- accounting


@dataclass
class Usage:
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def add(self, other: Usage) -> Usage:
        self.calls += other.calls
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.cost_usd += other.cost_usd
        return self


@dataclass
class Reply:
    """One completion: its text, why it stopped, and what it cost."""

    content: str | None
    finish_reason: str | None
    usage: Usage
    refusal: str | None = None


@dataclass
class Structured(Generic[T]):
    value: T
    usage: Usage
    attempts: int


# ---------------------------------------------------------------- scripted model


@dataclass
class ScriptedModel:
    """A deterministic model for tests: replies from a queue or a responder function,
    and a record of every request. Select it with the model string `scripted`."""

    replies: list[str] = field(default_factory=list)
    responder: Callable[[Messages], str] | None = None
    calls: list[Messages] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reply(self, messages: Messages) -> str:
        with self.lock:
            self.calls.append(messages)
            if self.replies:
                return self.replies.pop(0)
        if self.responder is not None:
            return self.responder(messages)
        raise LLMUnavailableError("the scripted model has no reply queued")

    def reset(self) -> None:
        with self.lock:
            self.replies.clear()
            self.calls.clear()
            self.responder = None


SCRIPTED = ScriptedModel()


def is_scripted(model: str) -> bool:
    return model == "scripted" or model.startswith("scripted/")


# ---------------------------------------------------------------- litellm


_litellm_mod: Any = None


def _litellm() -> Any:
    """Import litellm once, lazily (2-3 s), with telemetry and callbacks off."""
    global _litellm_mod
    if _litellm_mod is None:
        import litellm

        litellm.telemetry = False
        litellm.disable_aiohttp_transport = True
        litellm.suppress_debug_info = True
        litellm.drop_params = True
        _litellm_mod = litellm
    return _litellm_mod


def _classify(exc: Exception) -> type[LLMError] | None:
    """The LLMError kind for a provider exception; None means: not retryable, re-raise."""
    lm = _litellm()
    if isinstance(exc, lm.AuthenticationError | lm.PermissionDeniedError):
        return LLMAuthError
    if isinstance(exc, lm.Timeout):
        return LLMTimeoutError
    if isinstance(exc, lm.RateLimitError):
        return LLMRateLimitError
    if isinstance(exc, lm.InternalServerError | lm.ServiceUnavailableError
                  | lm.BadGatewayError | lm.APIConnectionError):
        return LLMUnavailableError
    return None


_RETRYABLE = (LLMTimeoutError, LLMRateLimitError, LLMUnavailableError)


def _retry_after(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or getattr(exc, "headers", None) or {}
    value = headers.get("retry-after") if hasattr(headers, "get") else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _wait(settings: Settings) -> Callable[[Any], float]:
    """Retry-After when the provider sends it (capped at 60 s), else exponential backoff."""
    from tenacity import wait_exponential

    backoff = wait_exponential(multiplier=settings.retry_backoff_s, max=30)

    def wait(state: Any) -> float:
        exc = state.outcome.exception() if state.outcome else None
        cause = exc.__cause__ if exc is not None else None
        hint = _retry_after(cause) if cause is not None else None
        if hint is not None and settings.retry_backoff_s > 0:
            return min(hint, 60.0)
        return backoff(state)

    return wait


def _call_kwargs(model: str, settings: Settings) -> dict[str, Any]:
    kw: dict[str, Any] = {"model": model, "timeout": settings.timeout_s, "num_retries": 0,
                          "max_retries": 0}
    if settings.api_base:
        kw["api_base"] = settings.api_base
    if settings.api_key is not None:
        kw["api_key"] = settings.api_key.get_secret_value()
    return kw


def _usage_of(response: Any) -> Usage:
    u = getattr(response, "usage", None)
    usage = Usage(calls=1, prompt_tokens=getattr(u, "prompt_tokens", 0) or 0,
                  completion_tokens=getattr(u, "completion_tokens", 0) or 0)
    try:
        usage.cost_usd = float(_litellm().completion_cost(completion_response=response) or 0)
    except Exception:  # unknown models have no price; cost stays 0
        usage.cost_usd = 0.0
    return usage


def _reply_of(response: Any) -> Reply:
    choice = response.choices[0]
    message = choice.message
    return Reply(content=message.content, finish_reason=choice.finish_reason,
                 usage=_usage_of(response), refusal=getattr(message, "refusal", None))


def _provider_error(exc: Exception, model: str) -> LLMError | None:
    kind = _classify(exc)
    if kind is None:
        return None
    what = {
        LLMAuthError: "the provider rejected the credentials (check the API key in the environment)",
        LLMTimeoutError: "the model did not answer in time",
        LLMRateLimitError: "the provider is rate limiting requests",
        LLMUnavailableError: "the provider is unreachable or failing",
    }[kind]
    return kind(f"{model}: {what}")


def complete(messages: Messages, *, model: str, settings: Settings | None = None,
             response_format: type[BaseModel] | dict[str, Any] | None = None) -> Reply:
    """One chat completion with timeouts and retries (never on auth errors)."""
    settings = settings or get_settings()
    if is_scripted(model):
        return Reply(content=SCRIPTED.reply(messages), finish_reason="stop",
                     usage=Usage(calls=1))
    from tenacity import Retrying, retry_if_exception_type, stop_after_attempt

    lm = _litellm()
    kw = _call_kwargs(model, settings)
    if response_format is not None:
        kw["response_format"] = response_format

    def once() -> Reply:
        try:
            return _reply_of(lm.completion(messages=messages, **kw))
        except Exception as exc:
            err = _provider_error(exc, model)
            if err is None:
                raise
            raise err from exc

    retrying = Retrying(stop=stop_after_attempt(settings.max_retries + 1),
                        wait=_wait(settings), retry=retry_if_exception_type(_RETRYABLE),
                        reraise=True)
    attempts = 0
    try:
        for attempt in retrying:
            with attempt:
                attempts += 1
                return once()
    except LLMError as exc:
        exc.attempts = attempts
        raise
    raise AssertionError("unreachable")  # pragma: no cover


async def acomplete(messages: Messages, *, model: str, settings: Settings | None = None,
                    response_format: type[BaseModel] | dict[str, Any] | None = None) -> Reply:
    """The async twin of `complete`, for batch scoring with bounded concurrency."""
    settings = settings or get_settings()
    if is_scripted(model):
        return Reply(content=SCRIPTED.reply(messages), finish_reason="stop",
                     usage=Usage(calls=1))
    from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt

    lm = _litellm()
    kw = _call_kwargs(model, settings)
    if response_format is not None:
        kw["response_format"] = response_format
    attempts = 0
    try:
        async for attempt in AsyncRetrying(
                stop=stop_after_attempt(settings.max_retries + 1), wait=_wait(settings),
                retry=retry_if_exception_type(_RETRYABLE), reraise=True):
            with attempt:
                attempts += 1
                try:
                    return _reply_of(await lm.acompletion(messages=messages, **kw))
                except Exception as exc:
                    err = _provider_error(exc, model)
                    if err is None:
                        raise
                    raise err from exc
    except LLMError as exc:
        exc.attempts = attempts
        raise
    raise AssertionError("unreachable")  # pragma: no cover


def stream(messages: Messages, *, model: str, settings: Settings | None = None) -> Iterator[str]:
    """Text deltas as the model produces them (used by the interviewer)."""
    settings = settings or get_settings()
    if is_scripted(model):
        yield from re.findall(r"\S+\s*", SCRIPTED.reply(messages))
        return
    kw = _call_kwargs(model, settings)
    try:
        for chunk in _litellm().completion(messages=messages, stream=True, **kw):
            delta = chunk.choices[0].delta.content if chunk.choices else None
            if delta:
                yield delta
    except Exception as exc:
        err = _provider_error(exc, model)
        if err is None:
            raise
        raise err from exc


# ---------------------------------------------------------------- structured output


_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


def _parse_into(schema: type[T], reply: Reply) -> T:
    if reply.refusal:
        raise ValueError(f"the model refused: {reply.refusal}")
    content = reply.content or ""
    if not content.strip():
        raise ValueError("the reply was empty")
    if m := _FENCE.match(content):
        content = m.group(1)
    try:
        return schema.model_validate_json(content)
    except ValidationError as exc:
        truncated = " (the reply was cut off at the token limit)" if reply.finish_reason == "length" else ""
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'reply'}: {e['msg']}" for e in exc.errors()[:8])
        raise ValueError(f"invalid output{truncated}: {problems}") from None


def _reask(messages: Messages, reply: Reply, problem: str) -> Messages:
    return [*messages,
            {"role": "assistant", "content": reply.content or reply.refusal or ""},
            {"role": "user", "content": (
                "Your reply did not match the required JSON schema: " + problem
                + "\nReply again with only the corrected JSON object.")}]


def _schema_format(schema: type[BaseModel], model: str) -> Any:
    # Strict json_schema for providers that support it; the schema is also in the prompt.
    return None if is_scripted(model) else schema


class _Reasking(Generic[T]):
    """The re-ask loop shared by `structured` and `astructured`: it keeps the conversation,
    the accumulated usage and the validation errors."""

    def __init__(self, messages: Messages, schema: type[T], model: str) -> None:
        self.messages, self.schema, self.model = list(messages), schema, model
        self.usage, self.errors = Usage(), []

    @contextmanager
    def charging(self) -> Iterator[None]:
        """A provider error carries the tokens already spent on earlier attempts."""
        try:
            yield
        except LLMError as exc:
            exc.usage = self.usage.add(exc.usage)
            raise

    def accept(self, reply: Reply) -> T | None:
        self.usage.add(reply.usage)
        try:
            return _parse_into(self.schema, reply)
        except ValueError as exc:
            self.errors.append(str(exc))
            self.messages = _reask(self.messages, reply, str(exc))
            return None

    def failure(self) -> StructuredOutputError:
        return StructuredOutputError(
            f"{self.model}: no valid {self.schema.__name__} after {len(self.errors)} attempts: "
            f"{self.errors[-1]}", attempts=len(self.errors), usage=self.usage, errors=self.errors)


def structured(messages: Messages, schema: type[T], *, model: str,
               settings: Settings | None = None) -> Structured[T]:
    """Ask for JSON matching `schema`; re-ask with the errors up to `max_reasks` times."""
    settings = settings or get_settings()
    loop = _Reasking(messages, schema, model)
    for attempt in range(1, settings.max_reasks + 2):
        with loop.charging():
            reply = complete(loop.messages, model=model, settings=settings,
                             response_format=_schema_format(schema, model))
        if (value := loop.accept(reply)) is not None:
            return Structured(value, loop.usage, attempt)
    raise loop.failure()


async def astructured(messages: Messages, schema: type[T], *, model: str,
                      settings: Settings | None = None) -> Structured[T]:
    """The async twin of `structured`."""
    settings = settings or get_settings()
    loop = _Reasking(messages, schema, model)
    for attempt in range(1, settings.max_reasks + 2):
        with loop.charging():
            reply = await acomplete(loop.messages, model=model, settings=settings,
                                    response_format=_schema_format(schema, model))
        if (value := loop.accept(reply)) is not None:
            return Structured(value, loop.usage, attempt)
    raise loop.failure()


@lru_cache(maxsize=32)
def dumps_schema(schema: type[BaseModel]) -> str:
    """The schema as prompt text; models are static, so each is rendered once (~2 ms)."""
    return json.dumps(schema.model_json_schema(), indent=1)
