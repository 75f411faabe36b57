"""Quote verification: is each evidence quote really in the turn it cites?

After normalising Unicode, quote marks, dashes, white space and case, a quote must be a
substring of the cited turn (match `exact`); a near-verbatim quote (transcription noise)
passes only above a high rapidfuzz threshold and is marked `fuzzy`. Character offsets
into the original turn text are stored for highlighting. A quote from an interviewer turn
never counts as the candidate's evidence.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from rapidfuzz import fuzz

from agent.models import Evidence, MatchKind, Speaker, Transcript

FUZZY_THRESHOLD = 92.0
MIN_FUZZY_LEN = 16
_QUOTES = {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "`": "'", "\u00b4": "'",
           "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"',
           "\u00bb": '"', "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2026": "..."}


@lru_cache(maxsize=4096)
def normalise(text: str) -> tuple[str, tuple[int, ...]]:
    """Normalised text and, for each of its characters, the index in `text` it came from.
    Cached: every quote of a scorecard checks against the same few turns."""
    out: list[str] = []
    index: list[int] = []
    space_at = -1  # where a run of white space began, if one is pending
    for i, ch in enumerate(text):
        piece = _QUOTES.get(ch) or unicodedata.normalize("NFKC", ch)
        for c in piece.lower():
            if c.isspace():
                if out and space_at < 0:
                    space_at = i
                continue
            if space_at >= 0:
                out.append(" ")
                index.append(space_at)
                space_at = -1
            out.append(c)
            index.append(i)
    return "".join(out), tuple(index)


def normalised(text: str) -> str:
    return normalise(text)[0]


def locate(quote: str, text: str) -> tuple[MatchKind, int, int] | None:
    """Where `quote` sits in `text` as (match kind, start, end) in original offsets."""
    nt, index = normalise(text)
    full = normalised(quote)
    # try the quote as given, then without the punctuation a model may add or drop at its ends
    for nq in dict.fromkeys((full, full.strip(" .,;:!?\"'"))):
        pos = nt.find(nq) if nq else -1
        if pos >= 0:
            return MatchKind.EXACT, index[pos], index[pos + len(nq) - 1] + 1
    nq = full.strip(" .,;:!?\"'")
    if not nq:
        return None
    if len(nq) < MIN_FUZZY_LEN:
        return None
    al = fuzz.partial_ratio_alignment(nq, nt, score_cutoff=FUZZY_THRESHOLD)
    if al is None or al.dest_end <= al.dest_start:
        return None
    # partial_ratio aligns a window of the quote's length; demand most of the quote is covered
    if (al.src_end - al.src_start) < 0.9 * len(nq):
        return None
    return MatchKind.FUZZY, index[al.dest_start], index[al.dest_end - 1] + 1


def verify_quote(transcript: Transcript, evidence: Evidence, *,
                 candidate_only: bool = True) -> Evidence:
    """A copy of `evidence` with verified/match/start/end/problem set."""
    ev = evidence.model_copy(update={"verified": False, "match": None, "start": None,
                                     "end": None, "problem": None})
    turn = transcript.turn(ev.turn)
    if turn is None:
        ev.problem = f"turn {ev.turn} does not exist (the transcript has {len(transcript.turns)} turns)"
        return ev
    found = locate(ev.quote, turn.text)
    if found is None:
        ev.problem = f"quote not found in turn {ev.turn}"
        return ev
    ev.match, ev.start, ev.end = found
    if candidate_only and turn.speaker is not Speaker.CANDIDATE:
        ev.problem = f"turn {ev.turn} is the interviewer's, not the candidate's"
        return ev
    ev.verified = True
    return ev


def verify_quotes(transcript: Transcript, evidence: list[Evidence], *,
                  candidate_only: bool = True) -> list[Evidence]:
    return [verify_quote(transcript, e, candidate_only=candidate_only) for e in evidence]
