"""The interview's vocabulary and the offline interviewer policy.

State in the graph is plain JSON (dicts), so SQLite checkpoints resume in any process;
these pydantic models are how nodes read and write it. The offline policy is the
structured interviewer: a question from the bank, then probes chosen by the live signal
detectors for the weakest criterion not yet evidenced, in varied, acknowledging phrasing,
never repeating a question already asked.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field

from agent.knowledge import Question, questions_for
from agent.models import (
    INTERVIEWED_BY,
    MOCKLOOP,
    Archetype,
    CriterionId,
    Role,
    RoundKind,
    Scorecard,
    Speaker,
    Stage,
    Transcript,
    Turn,
)
from agent.signals import coverage

C = CriterionId

#: The technical screen's kind per role (Data Science alternates SQL and ML by choice).
TECH_SCREEN = {Role.BACKEND: RoundKind.CODING, Role.MLE: RoundKind.ML,
               Role.DATA_ENGINEERING: RoundKind.SQL, Role.DATA_SCIENCE: RoundKind.SQL,
               Role.SRE: RoundKind.INFRA}
ONSITE = [RoundKind.CODING, RoundKind.SYSTEM_DESIGN, RoundKind.BEHAVIORAL]
#: Candidate answers per round before the interviewer closes it, by round kind.
TURN_BUDGET = {RoundKind.RECRUITER_SCREEN: 4, RoundKind.BEHAVIORAL: 5, RoundKind.CODING: 6,
               RoundKind.SQL: 6, RoundKind.ML: 6, RoundKind.INFRA: 6, RoundKind.SYSTEM_DESIGN: 7}
#: Minutes per round before the interviewer closes it, by round kind.
TIME_BUDGET_MIN = {RoundKind.RECRUITER_SCREEN: 30, RoundKind.BEHAVIORAL: 45, RoundKind.CODING: 45,
                   RoundKind.SQL: 45, RoundKind.ML: 45, RoundKind.INFRA: 45,
                   RoundKind.SYSTEM_DESIGN: 60}
STOP_WORDS = re.compile(r"\b(?:let'?s stop|i(?:'d| would) like to stop|end (?:the|this) (?:round|interview)|"
                        r"i give up|i'?m done|skip this round|stop the interview)\b", re.IGNORECASE)
ACKS = ["Thanks, that helps.", "Okay, got it.", "Understood.", "Good, thank you.",
        "Alright.", "That makes sense.", "Noted, thanks.", "Okay."]
GENERIC_PROBES: dict[CriterionId, list[str]] = {
    C.REQUIREMENTS: ["Before going further, what would you want to clarify about the problem?",
                     "What assumptions are you making about inputs, scale or constraints?"],
    C.CORRECTNESS: ["Can you walk me through your approach on a concrete example?",
                    "How would you convince yourself that this actually works?"],
    C.TRADEOFFS: ["What other approach did you consider, and why not that one?",
                  "What does your approach cost, in time, space or money, and is that acceptable here?"],
    C.EDGE_CASES: ["What input or situation would break this?",
                   "Which failure modes worry you most, and how would you handle them?"],
    C.COMMUNICATION: ["Could you summarise your answer in two or three sentences?",
                      "What's the key decision here, stated up front?"],
    C.POSTMORTEM: ["Looking back on this round, what would you do differently?"],
}
POSTMORTEM_ASK = ("Before we score this round, please write a short post-mortem: what went "
                  "well, what went badly, what you would do differently, and your next "
                  "practice step.")


class InterviewConfig(BaseModel):
    candidate: str = ""  # a name for the progress view; empty is fine
    role: Role
    archetype: Archetype
    stages: list[Stage] = Field(default_factory=lambda: [Stage.RECRUITER_SCREEN,
                                                        Stage.TECHNICAL_SCREEN, Stage.ONSITE,
                                                        Stage.DEBRIEF])
    rounds: list[RoundKind] | None = None  # explicit round list overrides the stage plan
    tech_screen: RoundKind | None = None
    engine: str = "offline"
    turn_budget: dict[RoundKind, int] = Field(default_factory=dict)
    time_budget_min: dict[RoundKind, float] = Field(default_factory=dict)

    def plan(self) -> list[tuple[Stage, RoundKind]]:
        if self.rounds:
            return [(_stage_of(k), k) for k in self.rounds]
        out: list[tuple[Stage, RoundKind]] = []
        for stage in self.stages:
            if stage is Stage.RECRUITER_SCREEN:
                out.append((stage, RoundKind.RECRUITER_SCREEN))
            elif stage is Stage.TECHNICAL_SCREEN:
                out.append((stage, self.tech_screen or TECH_SCREEN[self.role]))
            elif stage is Stage.ONSITE:
                out += [(stage, k) for k in ONSITE]
        return out

    def budget(self, kind: RoundKind) -> int:
        return self.turn_budget.get(kind, TURN_BUDGET[kind])

    def minutes(self, kind: RoundKind) -> float:
        return self.time_budget_min.get(kind, TIME_BUDGET_MIN[kind])


def _stage_of(kind: RoundKind) -> Stage:
    if kind is RoundKind.RECRUITER_SCREEN:
        return Stage.RECRUITER_SCREEN
    return Stage.ONSITE if kind in (RoundKind.SYSTEM_DESIGN, RoundKind.BEHAVIORAL) else Stage.TECHNICAL_SCREEN


class RoundState(BaseModel):
    stage: Stage
    kind: RoundKind
    question_id: str | None = None
    question: str = ""
    turns: list[Turn] = Field(default_factory=list)
    asked: list[str] = Field(default_factory=list)
    probed: list[CriterionId] = Field(default_factory=list)
    coverage: dict[CriterionId, float] = Field(default_factory=dict)
    status: str = "open"  # open | postmortem | scored
    scorecard: Scorecard | None = None
    notes: list[str] = Field(default_factory=list)  # e.g. visible fallbacks
    guidance: list[dict[str, str]] = Field(default_factory=list)  # why this question
    started_at: float | None = None

    def transcript(self, config: InterviewConfig) -> Transcript:
        # marked as ours: the scorer must not read our planned lines as a human's reactions
        return Transcript(role=config.role, archetype=config.archetype, round=self.kind,
                          metadata={INTERVIEWED_BY: MOCKLOOP}, turns=self.turns,
                          source=f"interview:{self.kind.value}")

    def answers(self) -> int:
        return sum(1 for t in self.turns if t.speaker is Speaker.CANDIDATE and not t.is_postmortem)

    def add(self, speaker: Speaker, text: str, postmortem: bool = False) -> None:
        self.turns.append(Turn(id=len(self.turns) + 1, speaker=speaker, text=text,
                               is_postmortem=postmortem))


def pick_question(config: InterviewConfig, kind: RoundKind, used: list[str]) -> Question | None:
    bank = questions_for(config.role, kind, config.archetype)
    fresh = [q for q in bank if q.id not in used]
    if not fresh:
        return None
    # deterministic per role/archetype/round, but varied across them
    seed = int(hashlib.sha256(f"{config.role}{config.archetype}{kind}".encode()).hexdigest(), 16)
    return fresh[seed % len(fresh)]


class Move(BaseModel):
    action: str  # probe | close
    criterion: CriterionId | None = None
    text: str = ""  # what the interviewer says
    probe: str = ""  # the probe itself, remembered so it is never asked twice


def next_move(config: InterviewConfig, rnd: RoundState, question: Question | None,
              now: float | None = None) -> Move:
    """Follow up, probe the weakest unevidenced criterion, or close the round."""
    now = time.time() if now is None else now
    transcript = rnd.transcript(config)
    last = next((t for t in reversed(rnd.turns) if t.speaker is Speaker.CANDIDATE), None)
    if last is not None and STOP_WORDS.search(last.text):
        return Move(action="close", text="Understood, let's stop this round here.")
    cov = coverage(transcript)
    rnd.coverage = cov
    if rnd.answers() >= config.budget(rnd.kind):
        return Move(action="close", text="We're at time for this round.")
    if rnd.started_at is not None and now - rnd.started_at > 60 * config.minutes(rnd.kind):
        return Move(action="close", text="We've run out of time for this round.")
    live = [c for c in CriterionId if c is not C.POSTMORTEM]
    if all(cov[c] >= 0.5 for c in live) and rnd.answers() >= 3:
        return Move(action="close", text="That covers what I wanted to explore.")
    for crit in sorted(live, key=lambda c: (cov[c], rnd.probed.count(c), live.index(c))):
        if cov[crit] >= 1.0 or rnd.probed.count(crit) >= 2:
            continue
        text = _probe_text(crit, question, rnd.asked, rnd.kind)
        if text:
            ack = ACKS[(len(rnd.turns) + len(rnd.asked)) % len(ACKS)]
            return Move(action="probe", criterion=crit, text=f"{ack} {text}", probe=text)
    return Move(action="close", text="I think I have what I need for this round.")


class LLMInterviewer:
    """Phrases the offline policy's chosen move with a model, streaming its tokens.

    The offline policy still decides what to probe (the live signals are the source of
    truth); the model only words it, with the round's guidance. If the model fails, the
    offline wording is used for that turn and the fallback is noted visibly.
    """

    def __init__(self, model: str) -> None:
        self.model = model

    def phrase(self, config: InterviewConfig, rnd: RoundState, move: Move,
               guidance: list[Any], on_token: Callable[[str], None] | None = None) -> tuple[str, str | None]:
        """(text, fallback note or None)."""
        from agent import llm
        from agent.prompts import render
        from agent.rubric import CRITERIA

        crit = CRITERIA[move.criterion] if move.criterion else None
        system = render("interviewer_system.md.j2", archetype=config.archetype.label,
                        round_label=rnd.kind.label, role=config.role.label, guidance=guidance)
        user = render("interviewer_turn.md.j2", turns=rnd.turns, asked=rnd.asked,
                      move="probe" if move.criterion else "follow up",
                      criterion=move.criterion.value if move.criterion else None,
                      criterion_name=crit.name if crit else "",
                      reading=crit.reading(rnd.kind) if crit else "", hint=move.probe)
        parts: list[str] = []
        try:
            for token in llm.stream([{"role": "system", "content": system},
                                     {"role": "user", "content": user}], model=self.model):
                parts.append(token)
                if on_token:
                    on_token(token)
        except llm.LLMError as exc:
            return move.text, f"the model failed ({exc}); the offline interviewer asked this turn"
        text = "".join(parts).strip()
        if not text:
            return move.text, "the model returned nothing; the offline interviewer asked this turn"
        return text, None


RECRUITER_REQUIREMENTS = ("What questions do you have for me about the role, the team or the "
                          "process?")


def _probe_text(crit: CriterionId, question: Question | None, asked: list[str],
                kind: RoundKind | None = None) -> str | None:
    options = [p.text for p in question.probes_for(crit)] if question else []
    if kind is RoundKind.RECRUITER_SCREEN and crit is C.REQUIREMENTS:
        options.insert(0, RECRUITER_REQUIREMENTS)  # in a screen, the candidate asks
    options += GENERIC_PROBES[crit]
    return next((o for o in options if o not in asked), None)
