"""Do the learned text features earn their place? Nested cross-validation on dev.

For each criterion, 5-fold CV on the eval `dev` split (five shuffles), comparing the analytic
model on the detector features alone, plus `wording` (the candidate's text), and plus each
further text model fitted for that criterion: `reactions` for correctness (a human
interviewer's turns once a solution is on the table), `tradeoff_turns` for tradeoffs (the
candidate's turns where the tradeoff detector fired). Inside every outer fold each text model
is fitted on the training transcripts only, and its own inner out-of-fold predictions train
the analytic model, exactly as `mockloop calibrate` does on the whole of dev; the held-out
transcripts are never seen by either. Transcripts of mockloop's own interviews (coach
exports) have no human reactions to read, so they are left out here, as `calibrate` leaves
them out of that fit.
Prints a table of QWK.
Run: .venv/bin/python -m evals.wording_cv   (about five minutes)
"""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_predict

from agent.scoring import wording as W
from agent.signals import analyse
from evals.calibrate import direction, feature_matrix, feature_names, fit_predict, text_pipeline
from evals.dataset import DATA_DIR, load_dataset
from evals.metrics import qwk

ALPHA = 10.0  # the analytic model's ridge strength for this comparison
SEEDS = (0, 1, 2, 3, 4)
TEXT_FEATURES = {v.feature for v in W.VIEWS}


def _stacked_qwk(x: np.ndarray, y: np.ndarray, views: list[list[str]]) -> float:
    """Mean QWK over the shuffles of the analytic model on `x` plus one nested text model
    per entry of `views` (the texts, one per transcript)."""
    scores = []
    for seed in SEEDS:
        pred = np.zeros_like(y)
        for train, held in StratifiedKFold(5, shuffle=True, random_state=seed).split(x, y):
            cols_train, cols_held = [x[train]], [x[held]]
            for texts in views:
                pipe = text_pipeline()
                tr_texts = [texts[i] for i in train]
                inner = cross_val_predict(pipe, tr_texts, y[train],
                                          cv=KFold(5, shuffle=True, random_state=0))
                outer = pipe.fit(tr_texts, y[train]).predict([texts[i] for i in held])
                cols_train.append(inner[:, None])
                cols_held.append(outer[:, None])
            pred[held] = fit_predict(np.hstack(cols_train), y[train], np.hstack(cols_held), ALPHA)
        scores.append(qwk(list(y), list(pred)))
    return float(np.mean(scores))


def main() -> dict[str, list[float]]:
    items = [it for it in load_dataset(DATA_DIR, "dev") if not it.transcript.by_mockloop]
    analyses = {it.id: analyse(it.transcript) for it in items}
    texts = {v.feature: [v.text(analyses[it.id]) or "" for it in items] for v in W.VIEWS}
    out = {}
    print(f"nested 5-fold CV on {len(items)} dev transcripts, QWK (mean of {len(SEEDS)} shuffles)")
    print(f"{'criterion':14s} {'detectors':>10s} {'+ wording':>10s}   + its own text model")
    for cid in W.CRITERIA:
        names = [n for n in feature_names(items, analyses, cid) if n not in TEXT_FEATURES]
        sign = np.array([direction(n) for n in names])
        x = feature_matrix(items, analyses, cid, names) * sign
        y = np.array([it.labels.scores[cid].score for it in items])
        views: list[list[str]] = []
        row = [_stacked_qwk(x, y, views)]
        added = []
        for view in W.VIEWS:
            if cid in view.criteria:
                views.append(texts[view.feature])
                row.append(_stacked_qwk(x, y, views))
                added.append(view.feature)
        out[cid.value] = row
        own = "".join(f"   {v:.3f} (+ {name})" for v, name in zip(row[2:], added[1:], strict=True))
        print(f"{cid.value:14s} " + " ".join(f"{v:10.3f}" for v in row[:2]) + own, flush=True)
    return out


if __name__ == "__main__":
    main()
