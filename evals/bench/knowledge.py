"""Knowledge store benchmark: full build, no-op rebuild, and query latency p50/p95
(including the query embedding). Run: .venv/bin/python -m evals.bench.knowledge"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from agent.config import Settings
from agent.knowledge import KnowledgeStore
from agent.models import Archetype, Role, RoundKind


def main(queries: int = 200) -> None:
    s = Settings(data_dir=Path(tempfile.mkdtemp(prefix="mockloop-kb-")))
    store = KnowledgeStore(s)
    t0 = time.perf_counter()
    first = store.build()
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    store.build()
    rebuild = time.perf_counter() - t0
    texts = ["what breaks a rate limiter under burst traffic", "how to clarify scale in system design",
             "training serving skew", "late arriving data in a pipeline", "incident rollback or fix forward",
             "conflict with a manager story", "window function deduplication", "p99 latency after deploy"]
    roles, rounds = list(Role), [RoundKind.CODING, RoundKind.SYSTEM_DESIGN, RoundKind.BEHAVIORAL]
    times = []
    for i in range(queries):
        t0 = time.perf_counter()
        store.guidance_for(role=roles[i % 5], archetype=list(Archetype)[i % 3],
                           round_kind=rounds[i % 3], query=texts[i % len(texts)], k=5)
        times.append(time.perf_counter() - t0)
    q = statistics.quantiles(times, n=100)
    print("| chunks | full build s | no-op rebuild s | query p50 ms | query p95 ms |")
    print("|---|---|---|---|---|")
    print(f"| {store.count()} | {build:.1f} | {rebuild:.2f} | {q[49] * 1000:.1f} | {q[94] * 1000:.1f} |")
    del first


if __name__ == "__main__":
    main()
