"""Load: 50 concurrent sessions through the real app: no errors, no state crosses sessions.
(Turn times are reported by evals/bench/load.py, never asserted.)"""

from __future__ import annotations

import pytest

from evals.bench.load import run

pytestmark = pytest.mark.slow


def test_fifty_concurrent_sessions():
    r = run(sessions=50, turns=3)
    assert r["errors"] == []
    assert r["crossed"] == []
    assert r["turns"] == 150
