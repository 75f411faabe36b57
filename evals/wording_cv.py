"""Does the learned wording feature earn its place? Nested cross-validation on dev.

For each criterion, 5-fold CV on the eval `dev` split (two shuffles), comparing the analytic
model on the detector features alone with the same model plus `wording`. Inside every outer
fold the wording model is fitted on the training transcripts only, and its own inner
out-of-fold predictions train the analytic model, exactly as `mockloop calibrate` does on the
whole of dev; the held-out transcripts are never seen by either. Prints a table of QWK.
Run: .venv/bin/python -m evals.wording_cv   (about a minute)
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline

from agent.scoring import wording as W
from agent.signals import analyse
from evals.calibrate import _vectoriser, direction, feature_names, fit_predict
from evals.dataset import DATA_DIR, load_dataset
from evals.metrics import qwk

ALPHA = 10.0  # the analytic model's ridge strength for this comparison
SEEDS = (0, 1)


def main() -> dict[str, tuple[float, float]]:
    items = load_dataset(DATA_DIR, "dev")
    analyses = {it.id: analyse(it.transcript) for it in items}
    texts = [W.candidate_text(analyses[it.id]) for it in items]
    out = {}
    print(f"nested 5-fold CV on {len(items)} dev transcripts, QWK (mean of {len(SEEDS)} shuffles)")
    print(f"{'criterion':14s} {'detectors':>10s} {'+ wording':>10s}")
    for cid in W.CRITERIA:
        names = feature_names(items, analyses, cid)
        names = [n for n in names if n != "wording"]
        sign = np.array([direction(n) for n in names])
        x = np.array([[analyses[it.id].findings[cid].features[n] for n in names]
                      for it in items]) * sign
        y = np.array([it.labels.scores[cid].score for it in items])
        base, stacked = [], []
        for seed in SEEDS:
            p_base, p_stack = np.zeros_like(y), np.zeros_like(y)
            for train, held in StratifiedKFold(5, shuffle=True, random_state=seed).split(x, y):
                pipe = make_pipeline(_vectoriser(), Ridge(alpha=W.ALPHA))
                tr_texts = [texts[i] for i in train]
                inner = cross_val_predict(pipe, tr_texts, y[train],
                                          cv=KFold(5, shuffle=True, random_state=0))
                outer = pipe.fit(tr_texts, y[train]).predict([texts[i] for i in held])
                p_base[held] = fit_predict(x[train], y[train], x[held], ALPHA)
                p_stack[held] = fit_predict(np.hstack([x[train], inner[:, None]]), y[train],
                                            np.hstack([x[held], outer[:, None]]), ALPHA)
            base.append(qwk(list(y), list(p_base)))
            stacked.append(qwk(list(y), list(p_stack)))
        out[cid.value] = (float(np.mean(base)), float(np.mean(stacked)))
        print(f"{cid.value:14s} {out[cid.value][0]:10.3f} {out[cid.value][1]:10.3f}", flush=True)
    return out


if __name__ == "__main__":
    main()
