"""Run any scorer over the labelled set and measure it: agreement, evidence, robustness.

`mockloop eval` calls `run_eval`, then `write_report`. Every figure lands in one JSON;
the Markdown report and the printed table are views of it.
"""

from __future__ import annotations

import json
import math
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tqdm import tqdm

from agent.errors import MockloopError
from agent.models import CriterionId, Scorecard, Speaker
from agent.scoring import Scorer
from evals import metrics as M
from evals.dataset import Item
from evals.perturb import MUST_NOT_RAISE, PERTURBATIONS

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Run:
    """One scorer's cards for the items (None where scoring failed, with the error)."""

    cards: dict[str, Scorecard] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def score_items(scorer: Scorer, items: Sequence[Item], progress: bool = True,
                desc: str = "scoring") -> Run:
    run = Run()
    for item in tqdm(items, desc=desc, disable=not progress, unit="transcript", leave=False):
        try:
            run.cards[item.id] = scorer.score(item.transcript)
        except MockloopError as exc:
            run.errors[item.id] = str(exc)
    return run


def _pairs(items: Sequence[Item], pred: dict[str, dict[CriterionId, int | None]],
           cid: CriterionId, gold_of: Any = None) -> tuple[list[int], list[int], int]:
    gold_of = gold_of or (lambda it: it.labels)
    g, p, missing = [], [], 0
    for it in items:
        value = pred.get(it.id, {}).get(cid)
        if value is None:
            missing += 1
            continue
        g.append(gold_of(it).scores[cid].score)
        p.append(value)
    return g, p, missing


def agreement(items: Sequence[Item], pred: dict[str, dict[CriterionId, int | None]],
              gold_of: Any = None, bootstrap: bool = True) -> dict[str, Any]:
    """Per-criterion and total agreement of `pred` with the gold labels."""
    gold_of = gold_of or (lambda it: it.labels)
    out: dict[str, Any] = {"n": len(items), "criteria": {}}
    for cid in CriterionId:
        g, p, missing = _pairs(items, pred, cid, gold_of)
        row: dict[str, Any] = {name: fn(g, p) for name, fn in M.METRICS.items()}
        row["coverage"] = (len(g) / len(items)) if items else math.nan
        row["unscored"] = missing
        row["confusion"] = M.confusion(g, p)
        if bootstrap:
            row["qwk_ci95"] = M.ci95(M.qwk, g, p)
            row["exact_ci95"] = M.ci95(M.exact, g, p)
        out["criteria"][cid.value] = row
    full = [it for it in items if all(pred.get(it.id, {}).get(c) is not None for c in CriterionId)]
    gt = [gold_of(it).total for it in full]
    pt = [sum(pred[it.id][c] for c in CriterionId) for it in full]  # type: ignore[misc]
    out["totals"] = {"n": len(full), "mae": M.mae(gt, pt),
                     "below8_agreement": M.below_bar_agreement(gt, pt)}
    if bootstrap and len(full) >= 3:
        out["totals"]["mae_ci95"] = M.ci95(M.mae, gt, pt)
    return out


def evidence_checks(run: Run, items: Sequence[Item]) -> dict[str, Any]:
    """What a coach would be shown: are the quotes verbatim and the candidate's?"""
    by_id = {it.id: it for it in items}
    quotes = verified = verbatim = candidate = positive = unsupported = 0
    for item_id, card in run.cards.items():
        transcript = by_id[item_id].transcript
        for s in card.scores.values():
            for e in s.evidence:
                quotes += 1
                verified += e.verified
                verbatim += e.verified and e.match is not None and e.match.value == "exact"
                turn = transcript.turn(e.turn)
                candidate += turn is not None and turn.speaker is Speaker.CANDIDATE
            if s.score is not None and s.score > 0:
                positive += 1
                unsupported += not s.verified_evidence
    return {
        "quotes": quotes,
        "verified_share": verified / quotes if quotes else math.nan,
        "verbatim_share": verbatim / quotes if quotes else math.nan,
        "candidate_share": candidate / quotes if quotes else math.nan,
        "positive_scores": positive,
        "positive_without_verified_quote": unsupported,
    }


def _preds(run: Run) -> dict[str, dict[CriterionId, int | None]]:
    return {i: {c: card.scores[c].score for c in CriterionId} for i, card in run.cards.items()}


def robustness(scorer: Scorer, items: Sequence[Item], base: Run, k: int = 2,
               progress: bool = True) -> dict[str, Any]:
    """Rerun stability over k runs, and flip rate / mean change under each perturbation."""
    out: dict[str, Any] = {}
    base_p = _preds(base)
    same = total = 0
    for _ in range(max(k - 1, 0)):
        again = _preds(score_items(scorer, items, progress, "rerun"))
        for i, scores in base_p.items():
            for c, v in scores.items():
                total += 1
                same += again.get(i, {}).get(c) == v
    out["rerun_stability"] = {"k": k, "identical_share": same / total if total else math.nan}
    for name, fn in PERTURBATIONS.items():
        flipped = n = 0
        deltas: list[float] = []
        raised = 0
        for it in tqdm(items, desc=name, disable=not progress, leave=False):
            if it.id not in base.cards:
                continue
            changed = fn(it.transcript)
            if changed is None:
                continue
            try:
                card = scorer.score(changed)
            except MockloopError:
                continue
            before, after = base.cards[it.id], card
            for c in CriterionId:
                a, b = before.scores[c].score, after.scores[c].score
                if a is None or b is None:
                    continue
                n += 1
                flipped += a != b
                raised += b > a
            if before.total is not None and after.total is not None:
                deltas.append(after.total - before.total)
        out[name] = {"criterion_scores": n, "flip_rate": flipped / n if n else math.nan,
                     "raised": raised,
                     "mean_total_change": sum(deltas) / len(deltas) if deltas else math.nan,
                     "must_not_raise": name in MUST_NOT_RAISE}
    return out


def run_eval(scorer: Scorer, items: Sequence[Item], *, k: int = 2, robust: bool = True,
             progress: bool = True, model: str | None = None) -> dict[str, Any]:
    run = score_items(scorer, items, progress)
    result: dict[str, Any] = {
        "scorer": scorer.name, "model": model, "n_items": len(items),
        "split": sorted({it.split for it in items}),
        "date": datetime.now(UTC).strftime("%Y-%m-%d"), "commit": _commit(),
        "errors": run.errors,
        "agreement": agreement(items, _preds(run)),
        "evidence": evidence_checks(run, items),
    }
    if robust:
        result["robustness"] = robustness(scorer, items, run, k=k, progress=progress)
    second = [it for it in items if it.second is not None]
    if second:
        b_pred = {it.id: {c: it.second.scores[c].score for c in CriterionId} for it in second}
        result["human_ceiling"] = agreement(second, b_pred, bootstrap=False)
    result["_cards"] = {i: c.to_json() for i, c in run.cards.items()}
    return result


def labels_agreement(items: Sequence[Item]) -> dict[str, Any]:
    """Labeller B against labeller A on the doubly labelled items."""
    second = [it for it in items if it.second is not None]
    pred = {it.id: {c: it.second.scores[c].score for c in CriterionId} for it in second}  # type: ignore[union-attr]
    return agreement(second, pred)


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, cwd=ROOT, timeout=5).stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


# ---------------------------------------------------------------- reports


def _f(x: Any, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def summary_rows(result: dict[str, Any]) -> list[list[str]]:
    rows = []
    for cid, r in result["agreement"]["criteria"].items():
        ci = r.get("qwk_ci95")
        rows.append([cid, _f(r["qwk"]) + (f" [{_f(ci[0])}, {_f(ci[1])}]" if ci else ""),
                     _f(r["exact"]), _f(r["flips_0_2"]), _f(r["smd"]), _f(r["recall_0"]),
                     _f(r["coverage"])])
    return rows


HEADERS = ["criterion", "QWK [95% CI]", "exact", "0<->2 flips", "SMD", "recall of 0", "coverage"]


def markdown_report(result: dict[str, Any]) -> str:
    lines = [f"# Eval: scorer `{result['scorer']}`" + (f" (model `{result['model']}`)" if result["model"] else ""),
             "", f"{result['date']}, commit {result['commit']}, split {'+'.join(result['split'])}, "
             f"{result['n_items']} transcripts, {len(result['errors'])} errors", "",
             "| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    lines += ["| " + " | ".join(r) + " |" for r in summary_rows(result)]
    t = result["agreement"]["totals"]
    ev = result["evidence"]
    lines += ["", f"Totals: MAE {_f(t['mae'])} (n={t['n']}), below-8 agreement {_f(t['below8_agreement'])}", "",
              f"Evidence: {ev['quotes']} quotes, verified {_f(ev['verified_share'])}, "
              f"verbatim {_f(ev['verbatim_share'])}, from the candidate {_f(ev['candidate_share'])}; "
              f"scores > 0 without a verified quote: {ev['positive_without_verified_quote']} of {ev['positive_scores']}"]
    if "robustness" in result:
        rb = result["robustness"]
        lines += ["", "Robustness:", "",
                  "| check | flip rate | scores raised | mean total change |", "|---|---|---|---|",
                  f"| rerun stability (k={rb['rerun_stability']['k']}) | "
                  f"{_f(1 - rb['rerun_stability']['identical_share'])} | - | - |"]
        for name in PERTURBATIONS:
            r = rb[name]
            lines.append(f"| {name} | {_f(r['flip_rate'])} | {r['raised']} | {_f(r['mean_total_change'])} |")
    if "human_ceiling" in result:
        hc = result["human_ceiling"]
        lines += ["", f"Human ceiling (labeller B vs A, n={hc['n']}): " + ", ".join(
            f"{c} QWK {_f(r['qwk'])}" for c, r in hc["criteria"].items())]
    return "\n".join(lines) + "\n"


def write_report(result: dict[str, Any], out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    paths = []
    (out / "report.md").write_text(markdown_report(result))
    (out / "results.json").write_text(json.dumps(result, indent=1, default=str))
    paths += [out / "report.md", out / "results.json"]
    fig, axes = plt.subplots(2, 3, figsize=(11, 7))
    for ax, (cid, r) in zip(axes.flat, result["agreement"]["criteria"].items(), strict=True):
        cm = r["confusion"]
        ax.imshow(cm, cmap="Blues")
        for i in range(3):
            for j in range(3):
                ax.text(j, i, str(cm[i][j]), ha="center", va="center")
        ax.set_title(f"{cid} (QWK {_f(r['qwk'])})")
        ax.set_xlabel("scorer")
        ax.set_ylabel("gold")
        ax.set_xticks([0, 1, 2])
        ax.set_yticks([0, 1, 2])
    fig.suptitle(f"Confusion matrices: {result['scorer']}")
    fig.tight_layout()
    fig.savefig(out / "confusion.png", dpi=80)
    plt.close(fig)
    paths.append(out / "confusion.png")
    return paths


def update_results_md(result: dict[str, Any], path: Path = ROOT / "evals" / "RESULTS.md") -> None:
    """Keep the latest figures per scorer and split in evals/RESULTS.md."""
    key = f"<!-- {result['scorer']}:{'+'.join(result['split'])}:{result['model'] or ''} -->"
    section = key + "\n" + markdown_report(result).replace("# Eval:", "## Eval:", 1) + key + "\n"
    text = path.read_text() if path.exists() else (
        "# Eval results\n\nLatest figures per scorer and split, written by "
        "`mockloop eval --update-results`. Targets: see the scoring issue.\n\n")
    if key in text:
        start = text.index(key)
        end = text.index(key, start + len(key)) + len(key) + 1
        text = text[:start] + section + text[end:]
    else:
        text += "\n" + section
    path.write_text(text)

