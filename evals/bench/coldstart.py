"""Cold start: process start to app ready, and to the first interviewer question.

Twice: a first start on an empty data dir (the knowledge store builds in the background)
and a second start on the same dir. Run: .venv/bin/python -m evals.bench.coldstart
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from evals.bench.load import start_server


def once(data: Path) -> tuple[float, float]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from gradio_client import Client

    t0 = time.perf_counter()
    proc, url, ready = start_server(data)
    try:
        out = Client(url, verbose=False).predict("", "Backend", "FAANG/high-growth", "coding", [],
                                                 "offline", api_name="/start")
        assert out[0][-1]["role"] == "assistant"
        first_question = time.perf_counter() - t0
    finally:
        proc.terminate()
        proc.wait(20)
    return ready, first_question


def main() -> None:
    data = Path(tempfile.mkdtemp(prefix="mockloop-cold-"))
    print("| start | to app ready s | to first question s |\n|---|---|---|")
    for label in ("first (empty data dir)", "second (store built)"):
        ready, first = once(data)
        print(f"| {label} | {ready:.1f} | {first:.1f} |")


if __name__ == "__main__":
    main()
