"""Persistence: migrations, scorecards, reviews with required reasons, audit, agreement,
export as eval data, progress; nothing lost on reopen."""

from __future__ import annotations

import pytest

from agent.models import CriterionId
from agent.scoring.analytic import AnalyticScorer
from agent.store import ReviewError, Store
from agent.transcripts import load_transcript
from evals.dataset import check_item, load_dataset
from tests.conftest import DATA

C = CriterionId


@pytest.fixture
def saved(tmp_path):
    t = load_transcript(DATA / "sample_backend_coding.md")
    card = AnalyticScorer().score(t)
    store = Store(path=tmp_path / "m.sqlite")
    cid = store.save_scorecard(card, t, source="upload", candidate="ana")
    return store, cid, card


def test_migrations_are_versioned_and_idempotent(tmp_path):
    s = Store(path=tmp_path / "m.sqlite")
    assert s.migrate() == 1
    assert Store(path=tmp_path / "m.sqlite").migrate() == 1


def test_override_needs_reason_and_is_audited(saved, tmp_path):
    store, cid, card = saved
    ai = card.scores[C.TRADEOFFS].score
    other = (ai + 1) % 3
    with pytest.raises(ReviewError, match="needs a short reason"):
        store.review(cid, C.TRADEOFFS, other, coach="kim", reason=" ")
    store.review(cid, C.TRADEOFFS, other, coach="kim", reason="compared two options with costs")
    store.review(cid, C.REQUIREMENTS, card.scores[C.REQUIREMENTS].score, coach="kim")
    log = store.audit_log()
    assert log[0]["action"] == "accept" and log[1]["action"] == "override"
    assert (log[1]["who"], log[1]["before"], log[1]["after"]) == ("kim", str(ai), str(other))
    agree = store.agreement()
    assert agree["tradeoffs"]["n"] == 1 and agree["tradeoffs"]["exact"] == 0.0
    assert agree["requirements"]["exact"] == 1.0
    reopened = Store(path=tmp_path / "m.sqlite")  # nothing lost on restart
    assert reopened.latest_review(cid, C.TRADEOFFS)["reason"] == "compared two options with costs"
    assert reopened.queue()[0]["reviewed"] == 2


def test_export_reviewed_cards_as_eval_data(saved, tmp_path):
    store, cid, card = saved
    for c in C:
        store.review(cid, c, card.scores[c].score, coach="kim")
    written = store.export_labels(tmp_path / "export")
    assert written == [f"coach{cid:05d}"]
    items = load_dataset(tmp_path / "export")
    assert len(items) == 1 and check_item(items[0]) == []
    assert items[0].labels.total == card.total


def test_progress_over_time(saved):
    store, _, card = saved
    rows = store.progress("ana")
    assert len(rows) == 1 and rows[0]["total"] == card.total
    assert store.progress("nobody") == []


def test_concurrent_first_starts_migrate_once(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    path = tmp_path / "race.sqlite"
    with ThreadPoolExecutor(8) as pool:
        versions = list(pool.map(lambda _: Store(path=path).migrate(), range(16)))
    assert versions == [1] * 16


def test_a_removed_database_is_recreated_in_the_same_process(tmp_path):
    path = tmp_path / "gone.sqlite"
    Store(path=path).upsert_session("s1")
    path.unlink()
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"gone.sqlite{suffix}").unlink(missing_ok=True)
    Store(path=path).upsert_session("s2")  # tables exist again, not "no such table"


def test_an_exported_interview_keeps_the_own_interviewer_mark(tmp_path):
    # a coach-reviewed mock interview exported as eval data must still read as ours, or a
    # refit would learn from our interviewer's planned lines as if a human had reacted
    t = load_transcript(DATA / "sample_backend_coding.md")
    t = t.model_copy(update={"metadata": {"interviewed by": "mockloop"}})
    card = AnalyticScorer().score(t)
    store = Store(path=tmp_path / "m.sqlite")
    cid = store.save_scorecard(card, t, source="interview", candidate="ana")
    for c in C:
        store.review(cid, c, card.scores[c].score, coach="kim")
    store.export_labels(tmp_path / "export")
    (item,) = load_dataset(tmp_path / "export")
    assert item.transcript.by_mockloop and check_item(item) == []
