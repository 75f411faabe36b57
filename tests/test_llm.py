"""The model gateway at the HTTP edge: re-ask, retries, no retry on auth, accounting."""

from __future__ import annotations

import json

import httpx
import pytest

from agent.config import Settings
from agent.llm import (
    SCRIPTED,
    LLMAuthError,
    LLMRateLimitError,
    LLMTimeoutError,
    StructuredOutputError,
    complete,
    structured,
)
from tests.recordings.build import chat
from tests.scenarios import MODEL, Capital, ask_capital

URL = "https://api.openai.com/v1/chat/completions"
MSGS = [{"role": "user", "content": "capital of France?"}]


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")


def settings(**kw) -> Settings:
    return Settings(**{"max_retries": 2, "retry_backoff_s": 0, "timeout_s": 5, **kw})


GOOD = json.dumps({"country": "France", "capital": "Paris", "population_millions": 68.2})


def test_reask_with_validation_errors_then_success(respx_mock):
    route = respx_mock.post(URL).mock(side_effect=[
        httpx.Response(200, json=chat('{"country": "France"}')),
        httpx.Response(200, json=chat(GOOD)),
    ])
    out = structured(MSGS, Capital, model=MODEL, settings=settings())
    assert out.value.capital == "Paris" and out.attempts == 2
    assert out.usage.calls == 2 and out.usage.prompt_tokens == 1800
    second = json.loads(route.calls[1].request.content)
    reask = second["messages"][-1]["content"]
    assert "capital" in reask and "Field required" in reask  # the errors are listed


def test_reask_is_capped_and_error_carries_attempts_and_usage(respx_mock):
    respx_mock.post(URL).mock(return_value=httpx.Response(200, json=chat("not json at all")))
    with pytest.raises(StructuredOutputError) as info:
        structured(MSGS, Capital, model=MODEL, settings=settings(max_reasks=2))
    assert info.value.attempts == 3 and len(info.value.errors) == 3
    assert info.value.usage.calls == 3 and info.value.usage.completion_tokens == 900
    assert respx_mock.calls.call_count == 3


def test_code_fenced_json_is_accepted(respx_mock):
    respx_mock.post(URL).mock(return_value=httpx.Response(200, json=chat(f"```json\n{GOOD}\n```")))
    assert structured(MSGS, Capital, model=MODEL, settings=settings()).attempts == 1


def test_refusal_is_reasked_then_fails_with_reason(respx_mock):
    respx_mock.post(URL).mock(return_value=httpx.Response(
        200, json=chat(None, refusal="I can't help with that.")))
    with pytest.raises(StructuredOutputError, match="refused"):
        structured(MSGS, Capital, model=MODEL, settings=settings())


def test_server_errors_are_retried(respx_mock):
    route = respx_mock.post(URL).mock(side_effect=[
        httpx.Response(500, json={"error": {"message": "boom", "type": "server_error"}}),
        httpx.Response(503, json={"error": {"message": "overloaded"}}),
        httpx.Response(200, json=chat(GOOD)),
    ])
    reply = complete(MSGS, model=MODEL, settings=settings())
    assert json.loads(reply.content)["capital"] == "Paris"
    assert route.call_count == 3


def test_rate_limit_retried_then_gives_up_with_clear_error(respx_mock):
    route = respx_mock.post(URL).mock(return_value=httpx.Response(
        429, headers={"retry-after": "0"}, json={"error": {"message": "slow down"}}))
    with pytest.raises(LLMRateLimitError, match="rate limiting") as info:
        complete(MSGS, model=MODEL, settings=settings(max_retries=1))
    assert route.call_count == 2 and info.value.attempts == 2


def test_auth_errors_are_never_retried(respx_mock):
    route = respx_mock.post(URL).mock(return_value=httpx.Response(
        401, json={"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}}))
    with pytest.raises(LLMAuthError, match="credentials"):
        complete(MSGS, model=MODEL, settings=settings(max_retries=3))
    assert route.call_count == 1


def test_timeout_is_retried_then_reported(respx_mock):
    route = respx_mock.post(URL).mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(LLMTimeoutError, match="did not answer in time"):
        complete(MSGS, model=MODEL, settings=settings(max_retries=1))
    assert route.call_count == 2


def test_api_key_from_settings_is_sent_but_never_in_errors(respx_mock):
    route = respx_mock.post(URL).mock(return_value=httpx.Response(401, json={"error": {}}))
    s = settings(api_key="sk-secret-123", max_retries=0)
    with pytest.raises(LLMAuthError) as info:
        complete(MSGS, model=MODEL, settings=s)
    assert route.calls[0].request.headers["authorization"] == "Bearer sk-secret-123"
    assert "sk-secret-123" not in str(info.value) and "sk-secret-123" not in repr(s)


def test_recorded_reask_replays(recorded):
    rec = recorded("gateway_reask")
    out = ask_capital()
    assert out.value.capital == "Paris" and out.attempts == 2 and len(rec.used) == 2


def test_recorded_truncated_reply_ends_in_structured_error(recorded):
    recorded("gateway_truncated")
    with pytest.raises(StructuredOutputError, match="cut off at the token limit"):
        ask_capital()


def test_unrecorded_request_fails_loudly(recorded):
    rec = recorded("gateway_reask")
    with pytest.raises(Exception):  # noqa: B017 - litellm wraps the replay's AssertionError
        complete([{"role": "user", "content": "a question nobody recorded"}], model=MODEL,
                 settings=settings(max_retries=0))
    assert rec.misses, "the miss must be recorded so the fixture fails the test"
    rec.misses.clear()  # this test wanted the miss


def test_scripted_model_replies_and_records():
    SCRIPTED.replies.extend([GOOD])
    out = structured(MSGS, Capital, model="scripted", settings=settings())
    assert out.value.capital == "Paris" and SCRIPTED.calls == [MSGS]

