"""agent/rubric.py must say exactly what ../shared/rubric.md says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from agent.models import CriterionId, RoundKind
from agent.rubric import CRITERIA

SHARED = Path(__file__).resolve().parents[2] / "shared" / "rubric.md"


def _rows(text: str, header_start: str) -> list[list[str]]:
    block = text[text.index(header_start):]
    rows = []
    for line in block.splitlines()[2:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip("|").split("|")])
    return rows


@pytest.mark.skipif(not SHARED.exists(), reason="shared/ is not beside this checkout")
def test_levels_match_shared_rubric():
    text = SHARED.read_text()
    for row in _rows(text, "| id | criterion"):
        cid = CriterionId(row[0].strip("`"))
        assert CRITERIA[cid].name == row[1]
        for level in (0, 1, 2):
            assert CRITERIA[cid].levels[level] == row[2 + level], (cid, level)


@pytest.mark.skipif(not SHARED.exists(), reason="shared/ is not beside this checkout")
def test_round_readings_match_shared_rubric():
    text = SHARED.read_text()
    names = {"recruiter screen": [RoundKind.RECRUITER_SCREEN], "coding / SQL":
             [RoundKind.CODING, RoundKind.SQL], "ML / data science": [RoundKind.ML],
             "system design": [RoundKind.SYSTEM_DESIGN], "infra / SRE": [RoundKind.INFRA],
             "behavioral": [RoundKind.BEHAVIORAL]}
    four = [CriterionId.REQUIREMENTS, CriterionId.CORRECTNESS, CriterionId.TRADEOFFS,
            CriterionId.EDGE_CASES]
    rows = _rows(text, "| round | `requirements`")
    assert len(rows) == 6
    for row in rows:
        for kind in names[row[0]]:
            for cid, cell in zip(four, row[1:], strict=True):
                assert CRITERIA[cid].readings[kind] == re.sub(r"\s+", " ", cell)
