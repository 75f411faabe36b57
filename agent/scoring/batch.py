"""Batch scoring: many files, bounded concurrency for model-backed scorers, a progress bar.

A file that cannot be read or scored yields its MockloopError, so one bad file never
stops the batch and never turns into a silent number.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

from tqdm import tqdm

from agent.config import Settings
from agent.errors import MockloopError
from agent.models import Scorecard
from agent.scoring import Scorer
from agent.transcripts import load_transcript

Result = Scorecard | MockloopError


def _score_one(path: Path, scorer: Scorer, settings: Settings) -> Result:
    try:
        return scorer.score(load_transcript(path, settings.max_transcript_bytes))
    except MockloopError as exc:
        return exc


async def _ascore_all(files: list[Path], scorer: Scorer, settings: Settings,
                      concurrency: int, bar: tqdm) -> list[Result]:
    sem = asyncio.Semaphore(concurrency)

    async def one(path: Path) -> Result:
        async with sem:
            try:
                transcript = load_transcript(path, settings.max_transcript_bytes)
                return await scorer.ascore(transcript)  # type: ignore[attr-defined]
            except MockloopError as exc:
                return exc
            finally:
                bar.update(1)

    return await asyncio.gather(*(one(p) for p in files))


def score_files(files: list[Path], scorer: Scorer, *, settings: Settings, concurrency: int = 4,
                progress: bool = False) -> Iterator[tuple[Path, Result]]:
    """(path, scorecard or error) for each file, in the order given."""
    bar = tqdm(total=len(files), disable=not progress, unit="transcript", leave=False)
    try:
        if hasattr(scorer, "ascore") and len(files) > 1 and concurrency > 1:
            results = asyncio.run(_ascore_all(files, scorer, settings, concurrency, bar))
            yield from zip(files, results, strict=True)
            return
        for path in files:
            result = _score_one(path, scorer, settings)
            bar.update(1)
            yield path, result
    finally:
        bar.close()
