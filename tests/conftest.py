"""Shared fixtures: a socket guard (no network but loopback), isolated settings, the
scripted model reset, zero retry back-off, and replay of recorded provider responses."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests import netguard

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("DISABLE_AIOHTTP_TRANSPORT", "True")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parent.parent
RECORDINGS = Path(__file__).resolve().parent / "recordings"
DATA = Path(__file__).resolve().parent / "data"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--record", action="store_true",
                     help="call the live provider and (re)write tests/recordings/")


# ---------------------------------------------------------------- socket guard


@pytest.fixture(autouse=True, scope="session")
def _socket_guard(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.config.getoption("--record"):
        yield
        return
    netguard.install()
    yield
    netguard.uninstall()


# ---------------------------------------------------------------- isolation


@pytest.fixture(scope="session")
def _shared_knowledge_dir() -> Path:
    """One Chroma store built from the real corpus on first use. It persists between runs
    (git-ignored) because builds are incremental: the next run, or `make test-slow` after
    `make test`, re-embeds only the chunks that changed, and tests assert it is not stale."""
    path = Path(__file__).parent / "artifacts" / "knowledge"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path_factory: pytest.TempPathFactory, _shared_knowledge_dir: Path,
                       monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key in list(os.environ):
        if key.startswith("MOCKLOOP_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("MOCKLOOP_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    monkeypatch.setenv("MOCKLOOP_KNOWLEDGE_DIR", str(_shared_knowledge_dir))
    monkeypatch.setenv("MOCKLOOP_RETRY_BACKOFF_S", "0")
    from agent.llm import SCRIPTED

    SCRIPTED.reset()
    yield
    SCRIPTED.reset()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# ---------------------------------------------------------------- recorded responses


def body_key(method: str, url: str, content: bytes) -> str:
    """Canonical key of a request: method, URL and a hash of the (JSON-canonical) body."""
    try:
        canon = json.dumps(json.loads(content), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, UnicodeDecodeError):
        canon = content
    return f"{method} {url} {hashlib.sha256(canon).hexdigest()[:16]}"


_SECRET_HEADERS = {"authorization", "api-key", "x-api-key", "openai-organization", "cookie",
                   "set-cookie"}


class Recorder:
    """Replays `tests/recordings/<name>.json`, keyed by request; an unrecorded request fails
    the test loudly. With `--record` it calls the live provider and writes the file, with
    Authorization and keys stripped."""

    def __init__(self, path: Path, record: bool) -> None:
        self.path, self.record = path, record
        self.interactions: list[dict] = []
        self.misses: list[str] = []
        self.used: list[str] = []
        if not record:
            if not path.exists():
                raise FileNotFoundError(f"no recording {path}; run the test with --record")
            self.interactions = json.loads(path.read_text())["interactions"]

    def replay(self, request: httpx.Request) -> httpx.Response:
        key = body_key(request.method, str(request.url), request.content)
        pending = [i for i in self.interactions if i["key"] == key and not i.get("_used")]
        if not pending:
            self.misses.append(key)
            raise AssertionError(
                f"unrecorded request {key}\nbody: {request.content[:400]!r}\n"
                f"recorded keys: {[i['key'] for i in self.interactions]}")
        hit = pending[0]
        hit["_used"] = True
        self.used.append(key)
        resp = hit["response"]
        return httpx.Response(resp["status"], headers=resp.get("headers", {}),
                              json=resp.get("json"), content=resp.get("text", "").encode()
                              if "json" not in resp else None)

    def capture(self, request: httpx.Request, response: httpx.Response) -> None:
        response.read()
        headers = {k: v for k, v in response.headers.items()
                   if k.lower() not in _SECRET_HEADERS and k.lower() in
                   ("content-type", "retry-after")}
        try:
            payload = {"json": response.json()}
        except ValueError:
            payload = {"text": response.text}
        self.interactions.append({"key": body_key(request.method, str(request.url),
                                                  request.content),
                                  "response": {"status": response.status_code,
                                               "headers": headers, **payload}})

    def save(self) -> None:
        self.path.write_text(json.dumps(
            {"note": "recorded from the live provider with --record; secrets stripped",
             "interactions": self.interactions}, indent=1) + "\n")


@pytest.fixture
def recorded(request: pytest.FixtureRequest,
             monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], Recorder]]:
    """`recorded("name")` replays tests/recordings/name.json for the rest of the test."""
    import respx

    record = bool(request.config.getoption("--record"))
    recorders: list[Recorder] = []
    routers: list[respx.MockRouter] = []

    def use(name: str) -> Recorder:
        rec = Recorder(RECORDINGS / f"{name}.json", record)
        recorders.append(rec)
        if record:
            real_send = httpx.Client.send

            def send(client: httpx.Client, req: httpx.Request, **kw: object) -> httpx.Response:
                resp = real_send(client, req, **kw)
                rec.capture(req, resp)
                return resp

            monkeypatch.setattr(httpx.Client, "send", send)
        else:
            router = respx.mock(assert_all_called=False, assert_all_mocked=True)
            router.route().mock(side_effect=rec.replay)
            router.start()
            routers.append(router)
        return rec

    yield use
    for router in routers:
        router.stop()
    for rec in recorders:
        if record:
            rec.save()
        elif rec.misses:
            pytest.fail(f"unrecorded requests: {rec.misses}")
