"""The knowledge base: parse `knowledge/`, build the Chroma store, retrieve guidance.

The only module that talks to Chroma. One persistent collection under the data dir,
embedded offline with MiniLM (agent/embedding.py), cosine space. Builds are incremental:
each chunk carries a content hash, so an unchanged corpus rebuilds without embedding.
List metadata (roles, rounds, ...) is stored as boolean keys (`role_backend: true`)
because Chroma filters on scalars; `all` in front matter expands to every value.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import frontmatter
import yaml
from pydantic import BaseModel, Field

from agent.config import Settings, get_settings
from agent.errors import MockloopError
from agent.models import Archetype, CriterionId, Role, RoundKind, Stage

log = logging.getLogger(__name__)

KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent / "knowledge"
COLLECTION = "mockloop_knowledge"
SCHEMA_VERSION = "1"
KINDS = ("guidance", "question", "probe", "rubric")

_FIELDS: dict[str, tuple[str, type]] = {
    # front-matter key -> (metadata prefix, enum)
    "roles": ("role", Role),
    "rounds": ("round", RoundKind),
    "stages": ("stage", Stage),
    "archetypes": ("arch", Archetype),
    "criteria": ("crit", CriterionId),
}


class KnowledgeError(MockloopError):
    """The corpus breaks its format; names the file and the problem."""


class Chunk(BaseModel):
    id: str
    kind: str
    title: str
    text: str
    source: str
    tags: dict[str, list[str]] = Field(default_factory=dict)  # front-matter key -> values
    question_id: str | None = None
    criterion: CriterionId | None = None

    @property
    def digest(self) -> str:
        payload = f"{SCHEMA_VERSION}|{self.kind}|{self.title}|{self.text}|{sorted(self.tags.items())}"
        return hashlib.sha256(payload.encode()).hexdigest()[:20]

    def metadata(self) -> dict[str, Any]:
        meta: dict[str, Any] = {"kind": self.kind, "title": self.title, "source": self.source,
                                "hash": self.digest}
        if self.question_id:
            meta["question_id"] = self.question_id
        if self.criterion:
            meta["criterion"] = self.criterion.value
        for key, (prefix, _enum) in _FIELDS.items():
            for value in self.tags.get(key, []):
                meta[f"{prefix}_{value}"] = True
        return meta


class Probe(BaseModel):
    criterion: CriterionId
    text: str
    id: str


class Question(BaseModel):
    """One question of a bank: what the interviewer asks, the ideal outline, the probes."""

    id: str
    title: str
    text: str
    ideal: str
    difficulty: str = "medium"
    roles: list[Role]
    rounds: list[RoundKind]
    archetypes: list[Archetype]
    probes: list[Probe]
    source: str

    def probes_for(self, criterion: CriterionId) -> list[Probe]:
        return [p for p in self.probes if p.criterion is criterion]


class Guidance(BaseModel):
    """A retrieved chunk, with what the UI needs to show 'why this question'."""

    id: str
    kind: str
    title: str
    text: str
    source: str
    distance: float
    question_id: str | None = None
    criterion: CriterionId | None = None


# ---------------------------------------------------------------- parsing


def _expand(key: str, raw: Any, where: str) -> list[str]:
    enum = _FIELDS[key][1]
    if raw is None:
        return [m.value for m in enum]
    values = raw if isinstance(raw, list) else [raw]
    if any(str(v).lower() == "all" for v in values):
        return [m.value for m in enum]
    out = []
    for v in values:
        try:
            out.append(enum(str(v)).value)
        except ValueError:
            raise KnowledgeError(f"{where}: unknown {key} value {v!r}; expected one of: "
                                 + ", ".join(m.value for m in enum)) from None
    return out


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def _sections(body: str) -> tuple[str, list[tuple[str, str]]]:
    """The `#` title and the `##` sections (heading, text) of a Markdown body."""
    title = ""
    sections: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("# ") and not title:
            title = line[2:].strip()
        elif line.startswith("## "):
            sections.append((line[3:].strip(), []))
        elif sections:
            sections[-1][1].append(line)
    return title, [(h, "\n".join(lines).strip()) for h, lines in sections]


_OVERRIDE = re.compile(r"^(roles|rounds|stages|archetypes|criteria)\s*:\s*(\[.*\]|\S.*)$")
_FIELD = re.compile(r"^\*\*(Question|Ideal answer|Probes):\*\*\s*(.*)$")
_PROBE = re.compile(r"^\s*-\s*(\w+)\s*:\s*(.+)$")


def _overrides(text: str, where: str) -> tuple[dict[str, list[str]], str]:
    """Leading `key: [values]` lines of a section override the file's metadata."""
    tags: dict[str, list[str]] = {}
    lines = text.splitlines()
    while lines and (m := _OVERRIDE.match(lines[0].strip())):
        tags[m.group(1)] = _expand(m.group(1), yaml.safe_load(m.group(2)), where)
        lines.pop(0)
    return tags, "\n".join(lines).strip()


def _parse_question(heading: str, text: str, file_tags: dict[str, list[str]],
                    source: str) -> Question:
    where = f"{source} ## {heading}"
    meta: dict[str, str] = {}
    parts: dict[str, list[str]] = {}
    current: str | None = None
    for line in text.splitlines():
        if current is None and (m := re.match(r"^(id|archetypes|difficulty|roles)\s*:\s*(.+)$",
                                              line.strip())):
            meta[m.group(1)] = m.group(2).strip()
            continue
        if m := _FIELD.match(line.strip()):
            current = m.group(1)
            parts[current] = [m.group(2)] if m.group(2) else []
            continue
        if current is not None:
            parts[current].append(line)
    if "id" not in meta:
        raise KnowledgeError(f"{where}: a question needs an `id:` line")
    for needed in ("Question", "Ideal answer", "Probes"):
        if needed not in parts:
            raise KnowledgeError(f"{where}: missing **{needed}:**")
    probes = []
    for i, line in enumerate(x for x in parts["Probes"] if x.strip()):
        m = _PROBE.match(line)
        if not m:
            raise KnowledgeError(f"{where}: probe line {line.strip()!r} is not '- criterion: text'")
        try:
            crit = CriterionId(m.group(1))
        except ValueError:
            raise KnowledgeError(f"{where}: unknown criterion {m.group(1)!r} in a probe") from None
        probes.append(Probe(criterion=crit, text=m.group(2).strip(), id=f"{meta['id']}#p{i + 1}"))
    archetypes = (_expand("archetypes", yaml.safe_load(meta["archetypes"]), where)
                  if "archetypes" in meta else file_tags["archetypes"])
    roles = (_expand("roles", yaml.safe_load(meta["roles"]), where)
             if "roles" in meta else file_tags["roles"])
    return Question(
        id=meta["id"], title=heading, text="\n".join(parts["Question"]).strip(),
        ideal="\n".join(parts["Ideal answer"]).strip(),
        difficulty=meta.get("difficulty", "medium"),
        roles=[Role(r) for r in roles], rounds=[RoundKind(r) for r in file_tags["rounds"]],
        archetypes=[Archetype(a) for a in archetypes], probes=probes, source=source)


@dataclass
class Corpus:
    chunks: list[Chunk] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)

    @property
    def digest(self) -> str:
        h = hashlib.sha256()
        for c in sorted(self.chunks, key=lambda c: c.id):
            h.update(f"{c.id}:{c.digest};".encode())
        return h.hexdigest()[:20]


def parse_corpus(root: Path = KNOWLEDGE_DIR) -> Corpus:
    """Every Markdown file under `root` (README excluded) as chunks and questions."""
    corpus = Corpus()
    seen: set[str] = set()
    for path in sorted(root.rglob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        source = path.relative_to(root).as_posix()
        try:
            post = frontmatter.loads(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, ValueError) as exc:
            raise KnowledgeError(f"{source}: bad front matter: {exc}") from None
        kind = str(post.metadata.get("kind", ""))
        if kind not in KINDS or kind == "probe":
            raise KnowledgeError(f"{source}: kind must be guidance, question or rubric, not {kind!r}")
        file_tags = {k: _expand(k, post.metadata.get(k), source) for k in _FIELDS}
        title, sections = _sections(post.content)
        if not sections:
            raise KnowledgeError(f"{source}: no `##` sections")
        for heading, text in sections:
            if kind == "question":
                q = _parse_question(heading, text, file_tags, source)
                if q.id in seen:
                    raise KnowledgeError(f"{source}: duplicate question id {q.id}")
                seen.add(q.id)
                corpus.questions.append(q)
                qtags = {**file_tags, "roles": [r.value for r in q.roles],
                         "archetypes": [a.value for a in q.archetypes]}
                corpus.chunks.append(Chunk(
                    id=q.id, kind="question", title=q.title, source=source, tags=qtags,
                    question_id=q.id, text=f"{q.title}\n{q.text}\nIdeal answer:\n{q.ideal}"))
                for p in q.probes:
                    corpus.chunks.append(Chunk(
                        id=p.id, kind="probe", title=f"{q.title}: {p.criterion.value} probe",
                        source=source, tags={**qtags, "criteria": [p.criterion.value]},
                        question_id=q.id, criterion=p.criterion, text=p.text))
            else:
                over, body = _overrides(text, f"{source} ## {heading}")
                cid = f"{source.removesuffix('.md')}#{_slug(heading)}"
                if cid in seen:
                    raise KnowledgeError(f"{source}: two sections are both headed {heading!r}")
                seen.add(cid)
                corpus.chunks.append(Chunk(
                    id=cid, kind=kind, title=f"{title}: {heading}" if title else heading,
                    source=source, tags={**file_tags, **over},
                    text=f"{title}: {heading}\n{body}" if title else f"{heading}\n{body}"))
    return corpus


@cache
def load_corpus(root: Path = KNOWLEDGE_DIR) -> Corpus:
    return parse_corpus(root)


def questions_for(role: Role, round_kind: RoundKind, archetype: Archetype | None = None,
                  root: Path = KNOWLEDGE_DIR) -> list[Question]:
    """The bank for role x round (archetype-specific questions only for their archetype)."""
    return [q for q in load_corpus(root).questions
            if role in q.roles and round_kind in q.rounds
            and (archetype is None or archetype in q.archetypes)]


# ---------------------------------------------------------------- the store


@dataclass
class BuildReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    seconds: float = 0.0

    def __str__(self) -> str:
        return (f"knowledge store: {self.added} added, {self.updated} updated, "
                f"{self.removed} removed, {self.unchanged} unchanged in {self.seconds:.1f} s")


def _embedding_function() -> Any:
    from chromadb.utils.embedding_functions import register_embedding_function

    from agent.embedding import MODEL_NAME, embed

    @register_embedding_function
    class MiniLMEmbedding:  # implements chromadb's EmbeddingFunction protocol
        def __init__(self) -> None:
            pass

        def __call__(self, input: list[str]) -> list[Any]:
            return list(embed(list(input)))

        def embed_query(self, input: list[str]) -> list[Any]:
            return self(input)

        @staticmethod
        def name() -> str:
            return "mockloop_" + MODEL_NAME.lower().replace("-", "_")

        def get_config(self) -> dict[str, Any]:
            return {}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> MiniLMEmbedding:
            return MiniLMEmbedding()

        def is_legacy(self) -> bool:
            return False

        def default_space(self) -> str:
            return "cosine"

        def supported_spaces(self) -> list[str]:
            return ["cosine"]

        @staticmethod
        def validate_config(config: dict[str, Any]) -> None:
            return None

        def validate_config_update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
            return None

    return MiniLMEmbedding()


_EF: Any = None


def embedding_function() -> Any:
    global _EF
    if _EF is None:
        _EF = _embedding_function()
    return _EF


class KnowledgeStore:
    """The Chroma collection under `<data dir>/chroma`."""

    def __init__(self, settings: Settings | None = None, root: Path = KNOWLEDGE_DIR) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        self.settings = settings or get_settings()
        self.root = root
        self.settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        self.client = chromadb.PersistentClient(
            path=str(self.settings.chroma_dir),
            settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False))
        self.collection = self.client.get_or_create_collection(
            COLLECTION, embedding_function=embedding_function(),
            metadata={"hnsw:space": "cosine"})
        self._answers: dict[tuple[Any, ...], tuple[Guidance, ...]] = {}
        self._answers_lock = threading.Lock()

    def stored_digest(self) -> str | None:
        return (self.collection.metadata or {}).get("corpus_digest")

    def is_stale(self) -> bool:
        return self.stored_digest() != load_corpus(self.root).digest

    def build(self, threads: int | None = None) -> BuildReport:
        """Add, update and remove chunks so the store matches the corpus; idempotent.
        `threads` caps the embedding's cores (the app builds on one, leaving one to serve)."""
        start = time.perf_counter()
        with self._answers_lock:
            self._answers.clear()
        corpus = parse_corpus(self.root)
        report = BuildReport()
        existing = self.collection.get(include=["metadatas"])
        stored = {i: (m or {}).get("hash") for i, m in
                  zip(existing["ids"], existing["metadatas"] or [], strict=False)}
        wanted = {c.id: c for c in corpus.chunks}
        stale = [i for i in stored if i not in wanted]
        todo = [c for c in corpus.chunks if stored.get(c.id) != c.digest]
        report.removed = len(stale)
        report.added = sum(1 for c in todo if c.id not in stored)
        report.updated = len(todo) - report.added
        report.unchanged = len(wanted) - len(todo)
        if stale:
            self.collection.delete(ids=stale)
        # one embedding pass over everything new, so texts of similar length batch together
        from agent.embedding import embed

        vectors = embed([c.text for c in todo], threads) if todo else []
        for i in range(0, len(todo), 256):
            batch = todo[i:i + 256]
            self.collection.upsert(ids=[c.id for c in batch], documents=[c.text for c in batch],
                                   embeddings=vectors[i:i + 256],
                                   metadatas=[c.metadata() for c in batch])
        meta = {k: v for k, v in (self.collection.metadata or {}).items()
                if not k.startswith("hnsw:")}
        meta["corpus_digest"] = corpus.digest
        self.collection.modify(metadata=meta)
        report.seconds = time.perf_counter() - start
        return report

    def ensure_built(self, threads: int | None = None) -> BuildReport | None:
        """Build if missing or stale (the app calls this at start-up)."""
        return self.build(threads) if self.is_stale() else None

    def count(self) -> int:
        return self.collection.count()

    def guidance_for(self, *, role: Role | None = None, archetype: Archetype | None = None,
                     round_kind: RoundKind | None = None, stage: Stage | None = None,
                     query: str = "", kinds: tuple[str, ...] | None = None,
                     criterion: CriterionId | None = None, k: int = 5) -> list[Guidance]:
        """The k chunks nearest `query` among those tagged for these filters. Answers are
        remembered until the next build: the interviewer asks the same thing every turn of a
        round, and a query costs ~40 ms (embedding plus filtered search)."""
        key = (role, archetype, round_kind, stage, query, kinds, criterion, k)
        with self._answers_lock:  # the app's worker threads share the store
            hit = self._answers.get(key)
        if hit is not None:
            return list(hit)
        out = self._query(role, archetype, round_kind, stage, query, kinds, criterion, k)
        with self._answers_lock:
            if len(self._answers) >= 512:
                self._answers.pop(next(iter(self._answers)))
            self._answers[key] = tuple(out)
        return out

    def _query(self, role: Role | None, archetype: Archetype | None, round_kind: RoundKind | None,
               stage: Stage | None, query: str, kinds: tuple[str, ...] | None,
               criterion: CriterionId | None, k: int) -> list[Guidance]:
        where: list[dict[str, Any]] = []
        for prefix, value in (("role", role), ("arch", archetype), ("round", round_kind),
                              ("stage", stage), ("crit", criterion)):
            if value is not None:
                where.append({f"{prefix}_{value.value}": True})
        if kinds:
            where.append({"kind": {"$in": list(kinds)}} if len(kinds) > 1 else {"kind": kinds[0]})
        filt: dict[str, Any] | None = (
            None if not where else where[0] if len(where) == 1 else {"$and": where})
        text = query.strip() or " ".join(
            x.label for x in (round_kind, role, archetype, stage) if x is not None) or "interview"
        res = self.collection.query(query_texts=[text], n_results=k, where=filt,
                                    include=["documents", "metadatas", "distances"])
        out = []
        for cid, doc, meta, dist in zip(res["ids"][0], res["documents"][0], res["metadatas"][0],
                                        res["distances"][0], strict=True):
            out.append(Guidance(id=cid, kind=meta["kind"], title=meta["title"], text=doc,
                                source=meta["source"], distance=float(dist),
                                question_id=meta.get("question_id"),
                                criterion=meta.get("criterion")))
        return out


_STORES: dict[str, KnowledgeStore] = {}
_BUILD_LOCK = threading.Lock()


def get_store(settings: Settings | None = None, threads: int | None = None) -> KnowledgeStore:
    """One store per data dir per process, built on first use if missing or stale."""
    settings = settings or get_settings()
    key = str(settings.chroma_dir)
    with _BUILD_LOCK:  # two first users must not build twice
        if key not in _STORES:
            store = KnowledgeStore(settings)
            report = store.ensure_built(threads)
            if report is not None:
                log.info("%s", report)
            _STORES[key] = store
    return _STORES[key]


def store_if_ready(settings: Settings | None = None) -> KnowledgeStore | None:
    """The store if it has been opened and built in this process, else None (never blocks)."""
    settings = settings or get_settings()
    return _STORES.get(str(settings.chroma_dir))


def warm_in_background(settings: Settings | None = None, delay_s: float = 0.0) -> threading.Thread:
    """Open (and if needed build) the store without delaying start-up: after `delay_s`
    (so a first visitor is not served beside the Chroma import), on one core (the other
    serves requests)."""
    def warm() -> None:
        time.sleep(delay_s)
        get_store(settings, 1)

    thread = threading.Thread(target=warm, daemon=True, name="knowledge-build")
    thread.start()
    return thread
