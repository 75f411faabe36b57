"""Settings precedence: environment < CLI flag < explicit argument."""

from __future__ import annotations

from agent.config import get_settings


def test_default_is_the_offline_engine():
    s = get_settings()
    assert s.model == "offline" and s.model_for("grader") == "offline"


def test_env_then_flag_then_explicit(monkeypatch):
    monkeypatch.setenv("MOCKLOOP_MODEL", "ollama/llama3")
    assert get_settings().model_for("grader") == "ollama/llama3"
    flagged = get_settings(model="openai/gpt-4o-mini")  # what the CLI passes
    assert flagged.model_for("grader") == "openai/gpt-4o-mini"
    assert flagged.model_for("grader", explicit="anthropic/claude-x") == "anthropic/claude-x"
    assert get_settings(model=None).model == "ollama/llama3"  # an unset flag keeps the env


def test_model_roles_can_differ(monkeypatch):
    monkeypatch.setenv("MOCKLOOP_MODEL", "ollama/llama3")
    monkeypatch.setenv("MOCKLOOP_GRADER_MODEL", "openai/gpt-4o")
    s = get_settings()
    assert s.model_for("grader") == "openai/gpt-4o"
    assert s.model_for("interviewer") == "ollama/llama3"


def test_data_dir_and_secret(monkeypatch, tmp_path):
    monkeypatch.setenv("MOCKLOOP_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("MOCKLOOP_KNOWLEDGE_DIR")  # the test run shares one store
    monkeypatch.setenv("MOCKLOOP_API_KEY", "sk-hidden")
    s = get_settings()
    assert s.db_path.parent == tmp_path and s.chroma_dir == tmp_path / "chroma"
    assert "sk-hidden" not in repr(s) and "sk-hidden" not in s.model_dump_json()
    assert s.api_key.get_secret_value() == "sk-hidden"


def test_knowledge_dir_can_live_apart(monkeypatch, tmp_path):
    monkeypatch.setenv("MOCKLOOP_KNOWLEDGE_DIR", str(tmp_path / "kb"))
    assert get_settings().chroma_dir == tmp_path / "kb"
