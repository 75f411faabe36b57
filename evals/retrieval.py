"""Retrieval eval: labelled queries (query + filters -> chunk ids that should come back).

Prints recall@k and MRR over `evals/retrieval_queries.json`. A query counts as recalled
at k when any of its expected ids is in the top k; MRR uses the first expected id found.
Run: `mockloop knowledge eval` (builds the store first if needed).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from agent.knowledge import KnowledgeStore
from agent.models import Archetype, CriterionId, Role, RoundKind, Stage

QUERIES = Path(__file__).resolve().parent / "retrieval_queries.json"


class LabelledQuery(BaseModel):
    query: str
    role: Role | None = None
    archetype: Archetype | None = None
    round: RoundKind | None = None
    stage: Stage | None = None
    criterion: CriterionId | None = None
    kinds: list[str] | None = None
    expected: list[str] = Field(min_length=1)


def load_queries(path: Path = QUERIES) -> list[LabelledQuery]:
    return [LabelledQuery.model_validate(q) for q in json.loads(path.read_text())]


def evaluate(store: KnowledgeStore, queries: list[LabelledQuery], k: int = 5) -> dict[str, Any]:
    hits, rr, misses = 0, 0.0, []
    for q in queries:
        got = [g.id for g in store.guidance_for(
            role=q.role, archetype=q.archetype, round_kind=q.round, stage=q.stage,
            criterion=q.criterion, kinds=tuple(q.kinds) if q.kinds else None, query=q.query, k=k)]
        ranks = [i for i, cid in enumerate(got, start=1) if cid in q.expected]
        if ranks:
            hits += 1
            rr += 1 / ranks[0]
        else:
            misses.append({"query": q.query, "expected": q.expected, "got": got})
    n = len(queries)
    return {"n": n, "k": k, "recall_at_k": hits / n if n else 0.0, "mrr": rr / n if n else 0.0,
            "misses": misses}
