"""The labelled transcript set in evals/data: loading, splits, and the gold-label checker."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel, Field

from agent.models import CriterionId, Evidence, Speaker, Transcript
from agent.scoring.verify import verify_quote
from agent.transcripts import load_transcript

DATA_DIR = Path(__file__).resolve().parent / "data"


class GoldScore(BaseModel):
    score: int = Field(ge=0, le=2)
    rationale: str
    evidence: list[Evidence] = Field(default_factory=list)


class Labels(BaseModel):
    id: str
    split: str | None = None
    labeller: str
    tags: list[str] = Field(default_factory=list)
    scores: dict[CriterionId, GoldScore]

    @property
    def total(self) -> int:
        return sum(s.score for s in self.scores.values())


@dataclass
class Item:
    id: str
    path: Path
    labels: Labels
    second: Labels | None = None  # the blind second labelling, if any

    @cached_property
    def transcript(self) -> Transcript:
        return load_transcript(self.path)

    @property
    def split(self) -> str:
        return self.labels.split or "dev"


def load_dataset(root: Path = DATA_DIR, split: str = "all") -> list[Item]:
    """Items with labels, in id order; `split` is dev, test or all."""
    items = []
    for label_path in sorted((root / "labels").glob("*.json")):
        labels = Labels.model_validate_json(label_path.read_text())
        second_path = root / "labels_b" / label_path.name
        second = (Labels.model_validate_json(second_path.read_text())
                  if second_path.exists() else None)
        item = Item(id=labels.id, path=root / "transcripts" / f"{labels.id}.md", labels=labels,
                    second=second)
        if split == "all" or item.split == split:
            items.append(item)
    return items


def check_item(item: Item) -> list[str]:
    """Problems with one labelled item: parse errors, missing criteria, quotes that fail."""
    problems = []
    t = item.transcript
    for which in filter(None, (item.labels, item.second)):
        missing = [c.value for c in CriterionId if c not in which.scores]
        if missing:
            problems.append(f"{which.labeller}: missing {missing}")
        for cid, gold in which.scores.items():
            if gold.score > 0 and not gold.evidence:
                problems.append(f"{which.labeller} {cid.value}: score {gold.score} with no evidence")
            for ev in gold.evidence:
                checked = verify_quote(t, ev, candidate_only=False)
                if checked.match is None or checked.match.value != "exact":
                    problems.append(f"{which.labeller} {cid.value}: turn {ev.turn}: "
                                    f"{checked.problem or 'not verbatim'}: {ev.quote[:50]!r}")
                    continue
                turn = t.turn(ev.turn)
                if gold.score > 0 and turn is not None and turn.speaker is not Speaker.CANDIDATE:
                    problems.append(f"{which.labeller} {cid.value}: score {gold.score} cites "
                                    f"interviewer turn {ev.turn}")
    return problems


def dump_labels(labels: Labels) -> str:
    return json.dumps(labels.model_dump(mode="json", exclude_none=True), indent=2)
