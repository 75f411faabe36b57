"""The app's handlers, called as the browser calls them (the browser suite is in
tests/test_browser.py)."""

from __future__ import annotations

import gradio as gr
import pytest

from tests.conftest import DATA


def _unwrap(gen):
    return list(gen)[-1]


def test_interview_handlers_round_trip():
    from ui import app

    out = app.start_interview("ana", "Backend", "FAANG/high-growth", "coding",
                              app.STAGES, "offline")
    chat, status, _why, _cards, _box, sid = out
    assert sid and chat[-1]["role"] == "assistant" and sid in status
    chat, status, _why, _cards, _box = _unwrap(app.answer(sid, "Is the input sorted? How big is it?"))
    assert chat[-2] == {"role": "user", "content": "Is the input sorted? How big is it?"}
    again = app.resume(sid)
    assert again[0] == chat  # a reload shows the same conversation
    with pytest.raises(gr.Error, match="empty"):
        _unwrap(app.answer(sid, "  "))
    assert [row[0] for row in app.past_sessions()] == [sid]


def test_candidate_html_is_escaped_in_chat():
    from ui import app

    *_, sid = app.start_interview("", "Backend", "FAANG/high-growth", "coding", app.STAGES,
                                  "offline")
    chat = _unwrap(app.answer(sid, "<img src=x onerror=alert(1)> and <script>alert(2)</script>"))[0]
    assert "<img" not in chat[-2]["content"] and "&lt;img" in chat[-2]["content"]


def test_score_handler_highlights_and_saves(monkeypatch):
    from ui import app

    marked, _md, files, saved = app.score_transcript(
        (DATA / "sample_backend_coding.md").read_text(), None, "ana", "auto", "")
    labels = {label for _, label in marked if label}
    assert "requirements" in labels and "Saved as scorecard #1" in saved
    assert any(text == "Is the input sorted by start time?" for text, label in marked
               if label == "requirements")
    assert files[1].endswith("scorecard.json")
    with pytest.raises(gr.Error, match="no speaker labels"):
        app.score_transcript("just some notes", None, "", "auto", "")


def test_coach_login_review_and_agreement(monkeypatch):
    from ui import app

    app.score_transcript((DATA / "sample_backend_coding.md").read_text(), None, "ana", "auto", "")
    with pytest.raises(gr.Error, match="MOCKLOOP_COACH_PASSWORD"):
        app.login("coach", "x")
    monkeypatch.setenv("MOCKLOOP_COACH_PASSWORD", "s3cret")
    with pytest.raises(gr.Error, match="wrong"):
        app.login("coach", "nope")
    coach, *_ = app.login("coach", "s3cret")
    with pytest.raises(gr.Error, match="reason"):
        app.submit_review(coach, 1, "tradeoffs", "0", "")
    _reason, _queue, agree, _plot, audit = app.submit_review(coach, 1, "tradeoffs", "0",
                                                          "no alternative was compared")
    assert audit[0][1:3] == ["coach", "override"] and audit[0][-1] == "no alternative was compared"
    row = next(r for r in agree if r[0] == "tradeoffs")
    assert row[1] == 1 and row[2] == 0.0


def test_progress_needs_data():
    from ui import app

    with pytest.raises(gr.Error, match="no scorecards"):
        app.progress("nobody")
    app.score_transcript((DATA / "sample_backend_coding.md").read_text(), None, "bo", "auto", "")
    _plot, table, summary = app.progress("bo")
    assert len(table) == 1 and "1 scored rounds" in summary
