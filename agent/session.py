"""An interview session: start, answer, inspect; resumable from SQLite by session id."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from langgraph.types import Command
from pydantic import BaseModel

from agent.config import Settings, get_settings
from agent.errors import MockloopError
from agent.graph import compile_graph
from agent.interview import InterviewConfig, RoundState
from agent.store import Store

_GRAPHS: dict[str, Any] = {}


def _graph(settings: Settings) -> Any:
    key = str(settings.checkpoint_path)
    if key not in _GRAPHS:
        _GRAPHS[key] = compile_graph(settings.checkpoint_path)
    return _GRAPHS[key]


class Prompt(BaseModel):
    """What the interviewer says now, and where the session stands."""

    session_id: str
    text: str | None  # None when the loop is over
    kind: str | None  # answer | postmortem
    round_index: int
    rounds: list[RoundState]
    debrief: dict[str, Any] | None = None

    @property
    def finished(self) -> bool:
        return self.text is None


class InterviewSession:
    def __init__(self, session_id: str | None = None, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self.id = session_id or uuid.uuid4().hex[:12]
        self.graph = _graph(self.settings)
        self.cfg = {"configurable": {"thread_id": self.id}}

    def exists(self) -> bool:
        return bool(self.graph.get_state(self.cfg).values)

    def start(self, config: InterviewConfig) -> Prompt:
        if self.exists():
            raise MockloopError(f"session {self.id} already exists; resume it instead")
        plan = config.plan()
        if not plan:
            raise MockloopError("choose at least one stage or round to run")
        rounds = [RoundState(stage=s, kind=k).model_dump(mode="json") for s, k in plan]
        Store(self.settings).upsert_session(self.id, candidate=config.candidate,
                                            role=config.role.value,
                                            archetype=config.archetype.value)
        self.graph.invoke({"session_id": self.id, "config": config.model_dump(mode="json"), "rounds": rounds,
                           "current": 0, "pending": None, "used_questions": [],
                           "debrief": None}, self.cfg)
        return self.prompt()

    def answer(self, text: str) -> Prompt:
        if not text or not text.strip():
            raise MockloopError("the answer is empty; type something (or 'let's stop' to end the round)")
        if self.prompt().finished:
            raise MockloopError("this interview has finished")
        self.graph.invoke(Command(resume=text.strip()), self.cfg)
        return self._touch(self.prompt())

    def stream_answer(self, text: str) -> Iterator[str | Prompt]:
        """Like `answer`, yielding the interviewer's tokens as a model produces them, then
        the new Prompt. With the offline engine there are no tokens, just the Prompt."""
        if not text or not text.strip():
            raise MockloopError("the answer is empty; type something (or 'let's stop' to end the round)")
        if self.prompt().finished:
            raise MockloopError("this interview has finished")
        for mode, chunk in self.graph.stream(Command(resume=text.strip()), self.cfg,
                                             stream_mode=["custom", "updates"]):
            if mode == "custom" and "token" in chunk:
                yield chunk["token"]
        yield self._touch(self.prompt())

    def _touch(self, prompt: Prompt) -> Prompt:
        Store(self.settings).upsert_session(self.id, status="finished" if prompt.finished else "open")
        return prompt

    def prompt(self) -> Prompt:
        snap = self.graph.get_state(self.cfg)
        values = snap.values
        if not values:
            raise MockloopError(f"no interview with session id {self.id!r}")
        ask = None
        for task in snap.tasks:
            for intr in task.interrupts:
                ask = intr.value
        rounds = [RoundState.model_validate(r) for r in values["rounds"]]
        return Prompt(session_id=self.id, text=ask["ask"] if ask else None,
                      kind=ask["kind"] if ask else None, round_index=values["current"],
                      rounds=rounds, debrief=values.get("debrief"))
