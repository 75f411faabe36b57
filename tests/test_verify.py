"""Quote verification: exact after normalisation, fuzzy only near-verbatim, offsets right."""

from __future__ import annotations

from agent.models import Evidence, MatchKind, Speaker, Transcript, Turn
from agent.scoring.verify import locate, normalise, verify_quote

T = Transcript(turns=[
    Turn(id=1, speaker=Speaker.INTERVIEWER, text="What's the scale? Think about nulls."),
    Turn(id=2, speaker=Speaker.CANDIDATE,
         text="I\u2019d  sort by start,\nthen sweep — it's O(n log n) overall."),
])


def test_normalise_maps_back_to_original_offsets():
    norm, index = normalise("A\u2019B  \n C")
    assert norm == "a'b c"
    assert [index[i] for i in range(len(norm))] == [0, 1, 2, 3, 7]


def test_exact_match_ignores_case_quotes_and_whitespace():
    ev = verify_quote(T, Evidence(turn=2, quote="i'd sort by START, then sweep"))
    assert ev.verified and ev.match is MatchKind.EXACT
    assert T.turns[1].text[ev.start:ev.end] == "I\u2019d  sort by start,\nthen sweep"


def test_dash_variants_match():
    assert verify_quote(T, Evidence(turn=2, quote="then sweep - it's O(n log n)")).verified


def test_fabricated_quote_fails():
    ev = verify_quote(T, Evidence(turn=2, quote="I would use a heap of intervals"))
    assert not ev.verified and "not found" in ev.problem


def test_interviewer_quote_never_counts_for_the_candidate():
    ev = verify_quote(T, Evidence(turn=1, quote="think about nulls"))
    assert not ev.verified and "interviewer" in ev.problem
    assert ev.match is MatchKind.EXACT  # it is there, just not the candidate's


def test_missing_turn_fails_with_reason():
    ev = verify_quote(T, Evidence(turn=9, quote="anything"))
    assert not ev.verified and "does not exist" in ev.problem


def test_fuzzy_match_for_transcription_noise_only():
    text = "we could shard the calf ka topic by user id to keep ordering per user"
    found = locate("we could shard the kafka topic by user id to keep ordering", text)
    assert found is not None and found[0] is MatchKind.FUZZY
    assert locate("we could shard the database by region to keep latency low", text) is None
    assert locate("shard by user", "shard the user") is None  # short quotes must be exact


def test_verifier_resets_claims_made_by_the_model():
    ev = verify_quote(T, Evidence(turn=2, quote="not there at all, invented", verified=True,
                                  start=0, end=5))
    assert not ev.verified and ev.start is None
