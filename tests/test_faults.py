"""Fault injection at the provider edge, over real HTTP to the loopback stub: timeouts,
429 with Retry-After, 500s, connection resets, malformed and truncated JSON, refusals and
junk quotes. Scoring ends as a valid score or unscored-with-reason, never a silent number;
the interview never loses a turn and falls back visibly."""

from __future__ import annotations

import json

import pytest

from agent.config import Settings
from agent.interview import InterviewConfig
from agent.models import Archetype, Role, RoundKind
from agent.scoring.llm import LLMScorer
from agent.session import InterviewSession
from agent.transcripts import load_transcript
from evals.stub_server import Fault, StubServer
from tests.scoring_scenarios import SAMPLE, card

TRANSCRIPT = load_transcript(SAMPLE)


def sequence(*replies):
    queue = list(replies)

    def responder(body):
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return responder


def score_with(responder, **kw):
    with StubServer(responder) as server:
        s = Settings(api_base=server.base_url, api_key="sk-local", retry_backoff_s=0,
                     **{"max_retries": 2, "timeout_s": 5, **kw})
        result = LLMScorer("openai/stub", s, guidance=lambda t: []).score(TRANSCRIPT)
        return result, len(server.requests)


def assert_honest(result):
    for s in result.scores.values():
        assert (s.score is None) == (s.unscored_reason is not None)
        if s.score:
            assert s.verified_evidence and all(e.verified for e in s.evidence)


@pytest.mark.parametrize("fault", [
    Fault(500), Fault(503), Fault(reset=True),
    Fault(429, headers={"retry-after": "0"}),
])
def test_transient_failures_are_retried_then_scored(fault):
    result, calls = score_with(sequence(fault, card()))
    assert result.total == 12 and calls == 2
    assert_honest(result)


@pytest.mark.parametrize(("fault", "reason"), [
    (Fault(500), "unreachable or failing"),
    (Fault(429, headers={"retry-after": "0"}), "rate limiting"),
    (Fault(200, delay_s=2.0), "did not answer in time"),
    (Fault(401, body='{"error": {"message": "bad key"}}'), "credentials"),
])
def test_persistent_failures_end_unscored_with_reason(fault, reason):
    result, _ = score_with(sequence(fault), max_retries=1, timeout_s=1)
    assert len(result.unscored) == 6 and reason in result.scores["requirements"].unscored_reason
    assert_honest(result)


@pytest.mark.parametrize("junk", ["not json", card()[:150], json.dumps({"scores": []}),
                                  json.dumps({"refusal": "no"})])
def test_malformed_output_is_reasked_then_unscored(junk):
    result, calls = score_with(sequence(junk))
    assert calls == 2 and len(result.unscored) == 6
    assert_honest(result)


def test_junk_quotes_never_show():
    junk = card(correctness=(2, [(9, "a quote that appears nowhere at all")]),
                edge_cases=(2, [(1, "Let's do a coding question.")]))
    result, calls = score_with(sequence(junk))
    assert calls == 2  # one re-ask listing the failures
    assert result.scores["correctness"].score is None and result.scores["edge_cases"].score is None
    assert result.scores["requirements"].score == 2
    assert_honest(result)


def test_interview_never_loses_a_turn_when_the_model_fails():
    with StubServer(sequence(Fault(500))) as server:
        import os

        os.environ["MOCKLOOP_API_BASE"] = server.base_url
        os.environ["MOCKLOOP_API_KEY"] = "sk-local"
        os.environ["MOCKLOOP_MAX_RETRIES"] = "0"
        try:
            sess = InterviewSession()
            sess.start(InterviewConfig(role=Role.BACKEND, archetype=Archetype.FAANG,
                                       rounds=[RoundKind.CODING], engine="openai/stub"))
            p = sess.answer("I'd sort first and then sweep.")
        finally:
            for k in ("MOCKLOOP_API_BASE", "MOCKLOOP_API_KEY", "MOCKLOOP_MAX_RETRIES"):
                os.environ.pop(k, None)
    assert p.text  # the offline policy asked instead
    assert p.rounds[0].turns[-1].text == "I'd sort first and then sweep."
    assert "offline interviewer asked this turn" in p.rounds[0].notes[-1]
