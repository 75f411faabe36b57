"""LLM-scorer scenarios on the sample transcript, replayed from tests/recordings/."""

from __future__ import annotations

import json
import os

from agent.config import Settings
from agent.models import Scorecard
from agent.scoring.llm import LLMScorer
from agent.transcripts import load_transcript
from tests.conftest import DATA

MODEL = "openai/gpt-4o-mini"
SAMPLE = DATA / "sample_backend_coding.md"


def scorer() -> LLMScorer:
    os.environ.setdefault("OPENAI_API_KEY", "sk-test-not-a-real-key")
    s = Settings(max_reasks=1, max_retries=0, retry_backoff_s=0, timeout_s=5)
    return LLMScorer(MODEL, s, guidance=lambda t: [])


def score_sample() -> Scorecard:
    return scorer().score(load_transcript(SAMPLE))


def card(**overrides: tuple[int, list[tuple[int, str]]]) -> str:
    base = {
        "requirements": (2, [(2, "Is the input sorted by start time?")]),
        "correctness": (2, [(9, "Result [[1,7],[8,10]], which is right.")]),
        "tradeoffs": (2, [(6, "a counting array would be O(n + range)")]),
        "edge_cases": (2, [(9, "For edge cases I'd test an empty list")]),
        "communication": (2, [(4, "Does that sound right?")]),
        "postmortem": (2, [(12, "Next practice step: two more interval problems")]),
    }
    base.update(overrides)
    return json.dumps({"scores": [
        {"criterion": c, "score": s, "rationale": f"{c} rationale",
         "evidence": [{"turn": t, "quote": q} for t, q in ev]}
        for c, (s, ev) in base.items()]})


def all_scenarios():
    from tests.recordings.build import chat

    fabricated = card(tradeoffs=(2, [(6, "I compared a B-tree index with a hash index")]),
                      requirements=(2, [(3, "Not sorted. Treat touching intervals as overlapping.")]))
    fixed_one = card(requirements=(2, [(3, "Not sorted. Treat touching intervals as overlapping.")]))
    return [
        ("llm_score_good", [(200, chat(card()))], score_sample),
        ("llm_score_fabricated", [(200, chat(fabricated)), (200, chat(fixed_one))], score_sample),
        ("llm_score_malformed", [(200, chat("Here are the scores: requirements 2, ...")),
                                 (200, chat('{"scores": [{"criterion": "requirements"}]}'))],
         score_sample),
        ("llm_score_truncated", [(200, chat(card()[:300], finish="length")),
                                 (200, chat(card()[:200], finish="length"))], score_sample),
        ("llm_score_refusal", [(200, chat(None, refusal="I can't evaluate people.")),
                               (200, chat(None, refusal="I can't evaluate people."))], score_sample),
    ]
