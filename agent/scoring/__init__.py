"""Scorers: each turns a Transcript into a Scorecard. `get_scorer(name)` picks one.

- `constant`: every criterion 1 (the trivial eval baseline; evidence-free by design).
- `analytic`: the offline rater over the signal detectors (evidence verbatim by construction).
- `llm`: one structured call per transcript through the model gateway, quotes verified.
- `combined`: both raters; disagreements of one point or more are flagged for the coach.
- `auto`: combined when a model is configured, analytic otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from agent.config import Settings, get_settings, is_offline
from agent.errors import ConfigError
from agent.models import CriterionId, CriterionScore, Rater, Scorecard, Transcript


class Scorer(Protocol):
    name: str

    def score(self, transcript: Transcript) -> Scorecard: ...


class ConstantScorer:
    """Always 1: the floor any real scorer must beat on the eval set."""

    name = "constant"

    def score(self, transcript: Transcript) -> Scorecard:
        return Scorecard(
            file=transcript.source, role=transcript.role, archetype=transcript.archetype,
            round=transcript.round, scorer=self.name,
            scores={c: CriterionScore(criterion=c, score=1, rationale="constant baseline",
                                      rater=Rater.ANALYTIC) for c in CriterionId})


def _llm(model: str, settings: Settings) -> Scorer:
    from agent.scoring.llm import LLMScorer

    if is_offline(model):
        raise ConfigError("the llm scorer needs a model: pass --model or set MOCKLOOP_MODEL")
    return LLMScorer(model, settings)


def _combined(model: str, settings: Settings) -> Scorer:
    from agent.scoring.combined import CombinedScorer

    if is_offline(model):
        raise ConfigError("the combined scorer needs a model: pass --model or set MOCKLOOP_MODEL")
    return CombinedScorer(model, settings)


def _available() -> dict[str, Callable[[], Scorer]]:
    from agent.scoring.analytic import AnalyticScorer

    return {"constant": ConstantScorer, "analytic": AnalyticScorer}


SCORER_NAMES = ("auto", "analytic", "llm", "combined", "constant")


def get_scorer(name: str = "auto", *, model: str | None = None,
               settings: Settings | None = None) -> Scorer:
    settings = settings or get_settings()
    grader = settings.model_for("grader", model)
    if name == "auto":
        name = "analytic" if is_offline(grader) else "combined"
    factories = _available()
    factories["llm"] = lambda: _llm(grader, settings)
    factories["combined"] = lambda: _combined(grader, settings)
    if name not in factories:
        raise ConfigError(f"unknown or unavailable scorer {name!r}; choose from: "
                          + ", ".join(sorted(factories)))
    return factories[name]()
