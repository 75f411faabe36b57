"""The analytic rater: signal features -> 0/1/2 per criterion, evidence verbatim by construction.

Per criterion a linear score over the detector features (weights fitted with ridge
regression on the eval `dev` split) is cut at two thresholds (fitted to maximise QWK on
`dev`). The fitted numbers live in `analytic_params.json`, refit with
`mockloop calibrate`. A feature that cannot be read (a human interviewer's reactions, in a
transcript of mockloop's own interview) takes its mean on dev, so it moves nothing. Rules
from the rubric sit on top: no post-mortem scores 0, a
score above 0 needs a supporting sentence from the candidate (a detector's, else the ones the
learned wording model weighs most), and a line aimed at the
grader costs at most one level of communication and nothing else.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from agent.models import CriterionId, CriterionScore, Rater, Scorecard, Transcript
from agent.scoring.wording import (
    VIEWS,
    WORDING,
    WordingModel,
    load_wording,
    supporting_sentences,
    wording_features,
)
from agent.signals import Analysis, Finding, analyse

PARAMS_PATH = Path(__file__).with_name("analytic_params.json")
C = CriterionId
MIN_POSTMORTEM_WORDS_LOG = 1.8  # log1p(5) = 1.79: five words or fewer is no reflection


@cache
def load_params(path: Path = PARAMS_PATH) -> dict[str, Any]:
    return json.loads(path.read_text())


def linear_score(features: dict[str, float], p: dict[str, Any]) -> float:
    means = p.get("means", {})
    return p["intercept"] + sum(w * features.get(name, means.get(name, 0.0))
                                for name, w in p["weights"].items())


def level(value: float, thresholds: list[float]) -> int:
    return 0 if value < thresholds[0] else 1 if value < thresholds[1] else 2


def _rationale(cid: CriterionId, f: Finding, score: int, a: Analysis) -> str:
    text = _detector_rationale(cid, f, a)
    if "wording" in f.features:
        text += f" Learned wording model: {f.features['wording']:.1f} of 2."
    if "reactions" in f.features:
        text += f" The interviewer's reactions read as {f.features['reactions']:.1f} of 2."
    return text


def _detector_rationale(cid: CriterionId, f: Finding, a: Analysis) -> str:
    x = f.features
    turns = sorted({s.turn for s in f.best(3)})
    where = f" (turn{'s' if len(turns) > 1 else ''} {', '.join(map(str, turns))})" if turns else ""
    if cid is C.REQUIREMENTS:
        return (f"{int(x['early_questions'])} clarifying question(s) before the first solution, "
                f"{int(x['late_questions'])} after; {int(x['restates'])} restatement(s) or stated "
                f"assumption(s); {int(x['scale_questions'])} about scale or constraints{where}.")
    if cid is C.CORRECTNESS:
        gave = " The candidate gave up at some point." if x["gave_up"] else ""
        corr = f" The interviewer pushed back {int(x['corrections'])} time(s)." if x["corrections"] else ""
        affirms = int(x.get("interviewer_affirms", 0))
        ok = f" The interviewer affirmed the answer {affirms} time(s)." if affirms else ""
        return (f"{int(x['solution_sentences'])} solution statement(s), {int(x['validation'])} "
                f"validation step(s) (example, trace, test){where}.{gave}{corr}{ok}")
    if cid is C.TRADEOFFS:
        return (f"{int(x['alternatives'])} alternative(s) named, {int(x['complexity'])} complexity "
                f"statement(s), {int(x['cost_terms'])} cost term(s), {int(x['justified_choices'])} "
                f"choice(s) tied to a reason{where}.")
    if cid is C.EDGE_CASES:
        return (f"{int(x['edge_sentences'])} sentence(s) naming edge cases or failure modes "
                f"({int(x['distinct_edges'])} distinct), {int(x['handled'])} handled or tested{where}.")
    if cid is C.COMMUNICATION:
        bits = [f"{int(x['structure'])} signpost(s)", f"{int(x['check_ins'])} check-in(s)",
                f"filler {x['filler_rate']:.1f} per 100 words"]
        if x["digs"]:
            bits.append(f"the interviewer had to dig {int(x['digs'])} time(s)")
        if x["long_turns"]:
            bits.append(f"{int(x['long_turns'])} very long turn(s)")
        note = (" A line addressed to the grader was treated as off-task noise."
                if x["injection"] else "")
        return "; ".join(bits) + f"{where}.{note}"
    if not x["present"]:
        return "No post-mortem in the transcript."
    return (f"Post-mortem: {int(x['good'])} thing(s) that went well, {int(x['bad'])} that went "
            f"badly, {int(x['change'])} change(s) for next time, {int(x['step'])} practice step(s), "
            f"{int(x['generic'])} generic phrase(s){where}.")


class AnalyticScorer:
    """Deterministic, offline, fast; evidence is the candidate's own sentences."""

    name = "analytic"

    def __init__(self, params: dict[str, Any] | None = None,
                 text_models: dict[str, WordingModel | None] | None = None) -> None:
        # fitted together: explicit params come with their own text models (by feature name;
        # a missing one reads as absent), the shipped params with the shipped models
        if params is None:
            models = {v.feature: load_wording(v.path) for v in VIEWS}
        else:
            models = dict(text_models or {})
        self.text_models = tuple((v, models.get(v.feature)) for v in VIEWS)
        self.wording = models.get(WORDING.feature)
        self.params = params or load_params()

    def levels(self, a: Analysis) -> dict[CriterionId, int]:
        for view, model in self.text_models:
            for cid, value in wording_features(a, model, view).items():
                a.findings[cid].features[view.feature] = value
        out = {}
        for cid in CriterionId:
            p = self.params["criteria"][cid.value]
            out[cid] = level(linear_score(a.findings[cid].features, p), p["thresholds"])
        # rubric rules on top of the fitted model
        pm = a.findings[C.POSTMORTEM].features
        if not pm["present"] or pm["words_log"] < MIN_POSTMORTEM_WORDS_LOG:
            out[C.POSTMORTEM] = 0  # none, or a few words that reflect on nothing
        if a.injections and out[C.COMMUNICATION] == 2:
            out[C.COMMUNICATION] = 1
        return out

    def score(self, transcript: Transcript) -> Scorecard:
        a = analyse(transcript)
        levels = self.levels(a)
        scores = {}
        for cid in CriterionId:
            f = a.findings[cid]
            score = levels[cid]
            best = f.best(2)
            rationale = _rationale(cid, f, score, a)
            flags = []
            if score > 0 and not best:
                # no detector marked a sentence, but the reading of the whole answer lifted
                # the score: the sentences that reading weighs most are its evidence
                best = supporting_sentences(a, self.wording, cid)
                if best:
                    rationale += " Evidence: the sentences the wording model weighs most."
                else:
                    score = 0
                    flags.append("no supporting sentence from the candidate: scored 0")
            evidence = [s.evidence() for s in best] if score > 0 else [s.evidence() for s in best[:1]]
            scores[cid] = CriterionScore(criterion=cid, score=score, rater=Rater.ANALYTIC,
                                         rationale=rationale, evidence=evidence, flags=flags)
        return Scorecard(file=transcript.source, role=transcript.role,
                         archetype=transcript.archetype, round=transcript.round,
                         scorer=self.name, scores=scores)
