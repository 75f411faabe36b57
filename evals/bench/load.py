"""Load: N concurrent interview sessions through the real running app with gradio_client.

Starts `mockloop serve` in a subprocess on loopback, drives N sessions in threads (each
answer tagged with its session's own token), and reports errors, sessions whose state
shows another session's token, turn-time p50/p95, and the server's peak memory (VmHWM).
Run: .venv/bin/python -m evals.bench.load [--sessions 50] [--turns 4]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data_dir: Path, **extra_env: str) -> tuple[subprocess.Popen, str, float]:
    """`mockloop serve` on a free loopback port; returns (process, url, seconds to ready)."""
    port = free_port()
    env = {**os.environ, "MOCKLOOP_DATA_DIR": str(data_dir), "MOCKLOOP_PORT": str(port),
           "GRADIO_ANALYTICS_ENABLED": "False", **extra_env}
    env.pop("MOCKLOOP_KNOWLEDGE_DIR", None)
    t0 = time.perf_counter()
    log = open(data_dir / "server.log", "w")  # noqa: SIM115 - the process owns it
    proc = subprocess.Popen([sys.executable, "-m", "agent.cli", "serve"], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    while True:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise RuntimeError("the app exited during start-up:\n"
                               + (data_dir / "server.log").read_text()[-3000:])
        if time.perf_counter() - t0 > 180:
            raise RuntimeError("the app did not start in 180 s")
        time.sleep(0.1)
    return proc, url, time.perf_counter() - t0


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run(sessions: int = 50, turns: int = 4, workers: int | None = None,
        prebuilt: bool = False) -> dict[str, Any]:
    """`prebuilt`: build the knowledge store first (steady state); otherwise a first start,
    where the app builds it in the background while serving."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from gradio_client import Client

    data = Path(tempfile.mkdtemp(prefix="mockloop-load-"))
    if prebuilt:
        env = {k: v for k, v in os.environ.items() if k != "MOCKLOOP_KNOWLEDGE_DIR"}
        subprocess.run([sys.executable, "-m", "agent.cli", "knowledge", "build"], cwd=ROOT,
                       env={**env, "MOCKLOOP_DATA_DIR": str(data)}, check=True,
                       capture_output=True)
    proc, url, ready_s = start_server(data)
    times: list[float] = []
    errors: list[str] = []
    crossed: list[str] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        token = f"tok{i:03d}x"
        try:
            # a browser waits for a slow page; gradio_client's 5 s default on its config
            # fetch would count queueing on 2 cores as an error (latency is reported instead)
            client = Client(url, verbose=False, httpx_kwargs={"timeout": 60})
            out = client.predict("", "Backend", "FAANG/high-growth", "coding", [], "offline",
                                 api_name="/start")
            sid = out[-1]
            for k in range(turns):
                t0 = time.perf_counter()
                res = client.predict(sid, f"{token} answer {k}: I'd sort, O(n log n), test empty input.",
                                     api_name="/answer")
                with lock:
                    times.append(time.perf_counter() - t0)
            text = " ".join(str(m.get("content", "")) for m in res[0])
            others = {w for w in text.split() if w.startswith("tok") and w.endswith("x")} - {token}
            if others:
                with lock:
                    crossed.append(f"{token} saw {sorted(others)[:3]}")
        except Exception as exc:  # counted and reported, never hidden
            with lock:
                errors.append(f"{token}: {type(exc).__name__}: {exc}")

    t0 = time.perf_counter()
    try:
        with ThreadPoolExecutor(max_workers=workers or sessions) as pool:
            list(pool.map(one, range(sessions)))
        wall = time.perf_counter() - t0
        rss = peak_rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(20)
    q = statistics.quantiles(times, n=100) if len(times) > 1 else [0.0] * 99
    return {"sessions": sessions, "turns": len(times), "errors": errors, "crossed": crossed,
            "p50_ms": q[49] * 1000, "p95_ms": q[94] * 1000, "wall_s": wall,
            "ready_s": ready_s, "peak_rss_mb": rss}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=50)
    ap.add_argument("--turns", type=int, default=4)
    args = ap.parse_args()
    print("| store | sessions | turns | errors | crossed | p50 ms | p95 ms | wall s | app ready s "
          "| peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for prebuilt in (True, False):
        r = run(args.sessions, args.turns, prebuilt=prebuilt)
        print(f"| {'built' if prebuilt else 'building (first start)'} | {r['sessions']} | "
              f"{r['turns']} | {len(r['errors'])} | {len(r['crossed'])} | {r['p50_ms']:.0f} | "
              f"{r['p95_ms']:.0f} | {r['wall_s']:.1f} | {r['ready_s']:.1f} | "
              f"{r['peak_rss_mb']:.0f} |")
        for e in r["errors"][:5]:
            print("error:", e)


if __name__ == "__main__":
    main()
