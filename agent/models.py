"""The vocabulary every part of mockloop speaks: roles, rounds, turns, transcripts, scores.

Enum values are stable ids (stored in SQLite, front matter and JSON); `label` is what
a person reads. `parse` accepts either, case-insensitively, plus common spellings.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any, Self

from pydantic import BaseModel, Field, computed_field, model_validator


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


class _LabelledEnum(StrEnum):
    """A StrEnum with a human label and a forgiving parser."""

    @property
    def label(self) -> str:
        return _LABELS[type(self).__name__][self.value]

    @classmethod
    def parse(cls, text: str) -> Self:
        key = _key(text)
        for member in cls:
            names = {member.value, member.label,
                     *_ALIASES.get(cls.__name__, {}).get(member.value, ())}
            if key in {_key(n) for n in names}:
                return member
        allowed = ", ".join(m.label for m in cls)
        raise ValueError(f"unknown {cls.__name__} {text!r}; expected one of: {allowed}")


class Role(_LabelledEnum):
    BACKEND = "backend"
    MLE = "mle"
    DATA_ENGINEERING = "data_engineering"
    DATA_SCIENCE = "data_science"
    SRE = "sre"


class Archetype(_LabelledEnum):
    FAANG = "faang"
    ENTERPRISE = "enterprise"
    AUTOMOTIVE = "automotive"


class RoundKind(_LabelledEnum):
    RECRUITER_SCREEN = "recruiter_screen"
    CODING = "coding"
    SQL = "sql"
    ML = "ml"
    INFRA = "infra"
    SYSTEM_DESIGN = "system_design"
    BEHAVIORAL = "behavioral"


class Stage(_LabelledEnum):
    RECRUITER_SCREEN = "recruiter_screen"
    TECHNICAL_SCREEN = "technical_screen"
    ONSITE = "onsite"
    DEBRIEF = "debrief"


class Speaker(StrEnum):
    INTERVIEWER = "interviewer"
    CANDIDATE = "candidate"


class CriterionId(_LabelledEnum):
    REQUIREMENTS = "requirements"
    CORRECTNESS = "correctness"
    TRADEOFFS = "tradeoffs"
    EDGE_CASES = "edge_cases"
    COMMUNICATION = "communication"
    POSTMORTEM = "postmortem"


class Signal(_LabelledEnum):
    CORRECTNESS = "correctness"
    REASONING = "reasoning"
    SIGNAL_TO_NOISE = "signal_to_noise"
    ENGINEERING_MATURITY = "engineering_maturity"
    OWNERSHIP = "ownership"


class Rater(StrEnum):
    LLM = "llm"
    ANALYTIC = "analytic"
    COACH = "coach"


class MatchKind(StrEnum):
    EXACT = "exact"
    FUZZY = "fuzzy"


_LABELS: dict[str, dict[str, str]] = {
    "Role": {
        Role.BACKEND.value: "Backend",
        Role.MLE.value: "MLE/MLOps",
        Role.DATA_ENGINEERING.value: "Data Engineering",
        Role.DATA_SCIENCE.value: "Data Science",
        Role.SRE.value: "DevOps/SRE",
    },
    "Archetype": {
        Archetype.FAANG.value: "FAANG/high-growth",
        Archetype.ENTERPRISE.value: "Enterprise",
        Archetype.AUTOMOTIVE.value: "Automotive/industrial",
    },
    "RoundKind": {
        RoundKind.RECRUITER_SCREEN.value: "recruiter screen",
        RoundKind.CODING.value: "coding",
        RoundKind.SQL.value: "SQL",
        RoundKind.ML.value: "ML",
        RoundKind.INFRA.value: "infra",
        RoundKind.SYSTEM_DESIGN.value: "system design",
        RoundKind.BEHAVIORAL.value: "behavioral",
    },
    "Stage": {
        Stage.RECRUITER_SCREEN.value: "Recruiter screen",
        Stage.TECHNICAL_SCREEN.value: "Technical screen",
        Stage.ONSITE.value: "Onsite",
        Stage.DEBRIEF.value: "Hiring-committee debrief",
    },
    "CriterionId": {
        CriterionId.REQUIREMENTS.value: "Requirements clarified",
        CriterionId.CORRECTNESS.value: "Correct solution delivered",
        CriterionId.TRADEOFFS.value: "Tradeoffs explained",
        CriterionId.EDGE_CASES.value: "Edge cases tested",
        CriterionId.COMMUNICATION.value: "Communication clarity",
        CriterionId.POSTMORTEM.value: "Post-mortem written",
    },
    "Signal": {
        Signal.CORRECTNESS.value: "Correctness",
        Signal.REASONING.value: "Reasoning",
        Signal.SIGNAL_TO_NOISE.value: "Signal-to-noise",
        Signal.ENGINEERING_MATURITY.value: "Engineering maturity",
        Signal.OWNERSHIP.value: "Ownership",
    },
}

_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "Role": {
        Role.BACKEND.value: ("backend engineer", "back end", "swe", "software engineer"),
        Role.MLE.value: ("mle", "mlops", "ml engineer", "machine learning engineer"),
        Role.DATA_ENGINEERING.value: ("de", "data engineer"),
        Role.DATA_SCIENCE.value: ("ds", "data scientist"),
        Role.SRE.value: ("devops", "sre", "site reliability", "site reliability engineer", "devops/sre"),
    },
    "Archetype": {
        Archetype.FAANG.value: ("faang", "high-growth", "big tech", "startup"),
        Archetype.ENTERPRISE.value: ("enterprise",),
        Archetype.AUTOMOTIVE.value: ("automotive", "industrial"),
    },
    "RoundKind": {
        RoundKind.RECRUITER_SCREEN.value: ("recruiter", "recruiter call", "phone screen"),
        RoundKind.CODING.value: ("code", "algorithms", "coding round"),
        RoundKind.SQL.value: ("sql round",),
        RoundKind.ML.value: ("machine learning", "ml design", "data science"),
        RoundKind.INFRA.value: ("infrastructure", "sre", "devops", "incident"),
        RoundKind.SYSTEM_DESIGN.value: ("design", "systems design"),
        RoundKind.BEHAVIORAL.value: ("behavioural", "behavior", "leadership"),
    },
    "Stage": {
        Stage.TECHNICAL_SCREEN.value: ("tech screen", "phone screen"),
        Stage.ONSITE.value: ("virtual onsite", "onsite rounds"),
        Stage.DEBRIEF.value: ("hiring committee", "debrief"),
    },
}

#: Rubric: which criteria feed which debrief signal.
SIGNAL_SOURCES: dict[Signal, tuple[CriterionId, ...]] = {
    Signal.CORRECTNESS: (CriterionId.CORRECTNESS, CriterionId.EDGE_CASES),
    Signal.REASONING: (CriterionId.TRADEOFFS, CriterionId.REQUIREMENTS),
    Signal.SIGNAL_TO_NOISE: (CriterionId.COMMUNICATION,),
    Signal.ENGINEERING_MATURITY: (CriterionId.EDGE_CASES, CriterionId.TRADEOFFS),
    Signal.OWNERSHIP: (CriterionId.POSTMORTEM,),
}

BELOW_BAR = 8
BELOW_BAR_ADVICE = (
    "Below 8/12: shorten the scope of the next practice round and do more repetitions."
)


class Turn(BaseModel):
    """One speaker turn; ids are 1-based and stable, so evidence can cite them."""

    id: int = Field(ge=1)
    speaker: Speaker
    text: str
    is_postmortem: bool = False


#: The header that marks a transcript of mockloop's own interview: `Interviewed by: mockloop`.
INTERVIEWED_BY, MOCKLOOP = "interviewed by", "mockloop"


class Transcript(BaseModel):
    """A round's conversation. The post-mortem, if any, is the last candidate turn."""

    role: Role | None = None
    archetype: Archetype | None = None
    round: RoundKind | None = None
    metadata: dict[str, str] = Field(default_factory=dict)
    turns: list[Turn]
    source: str | None = None

    @model_validator(mode="after")
    def _ids_are_sequential(self) -> Transcript:
        for i, turn in enumerate(self.turns, start=1):
            if turn.id != i:
                raise ValueError(f"turn ids must be 1..n in order; turn {i} has id {turn.id}")
        if any(t.is_postmortem for t in self.turns[:-1]):
            raise ValueError("only the last turn can be the post-mortem")
        return self

    @property
    def postmortem(self) -> Turn | None:
        last = self.turns[-1] if self.turns else None
        return last if last is not None and last.is_postmortem else None

    @property
    def by_mockloop(self) -> bool:
        """Whether mockloop's own interviewer asked the questions (not a human)."""
        return self.metadata.get(INTERVIEWED_BY, "").strip().lower() == MOCKLOOP

    def turn(self, turn_id: int) -> Turn | None:
        return self.turns[turn_id - 1] if 1 <= turn_id <= len(self.turns) else None

    def candidate_turns(self) -> list[Turn]:
        return [t for t in self.turns if t.speaker is Speaker.CANDIDATE]

    def render(self) -> str:
        """The transcript in our text format (round-trips through the importer)."""
        head = [
            f"{name}: {value.label}"
            for name, value in (("Role", self.role), ("Archetype", self.archetype),
                                ("Round", self.round))
            if value is not None
        ]
        if by := self.metadata.get(INTERVIEWED_BY):
            head.append(f"{INTERVIEWED_BY.capitalize()}: {by}")
        body = [f"{t.speaker.value.capitalize()}: {t.text}" for t in self.turns
                if not t.is_postmortem]
        if self.postmortem is not None:
            body += ["", "## Post-mortem", self.postmortem.text]
        return "\n".join([*head, "", *body]).strip() + "\n"


class Evidence(BaseModel):
    """A quote offered for a score; `verified` and the span are set by the verifier only."""

    turn: int
    quote: str
    start: int | None = None
    end: int | None = None
    verified: bool = False
    match: MatchKind | None = None
    problem: str | None = None


class CriterionScore(BaseModel):
    """A 0-2 score with its evidence, or unscored with the reason (never a fake 0)."""

    criterion: CriterionId
    score: int | None = Field(default=None, ge=0, le=2)
    unscored_reason: str | None = None
    rationale: str = ""
    evidence: list[Evidence] = Field(default_factory=list)
    rater: Rater
    flags: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _score_xor_reason(self) -> CriterionScore:
        if (self.score is None) == (self.unscored_reason is None):
            raise ValueError("a criterion score needs a score or an unscored_reason, not both")
        return self

    @classmethod
    def unscored(cls, criterion: CriterionId, reason: str, rater: Rater, **kw: Any) -> Self:
        return cls(criterion=criterion, unscored_reason=reason, rater=rater, **kw)

    @property
    def verified_evidence(self) -> list[Evidence]:
        return [e for e in self.evidence if e.verified]


class SignalScore(BaseModel):
    signal: Signal
    score: float | None  # mean of the feeding criteria on 0-2, None when all unscored
    criteria: list[CriterionId]


class Scorecard(BaseModel):
    """Six criterion scores for one round, with the total, the advice and the five signals."""

    file: str | None = None
    role: Role | None = None
    archetype: Archetype | None = None
    round: RoundKind | None = None
    scorer: str
    model: str | None = None
    scores: dict[CriterionId, CriterionScore]

    @model_validator(mode="after")
    def _all_six(self) -> Scorecard:
        missing = [c.value for c in CriterionId if c not in self.scores]
        if missing:
            raise ValueError(f"scorecard is missing criteria: {', '.join(missing)}")
        return self

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total(self) -> int | None:
        scored = [s.score for s in self.scores.values() if s.score is not None]
        return sum(scored) if scored else None

    @property
    def unscored(self) -> list[CriterionId]:
        return [c for c, s in self.scores.items() if s.score is None]

    @property
    def below_bar(self) -> bool:
        return self.total is not None and not self.unscored and self.total < BELOW_BAR

    def weakest(self, n: int = 3) -> list[CriterionScore]:
        scored = [s for s in self.scores.values() if s.score is not None and s.score < 2]
        order = list(CriterionId)
        return sorted(scored, key=lambda s: (s.score, order.index(s.criterion)))[:n]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def advice(self) -> str:
        parts = []
        if self.unscored:
            parts.append(
                "Not scored: " + ", ".join(c.value for c in self.unscored)
                + " (see the reasons); the total covers the scored criteria only."
            )
        if self.below_bar:
            parts.append(BELOW_BAR_ADVICE)
        weak = self.weakest(3 if self.below_bar else 2)
        if weak:
            parts.append("Work on: " + "; ".join(
                f"{s.criterion.label} ({s.score}/2)" for s in weak))
        return " ".join(parts) or "All six criteria at 2/2: raise the difficulty."

    @computed_field  # type: ignore[prop-decorator]
    @property
    def signals(self) -> dict[Signal, SignalScore]:
        out = {}
        for signal, sources in SIGNAL_SOURCES.items():
            vals = [self.scores[c].score for c in sources if self.scores[c].score is not None]
            out[signal] = SignalScore(
                signal=signal, score=round(sum(vals) / len(vals), 2) if vals else None,
                criteria=list(sources))
        return out

    def to_json(self) -> dict[str, Any]:
        """The one-line JSON shape of `mockloop score --json`."""
        return {
            "file": self.file,
            "role": self.role.value if self.role else None,
            "archetype": self.archetype.value if self.archetype else None,
            "round": self.round.value if self.round else None,
            "scorer": self.scorer,
            "model": self.model,
            "scores": {
                c.value: {
                    "score": s.score,
                    "unscored_reason": s.unscored_reason,
                    "rationale": s.rationale,
                    "rater": s.rater.value,
                    "evidence": [
                        {"turn": e.turn, "quote": e.quote, "verified": e.verified,
                         "match": e.match.value if e.match else None,
                         "start": e.start, "end": e.end}
                        for e in s.evidence
                    ],
                    "flags": list(s.flags),
                }
                for c, s in ((c, self.scores[c]) for c in CriterionId)
            },
            "total": self.total,
            "advice": self.advice,
            "signals": {sig.value: s.score for sig, s in self.signals.items()},
        }
