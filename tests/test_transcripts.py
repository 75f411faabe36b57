"""Every transcript format we accept, and every kind of bad input we reject clearly."""

from __future__ import annotations

import json

import pytest

from agent.errors import TranscriptError
from agent.models import Archetype, Role, RoundKind, Speaker
from agent.transcripts import dumps, load_transcript, parse_transcript
from tests.conftest import DATA


def speakers(t):
    return [turn.speaker for turn in t.turns]


INT, C = Speaker.INTERVIEWER, Speaker.CANDIDATE


def test_plain_text_with_header_and_postmortem():
    t = load_transcript(DATA / "sample_backend_coding.md")
    assert (t.role, t.archetype, t.round) == (Role.BACKEND, Archetype.FAANG, RoundKind.CODING)
    assert [x.id for x in t.turns] == list(range(1, len(t.turns) + 1))
    assert t.turns[0].speaker is INT and t.turns[1].speaker is C
    assert t.postmortem is not None and t.postmortem.text.startswith("Went well")
    assert t.postmortem.id == len(t.turns) and t.postmortem.speaker is C


def test_continuation_lines_join_the_current_turn():
    t = parse_transcript("Interviewer: one\nCandidate: two\nthree\n\nfour\nInterviewer: five")
    assert t.turns[1].text == "two\nthree\n\nfour"
    assert len(t.turns) == 3


def test_code_block_lines_stay_in_the_turn():
    # a Python comment, a label-like line and a post-mortem heading inside a fenced block
    # are code, not structure
    fence = "`" * 3
    t = parse_transcript(
        f"Interviewer: write it\nCandidate: here\n{fence}python\n# empty input\n"
        f"Interviewer: not a turn\n## Post-mortem\nreturn []\n{fence}\nThat's it.\n"
        "Interviewer: thanks\n## Post-mortem\nI rushed.")
    assert speakers(t) == [INT, C, INT, C]
    code = t.turns[1].text
    assert "# empty input" in code and "Interviewer: not a turn" in code
    assert "## Post-mortem" in code and code.endswith("That's it.")
    assert t.postmortem is not None and t.postmortem.text == "I rushed."


def test_code_block_opened_on_the_label_line_closes_and_round_trips():
    fence = "`" * 3
    text = (f"Interviewer: write it\nCandidate: {fence}sql\nSELECT 1\n-- # not a heading\n{fence}\n"
            "Interviewer: and the complexity?\nCandidate: Linear.")
    t = parse_transcript(text)
    assert speakers(t) == [INT, C, INT, C]
    assert t.turns[1].text.endswith(fence) and t.turns[3].text == "Linear."
    again = parse_transcript(t.render())  # render puts the fence on the label line again
    assert [(x.speaker, x.text) for x in again.turns] == [(x.speaker, x.text) for x in t.turns]
    # a fence never closed must not swallow the turns after it
    unclosed = parse_transcript(f"Interviewer: go\nCandidate: {fence}py\nx = 1\n"
                                "Interviewer: done?\nCandidate: Yes.")
    assert speakers(unclosed) == [INT, C, INT, C] and unclosed.turns[3].text == "Yes."


@pytest.mark.parametrize("text", [
    "Interviewer: q1\nInterviewee: a1",
    "Q: q1\nA: a1",
    "**Interviewer:** q1\n**Candidate:** a1",
    "**Interviewer**: q1\n**Candidate**: a1",
    "Dana (interviewer): q1\nSam (candidate): a1",
    "[00:01:02] Interviewer: q1\n[00:01:09] Candidate: a1",
    "> Interviewer: q1\n> Candidate: a1",
    "[Interviewer] q1\n[Candidate] a1",
])
def test_common_speaker_label_variants(text):
    t = parse_transcript(text)
    assert speakers(t) == [INT, C]
    assert [x.text for x in t.turns] == ["q1", "a1"]


@pytest.mark.parametrize("header", [
    "Participants: Dana (interviewer), Sam (candidate)",
    "Speakers: Dana = interviewer; Sam = candidate",
    "Interviewer name: Dana\nCandidate name: Sam",
])
def test_header_maps_names_to_roles(header):
    t = parse_transcript(f"{header}\n\nDana: Tell me about yourself.\nSam: I build pipelines.")
    assert speakers(t) == [INT, C]


def test_unmapped_name_lines_are_not_guessed_as_speakers():
    with pytest.raises(TranscriptError, match="no speaker labels"):
        parse_transcript("Dana: Tell me about yourself.\nSam: I build pipelines.")


@pytest.mark.parametrize("opener", ["## Post-mortem", "# Postmortem", "**Post-mortem**",
                                    "Post-mortem:", "## Reflection"])
def test_postmortem_section_variants(opener):
    t = parse_transcript(f"Interviewer: q\nCandidate: a\n\n{opener}\nI should have tested nulls.")
    assert t.postmortem is not None and t.postmortem.text == "I should have tested nulls."


def test_empty_postmortem_section_means_no_postmortem():
    t = parse_transcript("Interviewer: q\nCandidate: a\n\n## Post-mortem\n\n")
    assert t.postmortem is None


def test_header_values_accept_labels_and_ids():
    t = parse_transcript("Role: DevOps/SRE\nArchetype: automotive\nRound: system design\n"
                         "Interviewer: q\nCandidate: a")
    assert (t.role, t.archetype, t.round) == (Role.SRE, Archetype.AUTOMOTIVE,
                                              RoundKind.SYSTEM_DESIGN)


def test_json_round_trip():
    t = load_transcript(DATA / "sample_backend_coding.md")
    back = parse_transcript(dumps(t), filename="x.json")
    assert [(x.speaker, x.text) for x in back.turns] == [(x.speaker, x.text) for x in t.turns]
    assert back.role is Role.BACKEND and back.postmortem is not None


def test_json_list_of_turns():
    t = parse_transcript(json.dumps([{"speaker": "interviewer", "text": "q"},
                                     {"speaker": "Candidate", "text": "a"}]))
    assert speakers(t) == [INT, C]


def test_text_render_round_trip():
    t = load_transcript(DATA / "sample_backend_coding.md")
    back = parse_transcript(t.render())
    assert back.turns == t.turns and back.round is t.round


VTT = """WEBVTT

NOTE Role: Data Engineering
NOTE Round: SQL

00:00:01.000 --> 00:00:04.000
<v Interviewer>Write a query for daily active users.</v>

00:00:04.500 --> 00:00:06.000
<v Priya (candidate)>Do we count a user once per day

00:00:06.000 --> 00:00:08.000
<v Priya (candidate)>even if they log in twice?

00:00:08.500 --> 00:00:09.000
Interviewer: Yes, once.
"""


def test_webvtt_voices_merge_consecutive_cues():
    t = parse_transcript(VTT, filename="call.vtt")
    assert speakers(t) == [INT, C, INT]
    assert t.turns[1].text == "Do we count a user once per day even if they log in twice?"
    assert t.role is Role.DATA_ENGINEERING and t.round is RoundKind.SQL


SRT = """1
00:00:01,000 --> 00:00:03,000
Interviewer: How would you find duplicate rows?

2
00:00:03,500 --> 00:00:06,000
[Candidate] GROUP BY the key columns, HAVING COUNT(*) > 1.

3
00:00:06,000 --> 00:00:07,000
<v Candidate>Then ROW_NUMBER to delete all but one.
"""


def test_srt_speaker_tags():
    t = parse_transcript(SRT)
    assert speakers(t) == [INT, C]
    assert "ROW_NUMBER" in t.turns[1].text


def test_encodings_bom_and_latin1():
    text = "Interviewer: Café?\nCandidate: Oui, naïve approach first."
    assert parse_transcript(text.encode("utf-16")).turns[0].text == "Café?"
    assert parse_transcript(b"\xef\xbb\xbf" + text.encode()).turns[1].text.startswith("Oui")
    assert "naïve" in parse_transcript(text.encode("latin-1")).turns[1].text


@pytest.mark.parametrize(("data", "message"), [
    (b"", "empty"),
    (b"   \n\t\n", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    (bytes(range(1, 31)) * 20, "binary"),
    ("Just some notes about the interview, no speakers.", "no speaker labels"),
    ("Interviewer: only questions\nInterviewer: nobody answers", "no candidate turns"),
    ('{"turns": [{"speaker": "interviewer", "text": "q"}', "invalid JSON"),
    ('{"turns": [{"speaker": "judge", "text": "q"}]}', "unknown speaker"),
    ('{"role": "backend"}', '"turns" list'),
    ("Role: Astronaut\nInterviewer: q\nCandidate: a", "unknown Role 'Astronaut'"),
    ("Role: Backend\nRound: karaoke\nInterviewer: q\nCandidate: a", "line 2"),
    ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nno speaker here\n", "no speaker tag"),
    ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Bob>hi\n", "unknown speaker 'Bob'"),
])
def test_bad_input_raises_a_clear_error(data, message):
    with pytest.raises(TranscriptError, match=message):
        parse_transcript(data)


def test_size_limit_names_the_limit(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("Interviewer: q\nCandidate: " + "a" * 2000)
    with pytest.raises(TranscriptError, match=r"limit is 0\.0 MB"):
        load_transcript(big, max_bytes=1000)
    with pytest.raises(TranscriptError, match="limit"):
        parse_transcript(b"x" * 1001, max_bytes=1000)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(TranscriptError, match="cannot read"):
        load_transcript(tmp_path / "nope.txt")


def test_error_names_the_line():
    with pytest.raises(TranscriptError) as info:
        parse_transcript("Role: Backend\nArchetype: Moon base\nInterviewer: q\nCandidate: a")
    assert info.value.line == 2
