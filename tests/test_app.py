"""The app's handlers, called as the browser would call them (no browser here)."""

from __future__ import annotations

import gradio as gr
import pytest

from tests.conftest import DATA


def test_interview_handlers_round_trip():
    from ui import app

    chat, status, sid = app.start_interview("Backend", "FAANG/high-growth", "coding")
    assert sid and chat[-1]["role"] == "assistant" and "Session" in status
    chat, status, box = app.answer(sid, "Is the input sorted? How big is it?")
    assert box == "" and chat[-2] == {"role": "user", "content": "Is the input sorted? How big is it?"}
    again, _ = app.resume(sid)
    assert again == chat  # a reload shows the same conversation
    with pytest.raises(gr.Error, match="empty"):
        app.answer(sid, "  ")


def test_score_handler_and_clear_errors():
    from ui import app

    md, raw = app.score_text((DATA / "sample_backend_coding.md").read_text(), None)
    assert "# Scorecard" in md and '"requirements"' in raw
    with pytest.raises(gr.Error, match="no speaker labels"):
        app.score_text("just some notes", None)
