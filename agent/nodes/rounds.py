"""The nodes every round runs: open with a question, listen, decide, post-mortem, score."""

from __future__ import annotations

import time
from typing import Any

from langgraph.config import get_stream_writer
from langgraph.types import interrupt

from agent.config import get_settings, is_offline
from agent.interview import (
    POSTMORTEM_ASK,
    InterviewConfig,
    LLMInterviewer,
    RoundState,
    next_move,
    pick_question,
)
from agent.knowledge import Guidance, load_corpus, store_if_ready
from agent.models import Speaker, Stage
from agent.nodes import onsite, recruiter_screen, technical_screen
from agent.nodes.state import State, config_of, round_of, with_round
from agent.scoring.analytic import AnalyticScorer
from agent.store import Store


def _question(qid: str | None):
    return next((q for q in load_corpus().questions if q.id == qid), None) if qid else None


def _guidance(cfg: InterviewConfig, rnd: RoundState) -> list[Guidance]:
    """Round guidance for 'why this question' and the LLM interviewer (empty until the
    store is ready, so a first start never waits for the build)."""
    store = store_if_ready(get_settings())
    if store is None or store.count() == 0:  # still building, or empty: go on without it
        return []
    return store.guidance_for(role=cfg.role, archetype=cfg.archetype, round_kind=rnd.kind,
                              kinds=("guidance", "rubric"), query=rnd.question or rnd.kind.label,
                              k=3)


def _opener(cfg: InterviewConfig, state: State, rnd: RoundState, question: str) -> str:
    """Each stage opens its rounds in its own words (agent/nodes/<stage>.py)."""
    if rnd.stage is Stage.RECRUITER_SCREEN:
        return recruiter_screen.opener(cfg, question)
    if rnd.stage is Stage.TECHNICAL_SCREEN:
        return technical_screen.opener(cfg, rnd, question)
    earlier = [round_of(state, i).stage for i in range(state["current"])]
    return onsite.opener(cfg, rnd, question, first=Stage.ONSITE not in earlier)


def open_round(state: State) -> dict[str, Any]:
    cfg = config_of(state)
    rnd = round_of(state)
    q = pick_question(cfg, rnd.kind, state.get("used_questions", []))
    if q is None:
        rnd.notes.append(f"no question in the bank for {cfg.role.label} x {rnd.kind.label}")
        question = "Tell me about a recent piece of work you're proud of."
    else:
        rnd.question_id, rnd.question = q.id, q.text
        question = q.text
    text = _opener(cfg, state, rnd, question)
    rnd.guidance = [{"id": g.id, "title": g.title, "source": g.source}
                    for g in _guidance(cfg, rnd)]
    rnd.asked.append(text)
    rnd.started_at = time.time()
    return {"rounds": with_round(state, rnd),
            "used_questions": [*state.get("used_questions", []), *([q.id] if q else [])],
            "pending": {"kind": "answer", "text": text, "criterion": None}}


def listen(state: State) -> dict[str, Any]:
    pending = state["pending"] or {}
    answer = interrupt({"ask": pending.get("text", ""), "kind": pending.get("kind", "answer"),
                        "round": state["current"]})
    rnd = round_of(state)
    rnd.add(Speaker.INTERVIEWER, pending["text"])
    if pending.get("kind") == "postmortem":
        rnd.add(Speaker.CANDIDATE, str(answer), postmortem=True)
        rnd.status = "postmortem"
    else:
        rnd.add(Speaker.CANDIDATE, str(answer))
    return {"rounds": with_round(state, rnd), "pending": None}


def decide(state: State) -> dict[str, Any]:
    cfg = config_of(state)
    rnd = round_of(state)
    move = next_move(cfg, rnd, _question(rnd.question_id))
    if move.action == "probe":
        text = move.text
        if not is_offline(cfg.engine):
            writer = get_stream_writer()
            text, note = LLMInterviewer(cfg.engine).phrase(
                cfg, rnd, move, _guidance(cfg, rnd), on_token=lambda t: writer({"token": t}))
            if note:
                rnd.notes.append(note)
                writer({"fallback": note})
        rnd.asked.append(move.probe)
        rnd.probed.append(move.criterion)  # type: ignore[arg-type]
        pending = {"kind": "answer", "text": text,
                   "criterion": move.criterion.value if move.criterion else None}
    else:
        pending = {"kind": "postmortem", "text": f"{move.text} {POSTMORTEM_ASK}", "criterion": None}
    return {"rounds": with_round(state, rnd), "pending": pending}


def score_round(state: State) -> dict[str, Any]:
    cfg = config_of(state)
    rnd = round_of(state)
    transcript = rnd.transcript(cfg)
    rnd.scorecard = AnalyticScorer().score(transcript)
    rnd.status = "scored"
    # the coach queue and the progress view read scorecards from the store
    Store(get_settings()).save_scorecard(rnd.scorecard, transcript, source="interview",
                                         candidate=cfg.candidate,
                                         session_id=state.get("session_id"))
    return {"rounds": with_round(state, rnd)}


def next_round(state: State) -> dict[str, Any]:
    return {"current": state["current"] + 1}


def route_after_listen(state: State) -> str:
    return "score_round" if round_of(state).status == "postmortem" else "decide"


def route_after_score(state: State) -> str:
    if state["current"] + 1 < len(state["rounds"]):
        return "next_round"
    return "debrief" if Stage.DEBRIEF in config_of(state).stages else "end"
