"""The hiring-committee debrief: five signals across the rounds, an archetype-weighted
recommendation, each statement tied to verified quotes, and a practice plan."""

from __future__ import annotations

from typing import Any

from agent.models import BELOW_BAR, BELOW_BAR_ADVICE, Archetype, CriterionId, Scorecard, Signal
from agent.nodes.state import State, config_of, round_of

#: How much each signal weighs in the recommendation, by archetype.
WEIGHTS: dict[Archetype, dict[Signal, float]] = {
    Archetype.FAANG: {Signal.CORRECTNESS: 1.2, Signal.REASONING: 1.2, Signal.SIGNAL_TO_NOISE: 1.0,
                      Signal.ENGINEERING_MATURITY: 0.9, Signal.OWNERSHIP: 0.8},
    Archetype.ENTERPRISE: {Signal.CORRECTNESS: 1.0, Signal.REASONING: 1.1, Signal.SIGNAL_TO_NOISE: 1.2,
                           Signal.ENGINEERING_MATURITY: 1.1, Signal.OWNERSHIP: 1.0},
    Archetype.AUTOMOTIVE: {Signal.CORRECTNESS: 1.3, Signal.REASONING: 0.9, Signal.SIGNAL_TO_NOISE: 0.8,
                           Signal.ENGINEERING_MATURITY: 1.4, Signal.OWNERSHIP: 1.0},
}
#: A signal the archetype will not hire below, whatever the average.
FLOOR: dict[Archetype, tuple[Signal, float]] = {
    Archetype.FAANG: (Signal.CORRECTNESS, 0.75),
    Archetype.ENTERPRISE: (Signal.SIGNAL_TO_NOISE, 0.75),
    Archetype.AUTOMOTIVE: (Signal.ENGINEERING_MATURITY, 1.0),  # verification and risk control
}


def recommend(archetype: Archetype, signals: dict[Signal, float | None]) -> tuple[str, float]:
    w = WEIGHTS[archetype]
    known = {s: v for s, v in signals.items() if v is not None}
    if not known:
        return "no decision (nothing scored)", 0.0
    score = sum(w[s] * v for s, v in known.items()) / sum(w[s] for s in known)
    floor_signal, floor = FLOOR[archetype]
    below_floor = known.get(floor_signal, 2.0) < floor
    if score >= 1.6 and not below_floor:
        rec = "hire"
    elif score >= 1.25 and not below_floor:
        rec = "lean hire"
    elif score >= 0.9:
        rec = "lean no"
    else:
        rec = "no"
    return rec, round(score, 2)


def build_debrief(archetype: Archetype, cards: list[Scorecard]) -> dict[str, Any]:
    signals: dict[Signal, float | None] = {}
    for sig in Signal:
        vals = [c.signals[sig].score for c in cards if c.signals[sig].score is not None]
        signals[sig] = round(sum(vals) / len(vals), 2) if vals else None
    rec, weighted = recommend(archetype, signals)
    statements = []
    for sig, value in signals.items():
        quotes = []
        for card in cards:
            for cid in (card.signals[sig].criteria if card.signals else []):
                for ev in card.scores[cid].verified_evidence[:1]:
                    quotes.append({"round": card.round.value if card.round else None,
                                   "turn": ev.turn, "quote": ev.quote})
        statements.append({"signal": sig.value, "score": value, "quotes": quotes[:3]})
    crit_means = {}
    for cid in CriterionId:
        vals = [c.scores[cid].score for c in cards if c.scores[cid].score is not None]
        crit_means[cid.value] = sum(vals) / len(vals) if vals else None
    weakest = sorted((v, k) for k, v in crit_means.items() if v is not None)[:3]
    totals = [c.total for c in cards if c.total is not None]
    worst_round = min(cards, key=lambda c: c.total or 0).round if cards else None
    below = any(t < BELOW_BAR for t in totals)
    return {
        "recommendation": rec, "weighted_signal": weighted, "archetype": archetype.value,
        "signals": {s.value: v for s, v in signals.items()}, "statements": statements,
        "round_totals": [{"round": c.round.value if c.round else None, "total": c.total}
                         for c in cards],
        "plan": {"advice": BELOW_BAR_ADVICE if below else "At or above 8/12 in every round: "
                 "raise the difficulty or add a round type.",
                 "weakest_criteria": [k for _, k in weakest],
                 "next_round": worst_round.value if worst_round else None},
    }


def debrief(state: State) -> dict[str, Any]:
    cfg = config_of(state)
    cards = [round_of(state, i).scorecard for i in range(len(state["rounds"]))]
    return {"debrief": build_debrief(cfg.archetype, [c for c in cards if c is not None])}
