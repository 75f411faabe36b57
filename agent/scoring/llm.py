"""The LLM rater: one structured call per transcript, then every quote verified.

The model proposes six scores with quotes. The code checks each quote against the turn
it cites (agent/scoring/verify.py). A score above 0 without a verified candidate quote
is re-asked once with the failures listed; if it still fails, that criterion is shown as
unscored with the reason, never silently replaced. A model failure (timeout, refusal,
malformed output after re-asks) leaves all six unscored with the reason.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Generator
from typing import Any

from pydantic import BaseModel, Field, field_validator

from agent import llm
from agent.config import Settings, get_settings
from agent.models import (
    CriterionId,
    CriterionScore,
    Evidence,
    Rater,
    Scorecard,
    Transcript,
)
from agent.prompts import render
from agent.rubric import COMMUNICATION_NOTE, CRITERIA, EVIDENCE_RULES
from agent.scoring.verify import verify_quotes


class Quote(BaseModel):
    turn: int
    quote: str


class ProposedScore(BaseModel):
    criterion: CriterionId
    score: int = Field(ge=0, le=2)
    rationale: str
    evidence: list[Quote]


class ProposedScorecard(BaseModel):
    """What the model must return: the six criteria, each exactly once."""

    scores: list[ProposedScore]

    @field_validator("scores")
    @classmethod
    def _six_once(cls, v: list[ProposedScore]) -> list[ProposedScore]:
        ids = [s.criterion for s in v]
        missing = [c.value for c in CriterionId if c not in ids]
        dupes = sorted({c.value for c in ids if ids.count(c) > 1})
        if missing or dupes:
            raise ValueError(f"need each criterion exactly once; missing {missing}, repeated {dupes}")
        return v


GuidanceSource = Callable[[Transcript], list[Any]]


class StoreGuidance:
    """Round guidance from the knowledge store if one has been built (never builds one:
    scoring must not wait for it); opened once per scorer."""

    def __init__(self) -> None:
        self._store: Any = None
        self._opened = False

    def __call__(self, transcript: Transcript) -> list[Any]:
        from agent.knowledge import KnowledgeStore, store_if_ready

        if not self._opened:
            self._opened = True
            settings = get_settings()
            self._store = store_if_ready(settings)
            if self._store is None and settings.chroma_dir.exists():
                self._store = KnowledgeStore(settings)
        if self._store is None or self._store.count() == 0:
            return []
        return self._store.guidance_for(
            role=transcript.role, round_kind=transcript.round, kinds=("guidance", "rubric"), k=3,
            query=f"signals of a strong {transcript.round.label if transcript.round else ''} answer")


def build_messages(transcript: Transcript, guidance: list[Any]) -> list[dict[str, str]]:
    system = render("score_system.md.j2", criteria=list(CRITERIA.values()),
                    round_kind=transcript.round, communication_note=COMMUNICATION_NOTE,
                    evidence_rules=EVIDENCE_RULES, guidance=guidance,
                    schema=llm.dumps_schema(ProposedScorecard))
    turns = [{"id": t.id, "label": "POST-MORTEM (CANDIDATE)" if t.is_postmortem
              else t.speaker.value.upper(),
              # candidate text cannot close the data fence
              "text": t.text.replace("</transcript>", html.escape("</transcript>"))}
             for t in transcript.turns]
    user = render("score_user.md.j2", turns=turns,
                  round_label=transcript.round.label if transcript.round else "interview",
                  role_label=transcript.role.label if transcript.role else "",
                  archetype_label=transcript.archetype.label if transcript.archetype else "")
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def _check(transcript: Transcript, proposed: ProposedScorecard) -> tuple[
        dict[CriterionId, tuple[ProposedScore, list[Evidence]]], list[dict[str, Any]]]:
    checked, failures = {}, []
    for p in proposed.scores:
        ev = verify_quotes(transcript, [Evidence(turn=q.turn, quote=q.quote) for q in p.evidence])
        checked[p.criterion] = (p, ev)
        if p.score > 0 and not any(e.verified for e in ev):
            problems = "; ".join(e.problem or "unverified" for e in ev) or "no quote given"
            failures.append({"criterion": p.criterion.value, "score": p.score, "problem": problems})
    return checked, failures


def _reask_messages(messages: list[dict[str, str]], first: ProposedScorecard,
                    failures: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [*messages, {"role": "assistant", "content": first.model_dump_json()},
            {"role": "user", "content": render("score_reask.md.j2", failures=failures)}]


class LLMScorer:
    name = "llm"

    def __init__(self, model: str | None = None, settings: Settings | None = None,
                 guidance: GuidanceSource | None = None) -> None:
        self.settings = settings or get_settings()
        self.model = self.settings.model_for("grader", model)
        self.guidance = guidance or StoreGuidance()
        self.usage = llm.Usage()

    def _card(self, transcript: Transcript, scores: dict[CriterionId, CriterionScore]) -> Scorecard:
        return Scorecard(file=transcript.source, role=transcript.role,
                         archetype=transcript.archetype, round=transcript.round,
                         scorer=self.name, model=self.model, scores=scores)

    def _all_unscored(self, transcript: Transcript, reason: str) -> Scorecard:
        return self._card(transcript, {c: CriterionScore.unscored(c, reason, Rater.LLM)
                                       for c in CriterionId})

    def _finish(self, transcript: Transcript, first: ProposedScorecard,
                second: ProposedScorecard | None, failures: list[dict[str, Any]]) -> Scorecard:
        checked, _ = _check(transcript, first)
        if second is not None:
            rechecked, _ = _check(transcript, second)
            for f in failures:  # take the re-asked answer for the criteria that failed
                cid = CriterionId(f["criterion"])
                checked[cid] = rechecked[cid]
        scores = {}
        for cid in CriterionId:
            p, ev = checked[cid]
            shown = [e for e in ev if e.verified]
            dropped = [e for e in ev if not e.verified]
            flags = [f"dropped unverified quote from turn {e.turn}: {e.problem}" for e in dropped]
            if p.score > 0 and not shown:
                reason = ("the model's evidence could not be verified after a re-ask: "
                          + ("; ".join(e.problem or "unverified" for e in ev) or "no quote given"))
                scores[cid] = CriterionScore.unscored(cid, reason, Rater.LLM,
                                                      rationale=p.rationale, flags=flags)
            else:
                scores[cid] = CriterionScore(criterion=cid, score=p.score, rationale=p.rationale,
                                             evidence=shown, rater=Rater.LLM, flags=flags)
        return self._card(transcript, scores)

    def _steps(self, transcript: Transcript) -> Generator[list[dict[str, str]], llm.Structured,
                                                          Scorecard]:
        """The scoring conversation, shared by score and ascore: yields the messages of each
        model call, receives its structured result, returns the scorecard."""
        messages = build_messages(transcript, self.guidance(transcript))
        first = (yield messages).value
        _, failures = _check(transcript, first)
        second = (yield _reask_messages(messages, first, failures)).value if failures else None
        return self._finish(transcript, first, second, failures)

    def score(self, transcript: Transcript) -> Scorecard:
        steps = self._steps(transcript)
        try:
            messages = next(steps)
            while True:
                result = llm.structured(messages, ProposedScorecard, model=self.model,
                                        settings=self.settings)
                self.usage.add(result.usage)
                messages = steps.send(result)
        except StopIteration as done:
            return done.value
        except llm.LLMError as exc:
            self.usage.add(exc.usage)
            return self._all_unscored(transcript, f"the model failed: {exc}")

    async def ascore(self, transcript: Transcript) -> Scorecard:
        steps = self._steps(transcript)
        try:
            messages = next(steps)
            while True:
                result = await llm.astructured(messages, ProposedScorecard, model=self.model,
                                               settings=self.settings)
                self.usage.add(result.usage)
                messages = steps.send(result)
        except StopIteration as done:
            return done.value
        except llm.LLMError as exc:
            self.usage.add(exc.usage)
            return self._all_unscored(transcript, f"the model failed: {exc}")
