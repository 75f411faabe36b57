"""The labelled eval set: every file parses and every gold quote is in its cited turn."""

from __future__ import annotations

from collections import Counter

import pytest

from agent.models import CriterionId
from evals.dataset import DATA_DIR, check_item, load_dataset
from tests.conftest import DATA

ITEMS = load_dataset(DATA_DIR)


def test_fixture_set_is_clean():
    for item in load_dataset(DATA / "evalset"):
        assert check_item(item) == [], item.id


@pytest.mark.parametrize("item", ITEMS, ids=[it.id for it in ITEMS])
def test_item_parses_and_quotes_verify(item):
    assert check_item(item) == []
    assert item.split in ("dev", "test")
    words = len(item.path.read_text().split())
    assert 200 <= words <= 1500, words


def test_every_transcript_has_labels():
    transcripts = {p.stem for p in (DATA_DIR / "transcripts").glob("*.md")}
    assert transcripts == {it.id for it in ITEMS}


@pytest.mark.skipif(len(ITEMS) < 90, reason="the labelled set is still being written")
def test_coverage_and_spread():
    roles = Counter(it.transcript.role for it in ITEMS)
    rounds = Counter(it.transcript.round for it in ITEMS)
    archetypes = Counter(it.transcript.archetype for it in ITEMS)
    assert len(roles) == 5 and len(rounds) == 7 and len(archetypes) == 3
    for cid in CriterionId:
        spread = Counter(it.labels.scores[cid].score for it in ITEMS)
        assert all(spread[level] >= 5 for level in (0, 1, 2)), (cid, spread)
    totals = {it.labels.total for it in ITEMS}
    assert min(totals) <= 2 and max(totals) >= 11
    splits = Counter(it.split for it in ITEMS)
    assert splits["dev"] >= 30 and splits["test"] >= 30


@pytest.mark.parametrize("item", ITEMS, ids=[it.id for it in ITEMS])
def test_item_survives_render_and_reparse(item):
    # the same transcript written back out and read again is the same transcript
    # (the eval's rename_speakers perturbation relies on it)
    from agent.transcripts import parse_text

    t = item.transcript
    again = parse_text(t.render())
    assert [(x.speaker, x.text, x.is_postmortem) for x in again.turns] == [
        (x.speaker, x.text, x.is_postmortem) for x in t.turns]
