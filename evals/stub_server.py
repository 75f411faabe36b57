"""A small OpenAI-compatible chat-completions server on loopback, for tests and benchmarks.

It answers POST /v1/chat/completions with replies from a responder function, after an
optional fixed latency, and counts requests. Non-streaming only.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Server(ThreadingHTTPServer):
    # The stdlib default listen backlog is 5: with 16 clients connecting at once the rest
    # wait for SYN retransmits (1 s, 3 s), which the batch benchmark measured as our slowness.
    request_queue_size = 256


@dataclass
class Fault:
    """A failure the stub answers with instead of a completion."""

    status: int = 500
    body: str = '{"error": {"message": "injected failure"}}'
    headers: dict[str, str] = field(default_factory=dict)
    reset: bool = False  # drop the connection without answering
    delay_s: float = 0.0


Responder = Callable[[dict[str, Any]], "str | Fault"]


def completion(content: str, prompt_tokens: int = 800, completion_tokens: int = 250) -> dict:
    return {"id": "chatcmpl-stub", "object": "chat.completion", "created": int(time.time()),
            "model": "stub", "choices": [{"index": 0, "finish_reason": "stop",
                                          "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens}}


class StubServer:
    def __init__(self, responder: Responder, latency_s: float = 0.0) -> None:
        self.responder, self.latency_s = responder, latency_s
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))))
                with stub.lock:
                    stub.requests.append(body)
                if stub.latency_s:
                    time.sleep(stub.latency_s)
                if not self.path.endswith("/chat/completions"):
                    self._send(404, {"error": {"message": "not found"}})
                    return
                # token counts estimated the same way for every request: 1.3 tokens a word
                words = sum(len(str(m.get("content", "")).split()) for m in body["messages"])
                reply = stub.responder(body)
                if isinstance(reply, Fault):
                    self._fault(reply)
                    return
                self._send(200, completion(reply, prompt_tokens=int(words * 1.3),
                                           completion_tokens=int(len(reply.split()) * 1.3)))

            def _send(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _fault(self, fault: Fault) -> None:
                if fault.delay_s:
                    time.sleep(fault.delay_s)
                if fault.reset:
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                data = fault.body.encode()
                self.send_response(fault.status)
                self.send_header("content-type", "application/json")
                for k, v in fault.headers.items():
                    self.send_header(k, v)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = _Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> StubServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
