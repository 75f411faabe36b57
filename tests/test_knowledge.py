"""The knowledge store on a small fixture corpus: parse, build, incremental rebuild, filters."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from agent.config import Settings
from agent.knowledge import KnowledgeError, KnowledgeStore, parse_corpus
from agent.models import Archetype, CriterionId, Role, RoundKind
from tests.conftest import DATA, ROOT

KB = DATA / "kb"


@pytest.fixture
def kb(tmp_path) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(KB, root)
    return root


@pytest.fixture
def store(tmp_path, kb) -> KnowledgeStore:
    # its own store: never the run's shared one that MOCKLOOP_KNOWLEDGE_DIR points at
    s = KnowledgeStore(Settings(data_dir=tmp_path / "data", knowledge_dir=tmp_path / "kb-store"),
                       root=kb)
    s.build()
    return s


def test_parse_questions_probes_and_sections():
    corpus = parse_corpus(KB)
    merge = next(q for q in corpus.questions if q.id == "backend-coding-merge-intervals")
    assert {p.criterion for p in merge.probes} == set(CriterionId)
    assert merge.probes_for(CriterionId.EDGE_CASES)[0].text == "Which inputs would break this?"
    debounce = next(q for q in corpus.questions if q.id == "backend-coding-debounce")
    assert debounce.archetypes == [Archetype.AUTOMOTIVE]
    section = next(c for c in corpus.chunks if c.id == "rounds/coding#clarifying-before-coding")
    assert section.tags["criteria"] == ["requirements"]  # the section override
    assert section.tags["roles"] == [r.value for r in Role]  # `all` expanded


def test_build_is_incremental_and_idempotent(store, kb):
    assert store.count() == 12
    again = store.build()
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 12)
    assert not store.is_stale()
    f = kb / "rounds" / "coding.md"
    f.write_text(f.read_text().replace("very large inputs.", "very large inputs and nulls."))
    from agent.knowledge import load_corpus

    load_corpus.cache_clear()
    assert store.is_stale()
    r = store.build()
    assert (r.added, r.updated, r.removed) == (0, 1, 0)
    (kb / "rounds" / "coding.md").unlink()
    r = store.build()
    assert r.removed == 2 and store.count() == 10


def test_filters_combine_with_semantic_ranking(store):
    hits = store.guidance_for(role=Role.BACKEND, round_kind=RoundKind.CODING,
                              query="which inputs break the solution", kinds=("probe",), k=3)
    assert hits[0].id == "backend-coding-merge-intervals#p4"
    assert all(h.kind == "probe" for h in hits)
    faang = store.guidance_for(role=Role.BACKEND, archetype=Archetype.FAANG, kinds=("question",))
    assert [h.id for h in faang] == ["backend-coding-merge-intervals"]  # debounce is automotive
    other_role = store.guidance_for(role=Role.DATA_SCIENCE, kinds=("question",))
    assert other_role == []
    by_crit = store.guidance_for(criterion=CriterionId.REQUIREMENTS, kinds=("guidance",), k=5)
    assert [h.id for h in by_crit] == ["rounds/coding#clarifying-before-coding"]


def test_reopened_in_a_new_process(store, tmp_path):
    code = (
        "from pathlib import Path\n"
        "from agent.config import Settings\n"
        "from agent.knowledge import KnowledgeStore\n"
        f"s = KnowledgeStore(Settings(data_dir=Path({str(tmp_path / 'data')!r}), "
        f"knowledge_dir=Path({str(tmp_path / 'kb-store')!r})), root=Path({str(store.root)!r}))\n"
        "print(s.count(), s.is_stale(), s.guidance_for(query='empty input tests', k=1)[0].id)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    count, stale, top = out.stdout.split()
    assert (count, stale) == ("12", "False") and top.startswith(("rounds/coding", "backend"))


@pytest.mark.parametrize(("patch", "message"), [
    (("kind: guidance", "kind: recipe"), "kind must be"),
    (("roles: [all]", "roles: [chef]"), "unknown roles value 'chef'"),
])
def test_corpus_errors_name_the_file(kb, patch, message):
    f = kb / "rounds" / "coding.md"
    f.write_text(f.read_text().replace(*patch))
    with pytest.raises(KnowledgeError, match=message):
        parse_corpus(kb)


def test_question_without_id_is_rejected(kb):
    f = kb / "questions" / "backend_coding.md"
    f.write_text(f.read_text().replace("id: backend-coding-debounce\n", ""))
    with pytest.raises(KnowledgeError, match="needs an `id:`"):
        parse_corpus(kb)


def test_concurrent_first_queries_load_one_embedder(monkeypatch):
    # eight first queries at once used to load eight models (~1.4 GB, timeouts under load)
    from concurrent.futures import ThreadPoolExecutor

    from agent import embedding

    monkeypatch.setattr(embedding, "_EMBEDDERS", {})
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda _: embedding.get_embedder(1), range(8)))
    assert all(e is got[0] for e in got) and list(embedding._EMBEDDERS) == [1]


def test_answers_are_remembered_until_the_next_build(store, monkeypatch):
    calls = []
    real = store._query
    monkeypatch.setattr(store, "_query", lambda *a: calls.append(a) or real(*a))
    first = store.guidance_for(query="empty input tests", k=2)
    assert store.guidance_for(query="empty input tests", k=2) == first and len(calls) == 1
    store.build()  # the corpus may have changed: ask Chroma again
    assert store.guidance_for(query="empty input tests", k=2) == first and len(calls) == 2
