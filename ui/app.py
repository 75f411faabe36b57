"""The Gradio app: Interview | Score a transcript | Coach review | Progress.

Handlers are thin: they call agent/ and turn MockloopErrors into gr.Error. Candidate
text is rendered as text. Analytics and hub calls are off before gradio is imported.
`mockloop serve` launches `demo` on 127.0.0.1 by default.
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import hmac
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from agent.config import get_settings
from agent.errors import MockloopError
from agent.interview import InterviewConfig
from agent.models import Archetype, CriterionId, Role, RoundKind, Stage
from agent.report import render_scorecard
from agent.scoring import get_scorer
from agent.session import InterviewSession, Prompt
from agent.store import Store
from agent.transcripts import parse_transcript
from ui import views

LOOP = "Stages below"
STAGES = [s.label for s in Stage]
SET_URL = ("(sid) => { const u = new URL(window.location); if (sid) { u.searchParams.set('session', sid); "
           "window.history.replaceState(null, '', u); } }")


def _store() -> Store:
    return Store(get_settings())


def _err(exc: Exception) -> gr.Error:
    return gr.Error(str(exc))


# ---------------------------------------------------------------- interview


def _views(p: Prompt) -> tuple[Any, ...]:
    label = "Your post-mortem" if p.kind == "postmortem" else (
        "Your answer" if p.text else "The interview is over")
    return (views.chat_history(p), views.status_panel(p), views.why_panel(p),
            views.scorecards_md(p), gr.update(value="", label=label, interactive=bool(p.text)))


def start_interview(candidate: str, role: str, archetype: str, rounds: str, stages: list[str],
                    engine: str) -> tuple[Any, ...]:
    try:
        kw: dict[str, Any] = {"candidate": candidate.strip(), "role": Role.parse(role),
                              "archetype": Archetype.parse(archetype),
                              "engine": engine.strip() or "offline"}
        if rounds != LOOP:
            kw["rounds"] = [RoundKind.parse(rounds)]
            kw["stages"] = [Stage.ONSITE, Stage.DEBRIEF] if Stage.DEBRIEF.label in stages else [Stage.ONSITE]
        else:
            kw["stages"] = [Stage.parse(s) for s in stages]
        sess = InterviewSession()
        p = sess.start(InterviewConfig(**kw))
    except (MockloopError, ValueError) as exc:
        raise _err(exc) from None
    return (*_views(p), sess.id)


def answer(session_id: str, text: str) -> Iterator[tuple[Any, ...]]:
    if not session_id.strip():
        raise gr.Error("start an interview first, or paste a session id and press Resume")
    try:
        sess = InterviewSession(session_id.strip())
        before = sess.prompt()
        chat = views.chat_history(before)
        chat.append({"role": "user", "content": views.md_escape(text)})
        chat.append({"role": "assistant", "content": "..."})
        streamed = ""
        for item in sess.stream_answer(text):
            if isinstance(item, str):
                streamed += item
                chat[-1] = {"role": "assistant", "content": views.md_escape(streamed)}
                yield (chat, gr.skip(), gr.skip(), gr.skip(), gr.skip())
            else:
                yield _views(item)
    except MockloopError as exc:
        raise _err(exc) from None


def resume(session_id: str) -> tuple[Any, ...]:
    if not session_id.strip():
        raise gr.Error("paste a session id (or pick one from Past sessions)")
    try:
        p = InterviewSession(session_id.strip()).prompt()
    except MockloopError as exc:
        raise _err(exc) from None
    return _views(p)


def on_load(request: gr.Request) -> tuple[Any, ...]:
    sid = (request.query_params.get("session") or "").strip() if request else ""
    past = past_sessions()
    if not sid:
        return (gr.skip(),) * 5 + (gr.skip(), past)
    try:
        return (*resume(sid), sid, past)
    except gr.Error:
        return (gr.skip(),) * 5 + ("", past)


def past_sessions() -> list[list[Any]]:
    return [[s["id"], s["candidate"], s["role"], s["archetype"], s["status"],
             views.when(s["updated_at"])] for s in _store().sessions()]


# ---------------------------------------------------------------- scoring


def score_transcript(text: str, upload: str | None, candidate: str, scorer: str,
                     model: str) -> tuple[Any, ...]:
    try:
        if upload:
            transcript = parse_transcript(Path(upload).read_bytes(), filename=Path(upload).name)
        else:
            transcript = parse_transcript(text or "")
        settings = get_settings(grader_model=model.strip() or None)
        card = get_scorer(scorer, settings=settings).score(transcript)
        card_id = _store().save_scorecard(card, transcript, source="upload",
                                          candidate=candidate.strip())
    except MockloopError as exc:
        raise _err(exc) from None
    out = Path(tempfile.mkdtemp(prefix="mockloop-export-"))
    (out / "scorecard.md").write_text(render_scorecard(card))
    (out / "scorecard.json").write_text(json.dumps(card.to_json(), indent=1))
    return (views.highlighted(transcript, card), views.scorecard_md(card),
            [str(out / "scorecard.md"), str(out / "scorecard.json")],
            f"Saved as scorecard #{card_id} for coach review.")


# ---------------------------------------------------------------- coach review


def login(user: str, password: str) -> tuple[Any, ...]:
    s = get_settings()
    if s.coach_password is None:
        raise gr.Error("coach review is off: set MOCKLOOP_COACH_PASSWORD (and optionally "
                       "MOCKLOOP_COACH_USER) in the environment")
    ok = hmac.compare_digest(user.encode(), s.coach_user.encode()) and hmac.compare_digest(
        password.encode(), s.coach_password.get_secret_value().encode())
    if not ok:
        raise gr.Error("wrong user name or password")
    return (user, gr.update(visible=True), gr.update(visible=False), *coach_refresh())


def coach_refresh() -> tuple[Any, ...]:
    store = _store()
    queue = [[q["id"], q["source"], q["candidate"], q["file"] or "", q["total"],
              f"{q['reviewed']}/6", views.when(q["created_at"])] for q in store.queue()]
    agree = store.agreement()
    audit = [[views.when(a["at"]), a["who"], a["action"], a["scorecard_id"], a["criterion"] or "",
              a["before"] or "", a["after"] or "", a["why"]] for a in store.audit_log()]
    return queue, views.agreement_rows(agree), views.agreement_plot(agree), audit


def open_card(coach: str, card_id: float | None) -> tuple[Any, ...]:
    if not coach:
        raise gr.Error("log in as a coach first")
    if card_id is None:
        raise gr.Error("enter a scorecard number from the queue")
    try:
        card, transcript = _store().scorecard(int(card_id))
    except MockloopError as exc:
        raise _err(exc) from None
    return views.highlighted(transcript, card), views.scorecard_md(card)


def submit_review(coach: str, card_id: float | None, criterion: str, score: str,
                  reason: str) -> tuple[Any, ...]:
    if not coach:
        raise gr.Error("log in as a coach first")
    if card_id is None or not score:
        raise gr.Error("pick a scorecard, a criterion and a score")
    try:
        _store().review(int(card_id), CriterionId.parse(criterion), int(score), coach=coach,
                        reason=reason)
    except (MockloopError, ValueError) as exc:
        raise _err(exc) from None
    return ("", *coach_refresh())


def export_reviews(coach: str) -> str:
    if not coach:
        raise gr.Error("log in as a coach first")
    folder = Path(tempfile.mkdtemp(prefix="mockloop-labels-"))
    written = _store().export_labels(folder / "data")
    if not written:
        raise gr.Error("no scorecard has all six criteria reviewed yet")
    return shutil.make_archive(str(folder / "coach-labels"), "zip", folder / "data")


# ---------------------------------------------------------------- progress


def progress(candidate: str) -> tuple[Any, ...]:
    rows = _store().progress(candidate.strip())
    if not rows:
        raise gr.Error(f"no scorecards for {candidate!r} yet")
    table = [[views.when(r["at"]), r["round"], r["total"], "yes" if r["below_bar"] else "no",
              *[r[c.value] for c in CriterionId]] for r in rows]
    means = {c: sum(r[c.value] or 0 for r in rows) / len(rows) for c in CriterionId}
    weakest = sorted(means, key=means.get)[:2]  # type: ignore[arg-type]
    below = sum(1 for r in rows[-5:] if r["below_bar"])
    summary = (f"{len(rows)} scored rounds. Below 8/12 in {below} of the last "
               f"{min(5, len(rows))}. Weakest on average: "
               + ", ".join(f"{c.label} ({means[c]:.1f})" for c in weakest) + ".")
    return views.progress_plot(rows), table, summary


# ---------------------------------------------------------------- layout


def build() -> gr.Blocks:
    roles = [r.label for r in Role]
    arches = [a.label for a in Archetype]
    with gr.Blocks(title="mockloop") as demo:
        gr.Markdown("# mockloop\nPractise a hiring loop; every score cites quotes the code "
                    "has checked. Offline by default: nothing leaves this machine.")
        with gr.Tab("Interview"):
            with gr.Row():
                candidate = gr.Textbox(label="Your name (for Progress)", scale=1)
                role = gr.Dropdown(roles, value=roles[0], label="Role")
                arch = gr.Dropdown(arches, value=arches[0], label="Company archetype")
                rounds = gr.Dropdown([LOOP, *[k.label for k in RoundKind]], value="coding",
                                     label="One round, or the stages below")
            with gr.Row():
                stages = gr.CheckboxGroup(STAGES, value=STAGES, label="Stages")
                engine = gr.Textbox(value="offline", label="Interviewer model (offline or a litellm model string)")
                start = gr.Button("Start interview", variant="primary", elem_id="start")
            with gr.Row():
                with gr.Column(scale=3):
                    chat = gr.Chatbot(label="Interview", height=460, sanitize_html=True,
                                      elem_id="chat")
                    box = gr.Textbox(label="Your answer", lines=4, elem_id="answer")
                    send = gr.Button("Send", elem_id="send")
                    cards = gr.Markdown(sanitize_html=True, elem_id="round-cards")
                with gr.Column(scale=2):
                    status = gr.Markdown(sanitize_html=True, elem_id="status")
                    why = gr.Markdown(sanitize_html=True)
                    sid = gr.Textbox(label="Session id (bookmark the page or paste one to resume)",
                                     elem_id="session-id")
                    resume_btn = gr.Button("Resume")
                    past = gr.Dataframe(headers=["session", "name", "role", "archetype", "status",
                                                 "updated"], label="Past sessions",
                                        interactive=False)
            outs = [chat, status, why, cards, box]
            start.click(start_interview, [candidate, role, arch, rounds, stages, engine],
                        [*outs, sid], api_name="start").then(None, [sid], None, js=SET_URL)
            send.click(answer, [sid, box], outs, api_name="answer")
            box.submit(answer, [sid, box], outs)
            resume_btn.click(resume, [sid], outs, api_name="resume").then(
                None, [sid], None, js=SET_URL)
            demo.load(on_load, None, [*outs, sid, past])
        with gr.Tab("Score a transcript"):
            with gr.Row():
                with gr.Column():
                    text = gr.Textbox(label="Paste a transcript", lines=14, elem_id="paste")
                    upload = gr.File(label="or upload (txt, md, json, vtt, srt)", type="filepath",
                                     elem_id="upload")
                    with gr.Row():
                        who = gr.Textbox(label="Candidate name", elem_id="who")
                        scorer = gr.Dropdown(["auto", "analytic", "combined", "llm"], value="auto",
                                             label="Scorer")
                        model = gr.Textbox(label="Grader model (blank: offline)")
                    go = gr.Button("Score", variant="primary", elem_id="score")
                with gr.Column():
                    saved = gr.Markdown()
                    card_md = gr.Markdown(sanitize_html=True, elem_id="scorecard")
                    files = gr.File(label="Export", file_count="multiple")
            marked = gr.HighlightedText(label="Transcript with evidence highlighted",
                                        combine_adjacent=False, show_legend=True,
                                        elem_id="highlighted")
            go.click(score_transcript, [text, upload, who, scorer, model],
                     [marked, card_md, files, saved], api_name="score")
        with gr.Tab("Coach review"):
            coach = gr.State("")
            with gr.Column() as login_box:
                user = gr.Textbox(label="Coach user", elem_id="coach-user")
                pw = gr.Textbox(label="Password", type="password", elem_id="coach-password")
                login_btn = gr.Button("Log in", elem_id="login")
            with gr.Column(visible=False) as review_box:
                queue = gr.Dataframe(headers=["#", "source", "name", "file", "total", "reviewed",
                                              "created"], label="Queue", interactive=False)
                with gr.Row():
                    card_id = gr.Number(label="Scorecard #", precision=0, elem_id="card-id")
                    open_btn = gr.Button("Open", elem_id="open-card")
                coach_marked = gr.HighlightedText(label="Evidence", combine_adjacent=False,
                                                  show_legend=True)
                coach_card = gr.Markdown(sanitize_html=True, elem_id="coach-card")
                with gr.Row():
                    crit = gr.Dropdown([c.value for c in CriterionId], value="requirements",
                                       label="Criterion", elem_id="crit")
                    score = gr.Radio(["0", "1", "2"], label="Coach score", elem_id="coach-score")
                    reason = gr.Textbox(label="Reason (required to override)", elem_id="reason")
                    submit = gr.Button("Accept / override", elem_id="submit-review")
                with gr.Row():
                    agree_tbl = gr.Dataframe(headers=["criterion", "n", "exact", "QWK"],
                                             label="AI vs coach agreement", interactive=False,
                                             elem_id="agreement")
                    agree_plot = gr.Plot()
                audit = gr.Dataframe(headers=["when", "who", "action", "card", "criterion",
                                              "before", "after", "why"], label="Audit log",
                                     interactive=False, elem_id="audit")
                export_btn = gr.Button("Export reviews as eval data")
                export_file = gr.File(label="Labelled data (zip)")
            refresh_outs = [queue, agree_tbl, agree_plot, audit]
            login_btn.click(login, [user, pw], [coach, review_box, login_box, *refresh_outs])
            open_btn.click(open_card, [coach, card_id], [coach_marked, coach_card])
            submit.click(submit_review, [coach, card_id, crit, score, reason],
                         [reason, *refresh_outs])
            export_btn.click(export_reviews, [coach], [export_file])
        with gr.Tab("Progress"):
            with gr.Row():
                name = gr.Textbox(label="Candidate name", elem_id="progress-name")
                show = gr.Button("Show progress", elem_id="show-progress")
            plot = gr.Plot()
            summary = gr.Markdown(elem_id="progress-summary")
            table = gr.Dataframe(headers=["when", "round", "total", "below 8",
                                          *[c.value for c in CriterionId]], interactive=False)
            show.click(progress, [name], [plot, table, summary], api_name="progress")
    return demo


demo = build()
