"""Recruiter screen: fit and logistics; the candidate's own questions are part of the signal."""

from __future__ import annotations

from agent.interview import InterviewConfig


def opener(cfg: InterviewConfig, question: str) -> str:
    return (f"Hi, thanks for making time today. I'm the recruiter for this {cfg.role.label} "
            f"role; this is a short screen on background, motivation and logistics. {question}")
