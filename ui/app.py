"""The Gradio app: an offline mock interview and transcript scoring (first slice).

Handlers are thin: they call agent/ and turn its MockloopErrors into gr.Error. Candidate
text is shown as text (HTML sanitised). Analytics are off before gradio is imported.
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import json
from typing import Any

import gradio as gr

from agent.errors import MockloopError
from agent.interview import InterviewConfig
from agent.models import Archetype, Role, RoundKind, Stage
from agent.report import render_scorecard
from agent.scoring import get_scorer
from agent.session import InterviewSession, Prompt
from agent.transcripts import parse_transcript

LOOP = "Full loop (recruiter, technical screen, onsite, debrief)"


def _history(p: Prompt) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for rnd in p.rounds:
        for t in rnd.turns:
            out.append({"role": "assistant" if t.speaker.value == "interviewer" else "user",
                        "content": t.text})
        if rnd.scorecard is not None:
            out.append({"role": "assistant",
                        "content": f"Round {rnd.kind.label} scored {rnd.scorecard.total}/12."})
    if p.text:
        out.append({"role": "assistant", "content": p.text})
    return out


def _status(p: Prompt) -> str:
    lines = [f"**Session** `{p.session_id}`"]
    for i, r in enumerate(p.rounds):
        mark = "✓" if r.scorecard else ("▶" if i == p.round_index else "·")
        total = f" {r.scorecard.total}/12" if r.scorecard else ""
        lines.append(f"- {mark} {r.stage.label}: {r.kind.label}{total}")
    cur = p.rounds[min(p.round_index, len(p.rounds) - 1)]
    if cur.coverage:
        lines.append("\n**Live rubric coverage**")
        lines += [f"- {c}: {v:.0%}" for c, v in cur.coverage.items()]
    if p.debrief:
        d = p.debrief
        lines += ["\n**Debrief**", f"- recommendation: **{d['recommendation']}**",
                  f"- plan: {d['plan']['advice']}",
                  f"- weakest: {', '.join(d['plan']['weakest_criteria'])}"]
    return "\n".join(lines)


def start_interview(role: str, archetype: str, rounds: str) -> tuple[Any, str, str]:
    try:
        kw: dict[str, Any] = {"role": Role.parse(role), "archetype": Archetype.parse(archetype)}
        if rounds != LOOP:
            kw["rounds"] = [RoundKind.parse(rounds)]
            kw["stages"] = [Stage.ONSITE, Stage.DEBRIEF]
        sess = InterviewSession()
        p = sess.start(InterviewConfig(**kw))
    except MockloopError as exc:
        raise gr.Error(str(exc)) from None
    return _history(p), _status(p), sess.id


def answer(session_id: str, text: str) -> tuple[Any, str, str]:
    if not session_id:
        raise gr.Error("start an interview first (or paste a session id and resume)")
    try:
        p = InterviewSession(session_id.strip()).answer(text)
    except MockloopError as exc:
        raise gr.Error(str(exc)) from None
    return _history(p), _status(p), ""


def resume(session_id: str) -> tuple[Any, str]:
    try:
        p = InterviewSession(session_id.strip()).prompt()
    except MockloopError as exc:
        raise gr.Error(str(exc)) from None
    return _history(p), _status(p)


def score_text(text: str, upload: str | None) -> tuple[str, str]:
    try:
        if upload:
            with open(upload, "rb") as fh:
                transcript = parse_transcript(fh.read(), filename=upload)
        else:
            transcript = parse_transcript(text or "")
        card = get_scorer("auto").score(transcript)
    except MockloopError as exc:
        raise gr.Error(str(exc)) from None
    return render_scorecard(card), json.dumps(card.to_json(), indent=1)


def build() -> gr.Blocks:
    roles = [r.label for r in Role]
    arches = [a.label for a in Archetype]
    kinds = [LOOP, *[k.label for k in RoundKind]]
    with gr.Blocks(title="mockloop") as demo:
        gr.Markdown("# mockloop\nPractise a hiring loop offline; every score cites verified quotes.")
        with gr.Tab("Interview"):
            with gr.Row():
                role = gr.Dropdown(roles, value=roles[0], label="Role")
                arch = gr.Dropdown(arches, value=arches[0], label="Company archetype")
                rnd = gr.Dropdown(kinds, value="coding", label="Rounds")
                start = gr.Button("Start", variant="primary")
            with gr.Row():
                with gr.Column(scale=3):
                    chat = gr.Chatbot(label="Interview", height=480, sanitize_html=True)
                    box = gr.Textbox(label="Your answer", lines=3)
                    send = gr.Button("Send")
                with gr.Column(scale=1):
                    status = gr.Markdown(sanitize_html=True)
                    sid = gr.Textbox(label="Session id (paste one to resume)")
                    resume_btn = gr.Button("Resume")
            start.click(start_interview, [role, arch, rnd], [chat, status, sid], api_name="start")
            send.click(answer, [sid, box], [chat, status, box], api_name="answer")
            box.submit(answer, [sid, box], [chat, status, box])
            resume_btn.click(resume, [sid], [chat, status], api_name="resume")
        with gr.Tab("Score a transcript"):
            with gr.Row():
                with gr.Column():
                    text = gr.Textbox(label="Paste a transcript", lines=16)
                    upload = gr.File(label="or upload (txt, md, json, vtt, srt)", type="filepath")
                    go = gr.Button("Score", variant="primary")
                with gr.Column():
                    card = gr.Markdown(sanitize_html=True)
                    raw = gr.Code(language="json", label="JSON")
            go.click(score_text, [text, upload], [card, raw], api_name="score")
    return demo


demo = build()
