"""The socket guard allows loopback only; with it on, the app, the knowledge build and
scoring make no outside connection with the default settings."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading

import pytest

from tests.conftest import DATA, ROOT
from tests.netguard import NetworkBlocked


def test_outside_address_is_blocked_before_any_packet():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        # TEST-NET-1 (RFC 5737): the guard raises before connect() reaches the kernel
        with pytest.raises(NetworkBlocked, match="only loopback"):
            s.connect(("192.0.2.1", 443))
    finally:
        s.close()
    with pytest.raises(NetworkBlocked):
        socket.getaddrinfo("example.invalid", 443)


def test_loopback_is_allowed():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    t = threading.Thread(target=lambda: server.accept()[0].close())
    t.start()
    client = socket.create_connection(("127.0.0.1", port), timeout=2)
    client.close()
    t.join(2)
    server.close()


GUARDED_RUN = """
from tests import netguard
netguard.install()
import json
from typer.testing import CliRunner
from agent.cli import app
r = CliRunner()
out = r.invoke(app, ["knowledge", "build"]); assert out.exit_code == 0, out.output
out = r.invoke(app, ["score", {sample!r}, "--json"]); assert out.exit_code == 0, out.output
from ui.app import demo
import socket
with socket.socket() as sock:
    sock.bind(("127.0.0.1", 0)); port = sock.getsockname()[1]
demo.queue().launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True)
import httpx
assert httpx.get(demo.local_url, timeout=10).status_code == 200
from ui import app as ui_app
*_, sid = ui_app.start_interview("", "Backend", "FAANG/high-growth", "coding", ui_app.STAGES, "offline")
list(ui_app.answer(sid, "Is the input sorted?"))
demo.close()
print("GUARDED-OK")
"""


@pytest.mark.slow
def test_app_build_and_scoring_make_no_outside_connection(tmp_path):
    log = tmp_path / "attempts.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOCKLOOP_", "GRADIO_", "HF_"))}
    env.update({"MOCKLOOP_DATA_DIR": str(tmp_path / "data"), "MOCKLOOP_NETGUARD_LOG": str(log)})
    code = GUARDED_RUN.format(sample=str(DATA / "sample_backend_coding.md"))
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=300)
    assert "GUARDED-OK" in out.stdout, out.stderr[-3000:]
    attempts = log.read_text() if log.exists() else ""
    assert attempts == "", f"outside connections attempted:\n{attempts}"
