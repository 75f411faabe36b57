"""Learned wording: TF-IDF ridge models over what was said, one feature each.

`wording` reads the candidate's own sentences, for every criterion but the post-mortem;
`reactions` reads the interviewer's turns once a solution is on the table, for `correctness`
only; `tradeoff_turns` reads the candidate's turns where the tradeoff detector fired, for
`tradeoffs` only (how a comparison is argued, apart from the rest of the round). Each feeds
the criteria where nested CV on dev showed it helps (`evals/wording_cv.py`).

The detectors in `agent/signals.py` read the patterns we could name; how strong answers are
worded goes further than any list we could write ("the visited set makes sure each job is
output exactly once"). This model learns it from the eval `dev` split: word and word-pair
TF-IDF of what the candidate said in the round (post-mortem, small talk and lines aimed at
the grader left out, as for every detector), ridge regression to the gold level. Its output
is one more feature, `wording`, that the analytic rater's sign-constrained model may weigh
(never below zero). `reactions` is the same model over the interviewer's reactions: a human
interviewer who says "Good, that works" or sets a pointed counter-example knows whether the
answer is right, which the candidate's own confident wording cannot tell. The vocabularies,
IDF and weights live in `analytic_wording.json`, `analytic_reactions.json` and
`analytic_tradeoff_turns.json`, refit with
`mockloop calibrate`. The fit uses sklearn's TfidfVectorizer; at run time the same
analysis (lower case, words of two or more word characters, word pairs) is five lines here,
because importing sklearn would add 1.4 s to every start. A test holds the two equal.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from agent.models import CriterionId
from agent.signals import Analysis, Sentence

WORDING_PATH = Path(__file__).with_name("analytic_wording.json")
REACTIONS_PATH = Path(__file__).with_name("analytic_reactions.json")
TRADEOFF_TURNS_PATH = Path(__file__).with_name("analytic_tradeoff_turns.json")
#: The vectoriser settings, shared by the fit and the runtime transform.
NGRAMS = (1, 2)
MIN_DF = 3
ALPHA = 1.0  # chosen by nested 5-fold CV on 247 dev transcripts (1, 3, 10)
#: Post-mortems are read by their own detectors (presence and specificity decide them).
CRITERIA = [c for c in CriterionId if c is not CriterionId.POSTMORTEM]
#: A shorter sentence ("Two things.") says too little to stand as evidence on its own.
MIN_EVIDENCE_WORDS = 6


def candidate_text(a: Analysis) -> str:
    """What the candidate said in the round, as the detectors see it."""
    return " ".join(s.text for s in a.sentences if not s.postmortem)


def tradeoff_turn_text(a: Analysis) -> str:
    """What the candidate said in the turns where the tradeoff detector found an option, a
    complexity or a cost: how a comparison is argued, apart from the rest of the round."""
    turns = {s.turn for _, s in a.findings[CriterionId.TRADEOFFS].hits}
    return " ".join(s.text for s in a.sentences if not s.postmortem and s.turn in turns)


def reaction_text(a: Analysis) -> str | None:
    """What a human interviewer said once a solution was on the table (None for our own)."""
    return None if a.reactions is None else " ".join(a.reactions)


@dataclass(frozen=True)
class TextView:
    """One learned text feature: its name, the text it reads, the criteria it is fitted for
    and the file that holds it."""

    feature: str
    text: Callable[[Analysis], str | None]
    criteria: tuple[CriterionId, ...]
    path: Path


WORDING = TextView("wording", candidate_text, tuple(CRITERIA), WORDING_PATH)
REACTIONS = TextView("reactions", reaction_text, (CriterionId.CORRECTNESS,), REACTIONS_PATH)
TRADEOFF_TURNS = TextView("tradeoff_turns", tradeoff_turn_text, (CriterionId.TRADEOFFS,),
                          TRADEOFF_TURNS_PATH)
VIEWS = (WORDING, REACTIONS, TRADEOFF_TURNS)


TOKEN = re.compile(r"(?u)\b\w\w+\b")  # sklearn's default token pattern


def terms(text: str, ngrams: tuple[int, int] = NGRAMS) -> list[str]:
    """Words and word n-grams as sklearn's word analyzer makes them."""
    words = TOKEN.findall(text.lower())
    return [" ".join(words[i:i + n]) for n in range(ngrams[0], ngrams[1] + 1)
            for i in range(len(words) - n + 1)]


class WordingModel:
    """TF-IDF (sublinear tf, l2-normalised) dotted with per-criterion ridge weights."""

    def __init__(self, params: dict[str, Any]) -> None:
        self.index = {t: i for i, t in enumerate(params["vocabulary"])}
        self.ngrams = (int(params["ngram_range"][0]), int(params["ngram_range"][1]))
        self.idf = np.asarray(params["idf"], dtype=np.float64)
        self.weights = {CriterionId(c): (np.asarray(p["weights"], dtype=np.float64), p["intercept"])
                        for c, p in params["criteria"].items()}

    def tfidf(self, texts: list[str], normalise: bool = True) -> np.ndarray:
        counts = np.zeros((len(texts), len(self.idf)))
        for row, text in enumerate(texts):
            for term, n in Counter(terms(text, self.ngrams)).items():
                if (col := self.index.get(term)) is not None:
                    counts[row, col] = n
        tf = np.where(counts > 0, 1.0 + np.log(np.where(counts > 0, counts, 1.0)), 0.0)
        x = tf * self.idf
        if not normalise:
            return x
        norms = np.linalg.norm(x, axis=1, keepdims=True)
        return x / np.where(norms > 0, norms, 1.0)

    def predict(self, texts: list[str]) -> dict[CriterionId, np.ndarray]:
        x = self.tfidf(texts)
        return {cid: x @ w + b for cid, (w, b) in self.weights.items()}


@cache
def load_wording(path: Path = WORDING_PATH) -> WordingModel | None:
    """The fitted model, or None before the first `mockloop calibrate`."""
    return WordingModel(json.loads(path.read_text())) if path.exists() else None


def wording_features(a: Analysis, model: WordingModel | None,
                     view: TextView = WORDING) -> dict[CriterionId, float]:
    """The view's feature per criterion: the level its text predicts. Empty when there is no
    fitted model or nothing to read (our own interviewer's lines): the scorer then takes the
    feature's mean on dev, so its absence moves no score."""
    text = view.text(a)
    if model is None or text is None:
        return {}
    pred = model.predict([text])
    return {cid: round(float(v[0]), 4) for cid, v in pred.items()}


def supporting_sentences(a: Analysis, model: WordingModel | None, cid: CriterionId,
                         n: int = 2) -> list[Sentence]:
    """The candidate's sentences that the learned wording model weighs most towards a higher
    level on `cid`, best first (only those it weighs above zero). They are the evidence when
    the model's reading of the whole answer lifts a score that no detector marked a sentence
    for: verbatim by construction, and the words the score actually rests on."""
    live = [s for s in a.sentences
            if not s.postmortem and len(TOKEN.findall(s.text)) >= MIN_EVIDENCE_WORDS]
    if model is None or not live or cid not in model.weights:
        return []
    weights, _ = model.weights[cid]
    # summed, not length-normalised: a sentence is weighed by all it says, so "Two things."
    # never outranks the sentence that states the answer
    lift = model.tfidf([s.text for s in live], normalise=False) @ weights
    order = sorted(range(len(live)), key=lambda i: (-lift[i], live[i].index))
    return [live[i] for i in order[:n] if lift[i] > 0]
