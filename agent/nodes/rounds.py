"""The nodes every round runs: open with a question, listen, decide, post-mortem, score."""

from __future__ import annotations

from typing import Any

from langgraph.types import interrupt

from agent.interview import POSTMORTEM_ASK, next_move, pick_question
from agent.knowledge import load_corpus
from agent.models import Speaker, Stage
from agent.nodes.state import State, config_of, round_of, with_round
from agent.scoring.analytic import AnalyticScorer


def _question(qid: str | None):
    return next((q for q in load_corpus().questions if q.id == qid), None) if qid else None


def open_round(state: State) -> dict[str, Any]:
    cfg = config_of(state)
    rnd = round_of(state)
    q = pick_question(cfg, rnd.kind, state.get("used_questions", []))
    opener = {0: "Let's begin.", 1: "Let's move on to the next round."}[min(state["current"], 1)]
    if q is None:
        rnd.notes.append(f"no question in the bank for {cfg.role.label} x {rnd.kind.label}")
        text = f"{opener} Tell me about a recent piece of work you're proud of."
    else:
        rnd.question_id, rnd.question = q.id, q.text
        text = f"{opener} {q.text}"
    rnd.asked.append(text)
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
        rnd.asked.append(move.probe)
        rnd.probed.append(move.criterion)  # type: ignore[arg-type]
        pending = {"kind": "answer", "text": move.text,
                   "criterion": move.criterion.value if move.criterion else None}
    else:
        pending = {"kind": "postmortem", "text": f"{move.text} {POSTMORTEM_ASK}", "criterion": None}
    return {"rounds": with_round(state, rnd), "pending": pending}


def score_round(state: State) -> dict[str, Any]:
    cfg = config_of(state)
    rnd = round_of(state)
    rnd.scorecard = AnalyticScorer().score(rnd.transcript(cfg))
    rnd.status = "scored"
    return {"rounds": with_round(state, rnd)}


def next_round(state: State) -> dict[str, Any]:
    return {"current": state["current"] + 1}


def route_after_listen(state: State) -> str:
    return "score_round" if round_of(state).status == "postmortem" else "decide"


def route_after_score(state: State) -> str:
    if state["current"] + 1 < len(state["rounds"]):
        return "next_round"
    return "debrief" if Stage.DEBRIEF in config_of(state).stages else "end"
