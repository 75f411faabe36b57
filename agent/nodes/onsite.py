"""Onsite rounds: coding, system design and behavioral, one after another."""

from __future__ import annotations

from agent.interview import InterviewConfig, RoundState
from agent.models import RoundKind

_INTRO = {
    RoundKind.SYSTEM_DESIGN: "This is the system design round. Start wherever you like; I'm "
                             "interested in how you get from a vague prompt to a design.",
    RoundKind.BEHAVIORAL: "This is the behavioral round: I'll ask about real situations from "
                          "your experience, and specifics help a lot.",
}


def opener(cfg: InterviewConfig, rnd: RoundState, question: str, first: bool) -> str:
    intro = _INTRO.get(rnd.kind, f"Next up, a {rnd.kind.label} round.")
    return f"{'Welcome to the onsite. ' if first else ''}{intro} {question}"
