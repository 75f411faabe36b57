"""Two raters side by side: the analytic rater's number is shown, the LLM's beside it.

Shown by default: the analytic rater, because it is the one the eval figures support
(evals/RESULTS.md; no LLM has been measured on our set yet). Where the two differ by a
point or more, or the LLM could not score, the criterion is flagged for the coach.
"""

from __future__ import annotations

from agent.config import Settings
from agent.models import CriterionId, Scorecard, Transcript
from agent.scoring.analytic import AnalyticScorer
from agent.scoring.llm import LLMScorer


def merge(analytic: Scorecard, llm_card: Scorecard) -> Scorecard:
    scores = {}
    for cid in CriterionId:
        a, m = analytic.scores[cid], llm_card.scores[cid]
        flags = list(a.flags)
        if m.score is None:
            flags.append(f"LLM rater could not score: {m.unscored_reason}")
        elif a.score is not None and abs(a.score - m.score) >= 1:
            flags.append(f"raters disagree: analytic {a.score}, LLM {m.score} "
                         f"({m.rationale.strip()[:200]})")
        scores[cid] = a.model_copy(update={"flags": flags})
    return analytic.model_copy(update={"scorer": "combined", "model": llm_card.model,
                                       "scores": scores})


class CombinedScorer:
    name = "combined"

    def __init__(self, model: str | None = None, settings: Settings | None = None) -> None:
        self.analytic = AnalyticScorer()
        self.llm = LLMScorer(model, settings)

    def score(self, transcript: Transcript) -> Scorecard:
        return merge(self.analytic.score(transcript), self.llm.score(transcript))

    async def ascore(self, transcript: Transcript) -> Scorecard:
        return merge(self.analytic.score(transcript), await self.llm.ascore(transcript))
