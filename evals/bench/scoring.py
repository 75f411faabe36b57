"""Scoring benchmarks: analytic throughput, batch LLM scoring concurrency, tokens per transcript.

- analytic: transcripts/s on one core over the eval set (tests/data fallback).
- batch LLM: `score_files` with concurrency C in {1, 4, 16} against the loopback stub with
  fixed latency L; throughput as a share of the limit C/L.
- tokens: our one structured call per transcript vs a per-criterion baseline (six calls,
  each with one criterion's rubric and the whole transcript), both counted by the stub.
Run: .venv/bin/python -m evals.bench.scoring [--latency 0.5] [--n 32]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def analytic_throughput(rounds: int = 3) -> tuple[int, float]:
    from agent.scoring.analytic import AnalyticScorer
    from agent.transcripts import load_transcript
    from evals.dataset import DATA_DIR

    paths = sorted((DATA_DIR / "transcripts").glob("*.md")) or [
        ROOT / "tests" / "data" / "sample_backend_coding.md"]
    transcripts = [load_transcript(p) for p in paths]
    from agent.signals import segment

    scorer = AnalyticScorer()
    scorer.score(transcripts[0])  # warm-up: segmenter and regexes
    elapsed = 0.0
    for _ in range(rounds):
        segment.cache_clear()  # cold: no sentence spans remembered from the last round
        t0 = time.perf_counter()
        for t in transcripts:
            scorer.score(t)
        elapsed += time.perf_counter() - t0
    return len(transcripts), rounds * len(transcripts) / elapsed


def _card_reply(body: dict) -> str:
    from tests.scoring_scenarios import card

    wanted = body["messages"][0]["content"]
    full = json.loads(card())
    keep = [s for s in full["scores"] if f"`{s['criterion']}`" in wanted]
    return json.dumps({"scores": keep})


def batch_llm(latency: float, waves: int) -> list[tuple[int, float, float]]:
    """Each C scores `waves` x C transcripts, so start-up cost is amortised alike."""
    from agent.config import Settings
    from agent.scoring.batch import score_files
    from agent.scoring.llm import LLMScorer
    from evals.stub_server import StubServer

    folder = Path(tempfile.mkdtemp(prefix="mockloop-batch-"))
    sample = ROOT / "tests" / "data" / "sample_backend_coding.md"
    all_files = []
    for i in range(waves * 16):
        all_files.append(folder / f"t{i:03d}.md")
        shutil.copy(sample, all_files[-1])
    rows = []
    with StubServer(_card_reply, latency_s=latency) as server:
        settings = Settings(api_base=server.base_url, api_key="sk-local", max_retries=0,
                            timeout_s=30, max_transcript_bytes=1_000_000)
        warm = LLMScorer("openai/stub", settings, guidance=lambda t: [])
        list(score_files(all_files[:2], warm, settings=settings, concurrency=2))  # imports
        for c in (1, 4, 16):
            files = all_files[:waves * c]
            n = len(files)
            scorer = LLMScorer("openai/stub", settings, guidance=lambda t: [])
            t0 = time.perf_counter()
            results = list(score_files(files, scorer, settings=settings, concurrency=c))
            dt = time.perf_counter() - t0
            assert all(not isinstance(r, Exception) and r.total == 12 for _, r in results)
            rate = n / dt
            rows.append((c, rate, rate / (c / latency)))
    return rows


def tokens_per_transcript() -> tuple[int, int]:
    from agent.config import Settings
    from agent.models import CriterionId
    from agent.rubric import CRITERIA
    from agent.scoring import llm as llm_scoring
    from agent.transcripts import load_transcript
    from evals.stub_server import StubServer

    t = load_transcript(ROOT / "tests" / "data" / "sample_backend_coding.md")
    with StubServer(_card_reply) as server:
        settings = Settings(api_base=server.base_url, api_key="sk-local", max_retries=0)
        scorer = llm_scoring.LLMScorer("openai/stub", settings, guidance=lambda t: [])
        scorer.score(t)
        ours = scorer.usage.total_tokens
        # baseline: six calls, one criterion each, the same template and transcript
        from agent import llm

        base = llm.Usage()
        original = dict(CRITERIA)
        try:
            for cid in CriterionId:
                CRITERIA.clear()
                CRITERIA[cid] = original[cid]
                msgs = llm_scoring.build_messages(t, [])
                reply = llm.complete(msgs, model="openai/stub", settings=settings)
                base.add(reply.usage)
        finally:
            CRITERIA.clear()
            CRITERIA.update(original)
    return ours, base.total_tokens


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--latency", type=float, nargs="+", default=[0.5, 1.5])
    ap.add_argument("--waves", type=int, default=6)
    args = ap.parse_args()
    os.environ.setdefault("MOCKLOOP_DATA_DIR", tempfile.mkdtemp(prefix="mockloop-bench-"))
    n, rate = analytic_throughput()
    print(f"| analytic scorer | {n} transcripts | {rate:.0f} transcripts/s on one core |")
    print("\n| latency L | concurrency C | transcripts/s | share of the limit C/L |\n|---|---|---|---|")
    for latency in args.latency:
        for c, r, share in batch_llm(latency, args.waves):
            print(f"| {latency} s | {c} | {r:.2f} | {share:.0%} |")
    ours, base = tokens_per_transcript()
    print(f"\n| tokens per transcript | one call: {ours} | six calls: {base} | ratio {ours / base:.2f} |")


if __name__ == "__main__":
    main()
