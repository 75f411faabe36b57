"""The graph state: plain JSON so checkpoints resume in any process."""

from __future__ import annotations

from typing import Any, TypedDict

from agent.interview import InterviewConfig, RoundState


class State(TypedDict, total=False):
    session_id: str
    config: dict[str, Any]
    rounds: list[dict[str, Any]]
    current: int
    pending: dict[str, Any] | None  # what the interviewer is waiting on
    used_questions: list[str]
    debrief: dict[str, Any] | None


def config_of(state: State) -> InterviewConfig:
    return InterviewConfig.model_validate(state["config"])


def round_of(state: State, i: int | None = None) -> RoundState:
    return RoundState.model_validate(state["rounds"][state["current"] if i is None else i])


def with_round(state: State, rnd: RoundState) -> list[dict[str, Any]]:
    rounds = list(state["rounds"])
    rounds[state["current"]] = rnd.model_dump(mode="json")
    return rounds
