"""Technical screen: one problem in the role's kind (coding, SQL, ML or infra)."""

from __future__ import annotations

from agent.interview import InterviewConfig, RoundState


def opener(cfg: InterviewConfig, rnd: RoundState, question: str) -> str:
    return (f"Welcome to the technical screen. This is a {rnd.kind.label} round, about 45 "
            "minutes; please think out loud and ask whatever you need. " + question)
