"""Pure renderings for the app: chat history, status panels, evidence highlighting, plots.

No gradio event wiring here, so each view is testable on its own. Text from a transcript
goes out as plain strings to components that render text (HighlightedText, sanitised
Markdown with the text escaped), never as HTML.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

from agent.models import CriterionId, Scorecard, Transcript
from agent.session import Prompt


def md_escape(text: str) -> str:
    """Candidate text inside Markdown: HTML-escaped, Markdown control characters neutralised."""
    out = html.escape(text, quote=False)
    for ch in "\\`*_[]#|":
        out = out.replace(ch, "\\" + ch)
    return out


def chat_history(p: Prompt) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for rnd in p.rounds:
        for note in rnd.notes:  # e.g. a visible fallback to the offline interviewer
            out.append({"role": "assistant", "content": f"*(note: {md_escape(note)})*"})
        for t in rnd.turns:
            out.append({"role": "assistant" if t.speaker.value == "interviewer" else "user",
                        "content": md_escape(t.text)})
        if rnd.scorecard is not None:
            out.append({"role": "assistant", "content":
                        f"**Round {rnd.kind.label} scored {rnd.scorecard.total}/12.** "
                        f"{md_escape(rnd.scorecard.advice)}"})
    if p.text:
        out.append({"role": "assistant", "content": md_escape(p.text)})
    return out


def status_panel(p: Prompt) -> str:
    lines = [f"**Session** `{p.session_id}`", ""]
    for i, r in enumerate(p.rounds):
        mark = "done" if r.scorecard else ("now" if i == p.round_index and not p.finished else "next")
        total = f" ({r.scorecard.total}/12)" if r.scorecard else ""
        lines.append(f"- [{mark}] {r.stage.label}: {r.kind.label}{total}")
    cur = p.rounds[min(p.round_index, len(p.rounds) - 1)]
    if cur.coverage:
        lines += ["", "**Live rubric coverage**"]
        lines += [f"- {CriterionId(c).label}: {v:.0%}" for c, v in cur.coverage.items()]
    if p.kind == "postmortem":
        lines += ["", "**Post-mortem**: write your reflection in the answer box."]
    return "\n".join(lines)


def why_panel(p: Prompt) -> str:
    cur = p.rounds[min(p.round_index, len(p.rounds) - 1)]
    lines = ["**Why this question**"]
    if cur.question_id:
        lines.append(f"- question `{cur.question_id}` from the {cur.kind.label} bank")
    if cur.probed:
        lines.append(f"- probing: {', '.join(CriterionId(c).label for c in cur.probed[-1:])} "
                     "(the weakest criterion not yet evidenced)")
    for g in cur.guidance:
        lines.append(f"- guidance: {g['title']} (`{g['source']}`)")
    return "\n".join(lines)


def scorecards_md(p: Prompt) -> str:
    parts = []
    for r in p.rounds:
        if r.scorecard is not None:
            parts.append(scorecard_md(r.scorecard))
    if p.debrief:
        d = p.debrief
        parts.append("## Hiring-committee debrief\n"
                     f"Recommendation: **{d['recommendation']}** (weighted signal "
                     f"{d['weighted_signal']}, {d['archetype']} bar)\n")
        for st in d["statements"]:
            quotes = "; ".join(f"\"{md_escape(q['quote'])}\" ({q['round']}, turn {q['turn']})"
                               for q in st["quotes"])
            parts.append(f"- {st['signal']}: {st['score']} {('- ' + quotes) if quotes else ''}")
        parts.append(f"\nPlan: {d['plan']['advice']} Weakest: "
                     f"{', '.join(d['plan']['weakest_criteria'])}. Next round to practise: "
                     f"{d['plan']['next_round']}.")
    return "\n".join(parts)


def scorecard_md(card: Scorecard) -> str:
    scored = 12 - 2 * len(card.unscored)
    lines = [f"### {card.round.label if card.round else 'Round'}: "
             f"{card.total if card.total is not None else '-'}/{scored} ({card.scorer})", ""]
    lines += ["| criterion | score | why |", "|---|---|---|"]
    for cid in CriterionId:
        s = card.scores[cid]
        value = str(s.score) if s.score is not None else "unscored"
        why = md_escape(s.unscored_reason or s.rationale)
        if s.flags:
            why += " **flags:** " + md_escape("; ".join(s.flags))
        lines.append(f"| {cid.label} | {value} | {why} |")
    lines += ["", f"**Advice:** {md_escape(card.advice)}"]
    return "\n".join(lines)


def highlighted(transcript: Transcript, card: Scorecard) -> list[tuple[str, str | None]]:
    """(text, criterion label or None) segments: each verified quote highlighted in place."""
    spans: dict[int, list[tuple[int, int, str]]] = {}
    for cid, s in card.scores.items():
        for e in s.evidence:
            if e.verified and e.start is not None and e.end is not None:
                spans.setdefault(e.turn, []).append((e.start, e.end, cid.value))
    out: list[tuple[str, str | None]] = []
    for t in transcript.turns:
        who = "POST-MORTEM" if t.is_postmortem else t.speaker.value.upper()
        out.append((f"[{t.id}] {who}: ", None))
        pos = 0
        for start, end, label in sorted(spans.get(t.id, [])):
            if start < pos:  # overlapping quotes: keep the first
                continue
            if start > pos:
                out.append((t.text[pos:start], None))
            out.append((t.text[start:end], label))
            pos = end
        out.append((t.text[pos:] + "\n\n", None))
    return out


def agreement_rows(agree: dict[str, dict[str, Any]]) -> list[list[Any]]:
    def f(x: Any) -> Any:
        return round(x, 2) if isinstance(x, float) and x == x else "-"

    return [[c, a["n"], f(a["exact"]), f(a["qwk"])] for c, a in agree.items()]


def agreement_plot(agree: dict[str, dict[str, Any]]) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3))
    names = list(agree)
    ex = [a["exact"] if a["exact"] == a["exact"] else 0 for a in agree.values()]
    kw = [a["qwk"] if a["qwk"] == a["qwk"] else 0 for a in agree.values()]
    xs = range(len(names))
    ax.bar([x - 0.2 for x in xs], ex, width=0.4, label="exact")
    ax.bar([x + 0.2 for x in xs], kw, width=0.4, label="QWK")
    ax.set_xticks(list(xs), names, rotation=20)
    ax.set_ylim(-0.2, 1.05)
    ax.set_title("AI vs coach agreement")
    ax.legend()
    fig.tight_layout()
    return fig


def progress_plot(rows: list[dict[str, Any]]) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.2))
    xs = list(range(1, len(rows) + 1))
    a1.plot(xs, [r["total"] or 0 for r in rows], marker="o")
    a1.axhline(8, color="red", linestyle="--", linewidth=1)
    a1.set_ylim(0, 12.5)
    a1.set_title("Total /12 per session (red: the 8 bar)")
    for cid in CriterionId:
        a2.plot(xs, [r[cid.value] if r[cid.value] is not None else float("nan") for r in rows],
                marker=".", label=cid.value)
    a2.set_ylim(-0.1, 2.1)
    a2.set_title("Each criterion")
    for ax in (a1, a2):
        ax.set_xticks(xs)
        ax.set_xlabel("scored round, oldest first")
    a2.legend(fontsize=7)
    fig.tight_layout()
    return fig


def when(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M")
