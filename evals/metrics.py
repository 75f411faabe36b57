"""Agreement metrics between a rater and gold labels, with bootstrap intervals.

Library statistics only: scikit-learn for kappa and confusion matrices, scipy for the
bootstrap (resampling transcripts, paired). Unscored predictions are left out of a
criterion's agreement figures and counted in its coverage, never read as 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from scipy.stats import bootstrap
from sklearn.metrics import cohen_kappa_score, confusion_matrix

LEVELS = [0, 1, 2]
Pairs = tuple[Sequence[int], Sequence[int]]


def qwk(gold: Sequence[int], pred: Sequence[int]) -> float:
    """Quadratic-weighted kappa; 1.0 when both raters agree on every item (even one class)."""
    if len(gold) == 0:
        return math.nan
    if list(gold) == list(pred):
        return 1.0
    value = cohen_kappa_score(gold, pred, labels=LEVELS, weights="quadratic")
    return float(value) if not np.isnan(value) else 0.0


def exact(gold: Sequence[int], pred: Sequence[int]) -> float:
    return float(np.mean(np.asarray(gold) == np.asarray(pred))) if len(gold) else math.nan


def flips(gold: Sequence[int], pred: Sequence[int]) -> float:
    """Share of items where one rater said 0 and the other 2."""
    if not len(gold):
        return math.nan
    g, p = np.asarray(gold), np.asarray(pred)
    return float(np.mean(np.abs(g - p) == 2))


def smd(gold: Sequence[int], pred: Sequence[int]) -> float:
    """Standardised mean difference (pred - gold) over the pooled standard deviation."""
    if len(gold) < 2:
        return math.nan
    g, p = np.asarray(gold, float), np.asarray(pred, float)
    pooled = math.sqrt((g.var(ddof=1) + p.var(ddof=1)) / 2)
    diff = p.mean() - g.mean()
    return 0.0 if pooled == 0 and diff == 0 else (diff / pooled if pooled else math.copysign(math.inf, diff))


def recall_of_zero(gold: Sequence[int], pred: Sequence[int]) -> float:
    g, p = np.asarray(gold), np.asarray(pred)
    zeros = g == 0
    return float(np.mean(p[zeros] == 0)) if zeros.any() else math.nan


def confusion(gold: Sequence[int], pred: Sequence[int]) -> list[list[int]]:
    """Rows are gold 0/1/2, columns the rater's 0/1/2."""
    if not len(gold):
        return [[0] * 3 for _ in range(3)]
    return confusion_matrix(gold, pred, labels=LEVELS).tolist()


def mae(gold: Sequence[float], pred: Sequence[float]) -> float:
    return float(np.mean(np.abs(np.asarray(gold, float) - np.asarray(pred, float)))) if len(gold) else math.nan


def below_bar_agreement(gold_totals: Sequence[int], pred_totals: Sequence[int],
                        bar: int = 8) -> float:
    if not len(gold_totals):
        return math.nan
    g = np.asarray(gold_totals) < bar
    p = np.asarray(pred_totals) < bar
    return float(np.mean(g == p))


def ci95(metric: Callable[[Sequence[int], Sequence[int]], float], gold: Sequence[int],
         pred: Sequence[int], n_resamples: int = 1000, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval, resampling items (transcripts) with their pairs."""
    if len(gold) < 3:
        return (math.nan, math.nan)

    def stat(g: np.ndarray, p: np.ndarray) -> float:
        v = metric(list(g), list(p))
        return 0.0 if v is None or np.isnan(v) else v

    res = bootstrap((np.asarray(gold), np.asarray(pred)), stat, paired=True, vectorized=False,
                    n_resamples=n_resamples, method="percentile", confidence_level=0.95,
                    rng=np.random.default_rng(seed))
    lo, hi = res.confidence_interval
    return (float(lo), float(hi))


METRICS: dict[str, Callable[[Sequence[int], Sequence[int]], float]] = {
    "qwk": qwk, "exact": exact, "flips_0_2": flips, "smd": smd, "recall_0": recall_of_zero,
}
