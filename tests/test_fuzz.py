"""Fuzzing the importers and the quote verifier with hypothesis (slow: 10,000 cases in all).

Every input either parses into a valid Transcript or raises TranscriptError with a
message; the verifier never crashes and a verified quote is always really there.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.errors import TranscriptError
from agent.models import Evidence, Speaker, Transcript, Turn
from agent.scoring.verify import normalised, verify_quote
from agent.transcripts import parse_transcript

pytestmark = pytest.mark.slow
FAST = settings(max_examples=2500, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

labels = st.sampled_from(["Interviewer:", "Candidate:", "Q:", "A:", "**Interviewer:**",
                          "Interviewee:", "Dana (interviewer):", "[Candidate]", "## Post-mortem",
                          "Role: Backend", "Round: SQL", "WEBVTT", "1\n00:00:01,000 --> 00:00:02,000",
                          "", "Note:", "{", '"turns": ['])
lines = st.lists(st.tuples(labels, st.text(max_size=80)), max_size=25).map(
    lambda xs: "\n".join(f"{a} {b}" for a, b in xs))


def _check(data: bytes | str) -> None:
    try:
        t = parse_transcript(data, max_bytes=20_000)
    except TranscriptError as exc:
        assert str(exc).strip()
        return
    assert isinstance(t, Transcript) and t.turns
    assert [x.id for x in t.turns] == list(range(1, len(t.turns) + 1))
    assert any(x.speaker is Speaker.CANDIDATE for x in t.turns)


@FAST
@given(lines)
def test_structured_text_never_crashes(text):
    _check(text)


@FAST
@given(st.binary(max_size=3000))
def test_random_bytes_never_crash(data):
    _check(data)


@FAST
@given(st.text(max_size=2000))
def test_random_text_never_crashes(text):
    _check(text)


@FAST
@given(st.text(max_size=300), st.text(max_size=60), st.integers(min_value=-2, max_value=4))
def test_verifier_never_crashes_and_verified_means_present(turn_text, quote, turn_id):
    t = Transcript(turns=[Turn(id=1, speaker=Speaker.INTERVIEWER, text="Tell me more."),
                          Turn(id=2, speaker=Speaker.CANDIDATE, text=turn_text or "x")])
    ev = verify_quote(t, Evidence(turn=turn_id, quote=quote))
    if ev.verified:
        assert ev.turn == 2 and ev.start is not None and ev.end is not None
        found = normalised(t.turns[1].text[ev.start:ev.end])
        if ev.match.value == "exact":
            assert normalised(quote).strip(" .,;:!?\"'") in found or normalised(quote) in found
    else:
        assert ev.problem
