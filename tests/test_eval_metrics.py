"""Eval metrics on small hand-computed cases, and the harness end to end on a tiny set."""

from __future__ import annotations

import json
import math

import pytest

from agent.models import CriterionId
from agent.scoring import ConstantScorer
from evals import harness
from evals import metrics as M
from evals.dataset import load_dataset
from evals.perturb import INJECTION, append_injection, pad_with_filler, rename_speakers
from tests.conftest import DATA

EVALSET = DATA / "evalset"


def test_qwk_hand_computed():
    # O weighted = 0.25, E weighted = 3.75 / 3 = 1.25 -> 1 - 0.25 / 1.25
    assert M.qwk([0, 1, 2], [0, 2, 2]) == pytest.approx(0.8)
    assert M.qwk([0, 1, 2], [2, 1, 0]) == pytest.approx(-1.0)
    assert M.qwk([1, 1], [1, 1]) == 1.0  # perfect agreement on one class


def test_exact_flips_recall_smd():
    assert M.exact([0, 1, 2, 2], [0, 1, 1, 2]) == 0.75
    assert M.flips([0, 2, 1], [2, 2, 0]) == pytest.approx(1 / 3)
    assert M.recall_of_zero([0, 0, 1], [0, 1, 0]) == 0.5
    assert math.isnan(M.recall_of_zero([1, 2], [1, 2]))
    # gold mean 1, var 1; pred mean 4/3, var 4/3; pooled sd sqrt(7/6)
    assert M.smd([0, 1, 2], [0, 2, 2]) == pytest.approx((1 / 3) / math.sqrt(7 / 6))


def test_confusion_totals_and_bar():
    assert M.confusion([0, 1, 2, 2], [0, 2, 2, 1]) == [[1, 0, 0], [0, 0, 1], [0, 1, 1]]
    assert M.mae([7, 9], [8, 6]) == 2.0
    assert M.below_bar_agreement([7, 9], [8, 6]) == 0.0
    assert M.below_bar_agreement([7, 9, 12], [5, 8, 11]) == 1.0


def test_bootstrap_interval_brackets_the_estimate():
    gold = [0, 1, 2, 2, 1, 0, 2, 1, 0, 2]
    pred = [0, 1, 2, 1, 1, 0, 2, 2, 0, 2]
    lo, hi = M.ci95(M.qwk, gold, pred, n_resamples=300)
    assert lo <= M.qwk(gold, pred) <= hi and hi <= 1.0
    assert all(math.isnan(x) for x in M.ci95(M.qwk, [1], [1]))  # too few to resample


def test_harness_on_tiny_set_with_constant_scorer(tmp_path):
    items = load_dataset(EVALSET)
    assert [it.id for it in items] == ["s1", "s2"]
    result = harness.run_eval(ConstantScorer(), items, k=2, progress=False)
    req = result["agreement"]["criteria"]["requirements"]
    assert req["exact"] == 0.0 and req["confusion"] == [[0, 1, 0], [0, 0, 0], [0, 1, 0]]
    assert result["agreement"]["totals"]["mae"] == pytest.approx((6 + 4) / 2)
    assert result["evidence"]["quotes"] == 0
    rb = result["robustness"]
    assert rb["rerun_stability"]["identical_share"] == 1.0
    assert rb["append_injection"]["raised"] == 0 and rb["pad_filler"]["flip_rate"] == 0.0
    paths = harness.write_report(result, tmp_path / "out")
    assert (tmp_path / "out" / "confusion.png").stat().st_size > 1000
    data = json.loads((tmp_path / "out" / "results.json").read_text())
    assert data["agreement"]["criteria"]["postmortem"]["recall_0"] == 0.0
    assert "| requirements |" in (tmp_path / "out" / "report.md").read_text()
    assert len(paths) == 3


def test_split_filter():
    assert [it.id for it in load_dataset(EVALSET, "test")] == ["s2"]


def test_perturbations_keep_content():
    t = load_dataset(EVALSET)[0].transcript
    padded = pad_with_filler(t)
    assert len(padded.turns) == len(t.turns) + 4 and padded.postmortem.text == t.postmortem.text
    injected = append_injection(t)
    assert injected.turns[-2].text == INJECTION and injected.postmortem is not None
    renamed = rename_speakers(t)
    assert [x.text for x in renamed.turns] == [x.text for x in t.turns]


def test_results_md_keeps_one_section_per_scorer(tmp_path):
    items = load_dataset(EVALSET)
    result = harness.run_eval(ConstantScorer(), items, robust=False, progress=False)
    path = tmp_path / "RESULTS.md"
    harness.update_results_md(result, path)
    harness.update_results_md(result, path)
    text = path.read_text()
    assert text.count("## Eval: scorer `constant`") == 1


def test_eval_cli_prints_table(tmp_path):
    from typer.testing import CliRunner

    from agent.cli import app

    out = CliRunner().invoke(app, ["eval", "--scorer", "constant", "--split", "all", "--data",
                                   str(EVALSET), "--out", str(tmp_path / "r"), "--k", "1"])
    assert out.exit_code == 0, out.output
    assert "QWK" in out.stdout and "postmortem" in out.stdout
    assert CriterionId.EDGE_CASES.value in (tmp_path / "r" / "report.md").read_text()


def test_eval_cli_since_measures_only_the_later_items(tmp_path):
    from typer.testing import CliRunner

    from agent.cli import app

    out = CliRunner().invoke(app, ["eval", "--scorer", "constant", "--split", "all", "--data",
                                   str(EVALSET), "--out", str(tmp_path / "r"), "--k", "1",
                                   "--since", "s2", "--no-robustness"])
    assert out.exit_code == 0, out.output
    assert "(1 transcripts)" in out.stdout
    refused = CliRunner().invoke(app, ["eval", "--scorer", "constant", "--since", "s2",
                                       "--update-results"])
    assert refused.exit_code == 2 and "drop --since" in refused.output
