"""Refit the analytic rater on the eval `dev` split (never on `test`).

Per criterion: ridge regression from the detector features to the gold score (weights
stay small and readable), then the two cut points that maximise quadratic-weighted kappa
on dev. Writes agent/scoring/analytic_params.json. Run: `mockloop calibrate`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import Ridge

from agent.models import CriterionId
from agent.scoring.analytic import PARAMS_PATH, AnalyticScorer, level, linear_score, load_params
from agent.signals import analyse
from evals.dataset import DATA_DIR, load_dataset
from evals.metrics import exact, qwk


def _best_thresholds(values: np.ndarray, gold: np.ndarray) -> list[float]:
    cands = np.unique(np.round(values, 4))
    mids = sorted({*(cands[:-1] + cands[1:]) / 2, cands.min() - 1e-3, cands.max() + 1e-3})
    best, best_key = [0.5, 1.5], (-2.0, -1.0)
    for t1, t2 in combinations(mids, 2):
        pred = [level(v, [t1, t2]) for v in values]
        key = (qwk(list(gold), pred), exact(list(gold), pred))
        if key > best_key:
            best, best_key = [float(t1), float(t2)], key
    return best


def fit(root: Path = DATA_DIR, alpha: float = 3.0) -> dict[str, Any]:
    items = load_dataset(root, "dev")
    if len(items) < 10:
        raise SystemExit(f"only {len(items)} dev items in {root}: too few to fit")
    analyses = {it.id: analyse(it.transcript) for it in items}
    current = load_params()
    out: dict[str, Any] = {"fitted_on": f"{len(items)} dev transcripts, "
                           f"{datetime.now(UTC):%Y-%m-%d}, ridge alpha={alpha}", "criteria": {}}
    for cid in CriterionId:
        names = list(current["criteria"][cid.value]["weights"])
        x = np.array([[analyses[it.id].findings[cid].features[n] for n in names] for it in items])
        y = np.array([it.labels.scores[cid].score for it in items])
        model = Ridge(alpha=alpha).fit(x, y)
        p = {"intercept": round(float(model.intercept_), 4),
             "weights": {n: round(float(w), 4) for n, w in zip(names, model.coef_, strict=True)}}
        values = np.array([linear_score(analyses[it.id].findings[cid].features, p) for it in items])
        p["thresholds"] = [round(t, 4) for t in _best_thresholds(values, y)]
        out["criteria"][cid.value] = p
    return out


def main(write: bool = True) -> dict[str, Any]:
    params = fit()
    scorer = AnalyticScorer(params)
    items = load_dataset(DATA_DIR, "dev")
    for cid in CriterionId:
        gold = [it.labels.scores[cid].score for it in items]
        pred = [scorer.score(it.transcript).scores[cid].score for it in items]
        print(f"{cid.value:14s} dev QWK {qwk(gold, pred):.3f}  exact {exact(gold, pred):.3f}")
    if write:
        PARAMS_PATH.write_text(json.dumps(params, indent=1) + "\n")
        print(f"wrote {PARAMS_PATH}")
    return params


if __name__ == "__main__":
    main()
