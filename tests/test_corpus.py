"""The real knowledge corpus: it parses, every round the loop can run has questions with
probes for all six criteria, and a store built from it answers filtered queries."""

from __future__ import annotations

import pytest

from agent.config import get_settings
from agent.interview import ONSITE, TECH_SCREEN
from agent.knowledge import get_store, parse_corpus, questions_for
from agent.models import Archetype, CriterionId, Role, RoundKind

CORPUS = parse_corpus()


def loop_rounds(role: Role) -> set[RoundKind]:
    rounds = {RoundKind.RECRUITER_SCREEN, TECH_SCREEN[role], *ONSITE}
    if role is Role.DATA_SCIENCE:
        rounds.add(RoundKind.ML)  # the DS technical screen can be SQL or ML
    return rounds


@pytest.mark.parametrize("role", list(Role))
def test_every_loop_round_has_questions_with_all_probes(role):
    for kind in loop_rounds(role):
        for archetype in Archetype:
            bank = questions_for(role, kind, archetype)
            assert len(bank) >= 6, (role, kind, archetype, len(bank))
            for q in bank:
                assert {p.criterion for p in q.probes} == set(CriterionId), q.id


def test_ids_unique_and_chunks_tagged():
    ids = [c.id for c in CORPUS.chunks]
    assert len(ids) == len(set(ids))
    for c in CORPUS.chunks:
        assert c.tags["roles"] and c.tags["rounds"] and c.tags["archetypes"], c.id


def test_store_from_the_real_corpus_answers_filtered_queries():
    store = get_store(get_settings())  # built once per test run in the shared dir
    assert store.count() == len(CORPUS.chunks) and not store.is_stale()
    hits = store.guidance_for(role=Role.SRE, round_kind=RoundKind.INFRA, kinds=("probe",),
                              query="should we roll back the deploy or fix forward", k=5)
    assert hits and all(h.kind == "probe" for h in hits)
    assert any(h.criterion is CriterionId.TRADEOFFS for h in hits[:3])
    sd = store.guidance_for(role=Role.BACKEND, round_kind=RoundKind.SYSTEM_DESIGN,
                            kinds=("guidance",), query="turn the prompt into SLOs and numbers", k=3)
    assert sd[0].id == "rounds/system_design#measurable-requirements-first"


def test_retrieval_eval_meets_the_bar():
    from evals.retrieval import evaluate, load_queries

    queries = load_queries()
    assert len(queries) >= 40
    result = evaluate(get_store(get_settings()), queries, k=5)
    assert result["recall_at_k"] >= 0.9, result["misses"]
