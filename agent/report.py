"""Human-readable renderings of scorecards (terminal text and Markdown export)."""

from __future__ import annotations

from agent.models import CriterionId, Scorecard


def render_scorecard(card: Scorecard, markdown: bool = False) -> str:
    """The scorecard as Markdown: scores, evidence with turn ids, advice, signals."""
    title = card.file or "transcript"
    meta = " / ".join(x.label for x in (card.role, card.archetype, card.round) if x is not None)
    scored = 12 - 2 * len(card.unscored)
    lines = [f"# Scorecard: {title}", ""]
    if meta:
        lines += [f"{meta}  ", ""]
    lines += [f"**Total: {card.total if card.total is not None else '-'}/{scored}**"
              f"  (scorer: {card.scorer}{', model: ' + card.model if card.model else ''})", ""]
    for cid in CriterionId:
        s = card.scores[cid]
        value = f"{s.score}/2" if s.score is not None else "unscored"
        lines.append(f"## {cid.label}: {value}")
        if s.unscored_reason:
            lines.append(f"Not scored: {s.unscored_reason}")
        if s.rationale:
            lines.append(s.rationale)
        for e in s.evidence:
            mark = {True: "verified" if e.match is None or e.match.value == "exact" else "verified (fuzzy)",
                    False: f"NOT VERIFIED: {e.problem or 'unchecked'}"}[e.verified]
            lines.append(f'- turn {e.turn}: "{e.quote}" ({mark})')
        for flag in s.flags:
            lines.append(f"- flag: {flag}")
        lines.append("")
    lines += ["## Advice", card.advice, "", "## Debrief signals"]
    for sig in card.signals.values():
        lines.append(f"- {sig.signal.label}: {sig.score if sig.score is not None else '-'} / 2")
    return "\n".join(lines) + "\n"
