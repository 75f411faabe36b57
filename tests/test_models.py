"""The vocabulary: scores are scored or unscored-with-reason, totals, advice, signals, JSON."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from agent.models import (
    Archetype,
    CriterionId,
    CriterionScore,
    Evidence,
    Rater,
    Role,
    RoundKind,
    Scorecard,
    Signal,
    Speaker,
    Transcript,
    Turn,
)


def card(values: dict[CriterionId, int | None]) -> Scorecard:
    scores = {}
    for c in CriterionId:
        v = values.get(c, 2)
        scores[c] = (CriterionScore(criterion=c, score=v, rater=Rater.ANALYTIC,
                                    evidence=[Evidence(turn=2, quote="q", verified=True)])
                     if v is not None else
                     CriterionScore.unscored(c, "model failed", Rater.LLM))
    return Scorecard(scorer="test", scores=scores)


def test_score_needs_score_or_reason_not_both():
    with pytest.raises(ValidationError):
        CriterionScore(criterion=CriterionId.TRADEOFFS, rater=Rater.LLM)
    with pytest.raises(ValidationError):
        CriterionScore(criterion=CriterionId.TRADEOFFS, score=1, unscored_reason="x",
                       rater=Rater.LLM)
    with pytest.raises(ValidationError):
        CriterionScore(criterion=CriterionId.TRADEOFFS, score=3, rater=Rater.LLM)


def test_scorecard_requires_all_six():
    with pytest.raises(ValidationError, match="missing criteria"):
        Scorecard(scorer="x", scores={})


def test_total_advice_and_below_bar():
    low = card({CriterionId.EDGE_CASES: 0, CriterionId.TRADEOFFS: 0, CriterionId.POSTMORTEM: 1})
    assert low.total == 7 and low.below_bar
    assert "shorten the scope" in low.advice
    assert "Edge cases tested (0/2)" in low.advice and "Tradeoffs explained (0/2)" in low.advice
    high = card({CriterionId.POSTMORTEM: 0})
    assert high.total == 10 and not high.below_bar
    assert "shorten" not in high.advice and "Post-mortem written (0/2)" in high.advice
    assert card({}).total == 12


def test_unscored_is_not_a_zero():
    c = card({CriterionId.CORRECTNESS: None, CriterionId.EDGE_CASES: 0})
    assert c.total == 8 and c.unscored == [CriterionId.CORRECTNESS]
    assert not c.below_bar  # unknown: we do not claim below 8 with a criterion missing
    assert "Not scored: correctness" in c.advice
    assert c.signals[Signal.CORRECTNESS].score == 0.0  # only edge_cases feeds it now


def test_signals_follow_the_rubric_mapping():
    c = card({CriterionId.COMMUNICATION: 1, CriterionId.REQUIREMENTS: 0})
    assert c.signals[Signal.SIGNAL_TO_NOISE].score == 1.0
    assert c.signals[Signal.REASONING].score == 1.0  # mean of tradeoffs 2 and requirements 0
    assert c.signals[Signal.OWNERSHIP].criteria == [CriterionId.POSTMORTEM]


def test_json_shape_uses_rubric_ids():
    c = card({CriterionId.CORRECTNESS: None})
    c.role, c.archetype, c.round = Role.MLE, Archetype.ENTERPRISE, RoundKind.ML
    out = c.to_json()
    assert set(out) == {"file", "role", "archetype", "round", "scorer", "model", "scores",
                        "total", "advice", "signals"}
    assert list(out["scores"]) == ["requirements", "correctness", "tradeoffs", "edge_cases",
                                   "communication", "postmortem"]
    assert out["scores"]["correctness"]["score"] is None
    assert out["scores"]["correctness"]["unscored_reason"] == "model failed"
    ev = out["scores"]["tradeoffs"]["evidence"][0]
    assert set(ev) == {"turn", "quote", "verified", "match", "start", "end"}
    assert out["role"] == "mle" and out["round"] == "ml"


def test_transcript_ids_must_be_sequential():
    with pytest.raises(ValidationError):
        Transcript(turns=[Turn(id=2, speaker=Speaker.CANDIDATE, text="x")])
    with pytest.raises(ValidationError):
        Transcript(turns=[Turn(id=1, speaker=Speaker.CANDIDATE, text="x", is_postmortem=True),
                          Turn(id=2, speaker=Speaker.INTERVIEWER, text="y")])


@pytest.mark.parametrize(("cls", "text", "value"), [
    (Role, "MLE/MLOps", Role.MLE), (Role, "devops", Role.SRE), (Role, "data engineer",
                                                                  Role.DATA_ENGINEERING),
    (Archetype, "FAANG/high-growth", Archetype.FAANG), (RoundKind, "System Design",
                                                         RoundKind.SYSTEM_DESIGN),
    (RoundKind, "behavioural", RoundKind.BEHAVIORAL), (RoundKind, "sql", RoundKind.SQL),
])
def test_enum_parse_accepts_labels_ids_and_aliases(cls, text, value):
    assert cls.parse(text) is value


def test_enum_parse_lists_allowed_values():
    with pytest.raises(ValueError, match="Backend, MLE/MLOps"):
        Role.parse("chef")
