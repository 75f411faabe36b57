"""Writes the hand-made recordings in this folder.

No live provider key has been used yet, so these responses are written by hand in the
OpenAI chat-completions wire format. The request keys are captured from our own code's
requests (the same path the tests replay), so a prompt change means rerunning:

    .venv/bin/python -m tests.recordings.build

A live run with `pytest --record` replaces a file with real provider responses.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import httpx
import respx

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("DISABLE_AIOHTTP_TRANSPORT", "True")

from tests.conftest import body_key

HERE = Path(__file__).resolve().parent
NOTE = ("hand-written responses in the OpenAI chat-completions wire format (no live key used "
        "yet); request keys captured from mockloop's own requests by tests/recordings/build.py")


def chat(content: str | None, *, finish: str = "stop", refusal: str | None = None,
         prompt_tokens: int = 900, completion_tokens: int = 300) -> dict:
    return {
        "id": "chatcmpl-recorded", "object": "chat.completion", "created": 1764000000,
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [{"index": 0, "finish_reason": finish,
                     "message": {"role": "assistant", "content": content, "refusal": refusal}}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    }


def build(name: str, responses: list[tuple[int, dict]], run: Callable[[], object]) -> None:
    interactions: list[dict] = []
    queue = list(responses)

    def reply(request: httpx.Request) -> httpx.Response:
        status, body = queue.pop(0)
        interactions.append({"key": body_key(request.method, str(request.url), request.content),
                             "response": {"status": status,
                                          "headers": {"content-type": "application/json"},
                                          "json": body}})
        return httpx.Response(status, json=body)

    with respx.mock(assert_all_called=False) as router:
        router.route().mock(side_effect=reply)
        try:
            run()
        except Exception as exc:  # scenarios that end in an error still record their requests
            print(f"{name}: ended with {type(exc).__name__}")
    if queue:
        raise SystemExit(f"{name}: {len(queue)} responses were not requested")
    (HERE / f"{name}.json").write_text(json.dumps({"note": NOTE, "interactions": interactions},
                                                  indent=1) + "\n")
    print(f"wrote {name}.json ({len(interactions)} interactions)")


def main() -> None:
    from tests import scenarios

    for name, responses, run in scenarios.all_scenarios():
        build(name, responses, run)


if __name__ == "__main__":
    main()
