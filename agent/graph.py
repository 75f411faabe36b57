"""The interview loop as a LangGraph state machine (wiring only; nodes live in agent/nodes).

open_round -> listen (interrupt) -> decide -> listen ... -> post-mortem (listen) ->
score_round -> next_round -> open_round ... -> debrief. Checkpoints go to SQLite, one
thread per session id, so a killed process resumes at the exact pending question.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import END, START, StateGraph

from agent.nodes.debrief import debrief
from agent.nodes.rounds import (
    decide,
    listen,
    next_round,
    open_round,
    route_after_listen,
    route_after_score,
    score_round,
)
from agent.nodes.state import State


def build_graph() -> StateGraph:
    g = StateGraph(State)
    g.add_node("open_round", open_round)
    g.add_node("listen", listen)
    g.add_node("decide", decide)
    g.add_node("score_round", score_round)
    g.add_node("next_round", next_round)
    g.add_node("debrief", debrief)
    g.add_edge(START, "open_round")
    g.add_edge("open_round", "listen")
    g.add_conditional_edges("listen", route_after_listen, ["decide", "score_round"])
    g.add_edge("decide", "listen")
    g.add_conditional_edges("score_round", route_after_score,
                            {"next_round": "next_round", "debrief": "debrief", "end": END})
    g.add_edge("next_round", "open_round")
    g.add_edge("debrief", END)
    return g


def checkpointer(path: Path) -> SqliteSaver:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), check_same_thread=False)
    # state is plain JSON, so no custom types need registering with the serializer
    return SqliteSaver(conn, serde=JsonPlusSerializer())


def compile_graph(path: Path):
    return build_graph().compile(checkpointer=checkpointer(path))
