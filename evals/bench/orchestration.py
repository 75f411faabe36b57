"""Benchmark: orchestration time per interview turn with an instant model.

Measures graph step + signal detectors + retrieval + prompt render + SQLite checkpoint
write, per candidate answer, for the offline engine and for the LLM engine with the
instant scripted model. Prints p50/p95 and the share of a 1.5 s model call.
Run: .venv/bin/python -m evals.bench.orchestration [--sessions 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path


def run(sessions: int, engine: str) -> list[float]:
    from agent.config import get_settings
    from agent.interview import InterviewConfig
    from agent.llm import SCRIPTED
    from agent.models import Archetype, Role, RoundKind
    from agent.session import InterviewSession

    SCRIPTED.responder = lambda messages: "Thanks. What would break this approach?"
    answers = ["Can I ask how large the input is and whether it is sorted?",
               "I'd sort and sweep; O(n log n). A hash map is O(n) but uses more memory.",
               "Walking through [3,1,2] gives [1,2,3], which is correct.",
               "Empty input returns early; I'd test duplicates and nulls too.",
               "To summarize: sort, sweep, test. Does that make sense?",
               "Nothing to add."]
    times: list[float] = []
    settings = get_settings()
    roles = list(Role)
    for i in range(sessions):
        sess = InterviewSession(settings=settings)
        p = sess.start(InterviewConfig(role=roles[i % len(roles)], archetype=Archetype.FAANG,
                                       rounds=[RoundKind.CODING], engine=engine))
        j = 0
        while not p.finished:
            text = answers[j % len(answers)] if p.kind == "answer" else "Went well: clarified. Next time test nulls first."
            j += 1
            t0 = time.perf_counter()
            p = sess.answer(text)
            times.append(time.perf_counter() - t0)
    return times


def pct(xs: list[float], q: float) -> float:
    return statistics.quantiles(xs, n=100)[int(q) - 1] if len(xs) > 1 else xs[0]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=20)
    args = ap.parse_args()
    os.environ.setdefault("MOCKLOOP_DATA_DIR", tempfile.mkdtemp(prefix="mockloop-bench-"))
    from agent.config import get_settings
    from agent.knowledge import get_store

    t0 = time.perf_counter()
    get_store(get_settings())
    build = time.perf_counter() - t0
    print(f"knowledge store ready in {build:.1f} s (data dir {Path(os.environ['MOCKLOOP_DATA_DIR'])})")
    print("| engine | turns | p50 ms | p95 ms | p95 as share of a 1.5 s model call |")
    print("|---|---|---|---|---|")
    for engine in ("offline", "scripted"):
        run(1, engine)  # warm-up: imports, first checkpoint
        xs = run(args.sessions, engine)
        p50, p95 = pct(xs, 50) * 1000, pct(xs, 95) * 1000
        print(f"| {engine} | {len(xs)} | {p50:.1f} | {p95:.1f} | {p95 / 1500:.2%} |")


if __name__ == "__main__":
    main()
