"""Crash recovery: 20 SIGKILLs at random points of real interview subprocesses.

A driver process answers questions in a loop and prints ACK after each answer the
session accepted; the test kills it at a random moment, then checks in a fresh process
that every acknowledged answer is in the checkpointed state and a question is pending.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

DRIVER = """
import sys
from agent.interview import InterviewConfig
from agent.models import Archetype, Role, RoundKind
from agent.session import InterviewSession
s = InterviewSession("crashy")
if not s.exists():
    s.start(InterviewConfig(role=Role.BACKEND, archetype=Archetype.FAANG,
                            rounds=[RoundKind.CODING, RoundKind.SYSTEM_DESIGN,
                                    RoundKind.BEHAVIORAL, RoundKind.CODING, RoundKind.SQL,
                                    RoundKind.ML, RoundKind.INFRA] * 3,
                            turn_budget={k: 3 for k in RoundKind}))
print("READY", flush=True)
i = int(sys.argv[1])
while not s.prompt().finished:
    p = s.prompt()
    text = f"answer {i}: I would sort first, O(n log n), then test empty input." if p.kind == "answer" else f"post-mortem {i}: I rushed; next time I'll test nulls first."
    s.answer(text)
    print("ACK", text, flush=True)
    i += 1
"""


def _candidate_texts(data_dir) -> tuple[list[str], bool]:
    code = ("from agent.session import InterviewSession\n"
            "p = InterviewSession('crashy').prompt()\n"
            "import json\n"
            "print(json.dumps({'finished': p.finished, 'pending': p.text is not None, 'texts': "
            "[t.text for r in p.rounds for t in r.turns if t.speaker.value == 'candidate']}))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "MOCKLOOP_DATA_DIR": str(data_dir)}, timeout=120)
    assert out.returncode == 0, out.stderr
    import json

    d = json.loads(out.stdout.strip().splitlines()[-1])
    assert d["finished"] or d["pending"], "resumed state has no pending question"
    return d["texts"], d["finished"]


def test_twenty_kills_lose_no_acknowledged_turn(tmp_path):
    rng = random.Random(7)
    env = {**os.environ, "MOCKLOOP_DATA_DIR": str(tmp_path)}
    acked: list[str] = []
    counter = 0
    for _ in range(20):
        proc = subprocess.Popen([sys.executable, "-c", DRIVER, str(counter)], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().startswith("READY")
        for _ in range(rng.randint(0, 6)):  # let it acknowledge a few answers, then kill
            line = proc.stdout.readline()
            if not line.startswith("ACK"):
                break
            acked.append(line[4:].strip())
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        texts, finished = _candidate_texts(tmp_path)
        missing = [a for a in acked if a not in texts]
        assert not missing, f"lost acknowledged turns: {missing[:3]}"
        counter = len(texts) + 1000 * (_ + 1)  # fresh texts each run
        if finished:
            break
    assert len(acked) >= 20
