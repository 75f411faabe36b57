"""Persistence of sessions, scorecards, coach reviews and the audit log (SQLite).

One module owns the schema; migrations are numbered and tracked in `PRAGMA user_version`.
The LangGraph checkpoints live beside it in the same data dir (checkpoints.sqlite).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from agent.config import Settings, get_settings
from agent.errors import MockloopError
from agent.models import CriterionId, Scorecard, Transcript

MIGRATIONS: list[str] = [
    # 1: the first schema
    """
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY, candidate TEXT NOT NULL DEFAULT '', role TEXT, archetype TEXT,
        created_at REAL NOT NULL, updated_at REAL NOT NULL, status TEXT NOT NULL DEFAULT 'open');
    CREATE TABLE scorecards (
        id INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT NOT NULL, session_id TEXT,
        candidate TEXT NOT NULL DEFAULT '', file TEXT, created_at REAL NOT NULL,
        card_json TEXT NOT NULL, transcript_json TEXT NOT NULL);
    CREATE TABLE reviews (
        id INTEGER PRIMARY KEY AUTOINCREMENT, scorecard_id INTEGER NOT NULL REFERENCES scorecards(id),
        criterion TEXT NOT NULL, ai_score INTEGER, coach_score INTEGER NOT NULL,
        decision TEXT NOT NULL, reason TEXT NOT NULL, coach TEXT NOT NULL, created_at REAL NOT NULL);
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, who TEXT NOT NULL,
        action TEXT NOT NULL, scorecard_id INTEGER, criterion TEXT, before TEXT, after TEXT,
        why TEXT NOT NULL DEFAULT '');
    CREATE INDEX reviews_by_card ON reviews(scorecard_id, criterion);
    CREATE INDEX scorecards_by_candidate ON scorecards(candidate, created_at);
    """,
]


class ReviewError(MockloopError):
    pass


_MIGRATED: set[str] = set()


def _enable_wal(conn: sqlite3.Connection, tries: int = 100) -> None:
    """Switch the file to WAL. The switch takes an exclusive lock without waiting on the busy
    timeout, so two first starts racing (the load test found them) retry briefly."""
    for attempt in range(tries):
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == tries - 1:
                raise
            time.sleep(0.05)


class Store:
    def __init__(self, settings: Settings | None = None, path: Path | None = None) -> None:
        self.path = path or (settings or get_settings()).db_path
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fresh = not self.path.exists()  # e.g. the data dir was removed while the app ran
        self.conn = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30)
        self.conn.row_factory = sqlite3.Row
        _enable_wal(self.conn)
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.lock = threading.Lock()
        # once per file per process: every request opens a Store, and a migration check
        # takes the write lock (BEGIN IMMEDIATE), which serialised requests under load
        key = str(self.path.resolve())
        if fresh or key not in _MIGRATED:
            self.migrate()
            _MIGRATED.add(key)

    def migrate(self) -> int:
        """Apply pending migrations. BEGIN IMMEDIATE serialises migrators across threads and
        processes, and the version is read inside that transaction, so two first starts
        never create the same table twice."""
        conn = sqlite3.connect(str(self.path), isolation_level=None, timeout=30)
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                for i, sql in enumerate(MIGRATIONS[version:], start=version + 1):
                    for statement in sql.split(";"):
                        if statement.strip():
                            conn.execute(statement)
                    conn.execute(f"PRAGMA user_version = {i}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            return conn.execute("PRAGMA user_version").fetchone()[0]
        finally:
            conn.close()

    # ------------------------------------------------------------ sessions

    def upsert_session(self, session_id: str, *, candidate: str = "", role: str | None = None,
                       archetype: str | None = None, status: str = "open") -> None:
        now = time.time()
        with self.lock, self.conn:
            self.conn.execute(
                "INSERT INTO sessions(id, candidate, role, archetype, created_at, updated_at, status)"
                " VALUES (?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET updated_at=excluded.updated_at,"
                " status=excluded.status", (session_id, candidate, role, archetype, now, now, status))

    def sessions(self, limit: int = 50) -> list[dict[str, Any]]:
        rows = self.conn.execute("SELECT * FROM sessions ORDER BY updated_at DESC LIMIT ?", (limit,))
        return [dict(r) for r in rows]

    # ------------------------------------------------------------ scorecards

    def save_scorecard(self, card: Scorecard, transcript: Transcript, *, source: str,
                       candidate: str = "", session_id: str | None = None) -> int:
        with self.lock, self.conn:
            cur = self.conn.execute(
                "INSERT INTO scorecards(source, session_id, candidate, file, created_at, card_json,"
                " transcript_json) VALUES (?,?,?,?,?,?,?)",
                (source, session_id, candidate, card.file, time.time(), card.model_dump_json(),
                 transcript.model_dump_json()))
            card_id = int(cur.lastrowid or 0)
            self._audit("system", "scorecard_added", card_id, None, None, str(card.total), source)
        return card_id

    def scorecard(self, card_id: int) -> tuple[Scorecard, Transcript]:
        row = self.conn.execute("SELECT * FROM scorecards WHERE id=?", (card_id,)).fetchone()
        if row is None:
            raise ReviewError(f"no scorecard {card_id}")
        return (Scorecard.model_validate_json(row["card_json"]),
                Transcript.model_validate_json(row["transcript_json"]))

    def queue(self, limit: int = 100) -> list[dict[str, Any]]:
        """Scorecards with how many criteria a coach has reviewed, least reviewed first."""
        rows = self.conn.execute(
            "SELECT s.id, s.source, s.candidate, s.file, s.created_at, s.card_json,"
            " COUNT(DISTINCT r.criterion) AS reviewed FROM scorecards s"
            " LEFT JOIN reviews r ON r.scorecard_id = s.id GROUP BY s.id"
            " ORDER BY reviewed ASC, s.created_at DESC LIMIT ?", (limit,))
        out = []
        for r in rows:
            card = json.loads(r["card_json"])
            out.append({"id": r["id"], "source": r["source"], "candidate": r["candidate"],
                        "file": r["file"], "created_at": r["created_at"],
                        "total": card.get("total"), "reviewed": r["reviewed"]})
        return out

    # ------------------------------------------------------------ reviews

    def review(self, card_id: int, criterion: CriterionId, coach_score: int, *, coach: str,
               reason: str = "") -> None:
        """Accept (same score) or override (different score, reason required)."""
        if coach_score not in (0, 1, 2):
            raise ReviewError("a coach score is 0, 1 or 2")
        card, _ = self.scorecard(card_id)
        ai = card.scores[criterion].score
        decision = "accept" if ai == coach_score else "override"
        reason = reason.strip()
        if decision == "override" and len(reason) < 3:
            raise ReviewError("an override needs a short reason")
        before = self.latest_review(card_id, criterion)
        with self.lock, self.conn:
            self.conn.execute(
                "INSERT INTO reviews(scorecard_id, criterion, ai_score, coach_score, decision, reason,"
                " coach, created_at) VALUES (?,?,?,?,?,?,?,?)",
                (card_id, criterion.value, ai, coach_score, decision, reason, coach, time.time()))
            self._audit(coach, decision, card_id, criterion.value,
                        str(before["coach_score"] if before else ai), str(coach_score), reason)

    def latest_review(self, card_id: int, criterion: CriterionId) -> dict[str, Any] | None:
        row = self.conn.execute(
            "SELECT * FROM reviews WHERE scorecard_id=? AND criterion=? ORDER BY id DESC LIMIT 1",
            (card_id, criterion.value)).fetchone()
        return dict(row) if row else None

    def latest_reviews(self) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT r.* FROM reviews r JOIN (SELECT MAX(id) AS id FROM reviews"
            " GROUP BY scorecard_id, criterion) m ON r.id = m.id")
        return [dict(r) for r in rows]

    def agreement(self) -> dict[str, dict[str, float | int]]:
        """AI vs coach per criterion over the latest review of each (scorecard, criterion)."""
        from evals.metrics import exact, qwk

        out: dict[str, dict[str, float | int]] = {}
        reviews = self.latest_reviews()
        for cid in CriterionId:
            pairs = [(r["coach_score"], r["ai_score"]) for r in reviews
                     if r["criterion"] == cid.value and r["ai_score"] is not None]
            gold, ai = [p[0] for p in pairs], [p[1] for p in pairs]
            out[cid.value] = {"n": len(pairs), "exact": exact(gold, ai), "qwk": qwk(gold, ai)}
        return out

    def audit_log(self, limit: int = 200) -> list[dict[str, Any]]:
        rows = self.conn.execute("SELECT * FROM audit ORDER BY id DESC LIMIT ?", (limit,))
        return [dict(r) for r in rows]

    def _audit(self, who: str, action: str, card_id: int | None, criterion: str | None,
               before: str | None, after: str | None, why: str) -> None:
        self.conn.execute("INSERT INTO audit(at, who, action, scorecard_id, criterion, before,"
                          " after, why) VALUES (?,?,?,?,?,?,?,?)",
                          (time.time(), who, action, card_id, criterion, before, after, why))

    # ------------------------------------------------------------ exports and progress

    def export_labels(self, folder: Path, split: str = "dev") -> list[str]:
        """Fully reviewed scorecards as eval data (transcripts/ and labels/), coach as labeller."""
        (folder / "transcripts").mkdir(parents=True, exist_ok=True)
        (folder / "labels").mkdir(parents=True, exist_ok=True)
        by_card: dict[int, dict[str, dict[str, Any]]] = {}
        for r in self.latest_reviews():
            by_card.setdefault(r["scorecard_id"], {})[r["criterion"]] = r
        written = []
        for card_id, reviews in sorted(by_card.items()):
            if len(reviews) < len(CriterionId):
                continue
            card, transcript = self.scorecard(card_id)
            item = f"coach{card_id:05d}"
            (folder / "transcripts" / f"{item}.md").write_text(transcript.render())
            scores = {}
            for cid in CriterionId:
                r = reviews[cid.value]
                ev = [{"turn": e.turn, "quote": e.quote} for e in card.scores[cid].verified_evidence]
                scores[cid.value] = {"score": r["coach_score"],
                                     "rationale": r["reason"] or card.scores[cid].rationale,
                                     "evidence": ev if r["coach_score"] > 0 else []}
            (folder / "labels" / f"{item}.json").write_text(json.dumps(
                {"id": item, "split": split, "labeller": f"coach:{reviews[CriterionId.REQUIREMENTS.value]['coach']}",
                 "tags": ["coach_review"], "scores": scores}, indent=2))
            written.append(item)
        return written

    def progress(self, candidate: str) -> list[dict[str, Any]]:
        rows = self.conn.execute("SELECT created_at, card_json FROM scorecards WHERE candidate=?"
                                 " ORDER BY created_at", (candidate,))
        out = []
        for r in rows:
            card = json.loads(r["card_json"])
            sc = Scorecard.model_validate(card)
            out.append({"at": r["created_at"], "total": sc.total, "below_bar": sc.below_bar,
                        "round": sc.round.value if sc.round else None,
                        **{c.value: sc.scores[c].score for c in CriterionId}})
        return out
