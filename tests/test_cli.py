"""The command line: `mockloop score` prints one JSON object per transcript, errors clearly."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from agent.cli import app
from tests.conftest import DATA

runner = CliRunner()


def test_score_json_shape():
    result = runner.invoke(app, ["score", str(DATA / "sample_backend_coding.md"), "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in result.stdout.strip().splitlines()]
    assert len(lines) == 1
    out = lines[0]
    assert out["role"] == "backend" and out["round"] == "coding"
    assert set(out["scores"]) == {"requirements", "correctness", "tradeoffs", "edge_cases",
                                  "communication", "postmortem"}
    assert out["total"] == sum(s["score"] for s in out["scores"].values())


def test_score_batch_with_one_bad_file(tmp_path):
    (tmp_path / "a.md").write_text((DATA / "sample_backend_coding.md").read_text())
    (tmp_path / "b.txt").write_text("no speakers here")
    result = runner.invoke(app, ["score", str(tmp_path), "--json", "--scorer", "constant"])
    assert result.exit_code == 0
    rows = [json.loads(x) for x in result.stdout.strip().splitlines()]
    assert rows[0]["total"] == 6
    assert rows[1]["file"].endswith("b.txt") and "no speaker labels" in rows[1]["error"]


def test_missing_path_and_unknown_scorer_are_clear_errors(tmp_path):
    result = runner.invoke(app, ["score", str(tmp_path / "nope.md")])
    assert result.exit_code == 2 and "no such file" in result.output
    result = runner.invoke(app, ["score", str(DATA / "sample_backend_coding.md"),
                                 "--scorer", "magic"])
    assert result.exit_code == 2 and "unknown or unavailable scorer" in result.output


def test_readable_report():
    result = runner.invoke(app, ["score", str(DATA / "sample_backend_coding.md")])
    assert result.exit_code == 0
    assert "# Scorecard" in result.stdout and "Debrief signals" in result.stdout
