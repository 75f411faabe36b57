"""Errors meant for people. The UI turns these into `gr.Error`; anything else propagates."""

from __future__ import annotations


class MockloopError(Exception):
    """A failure the user can act on; the message says what went wrong and what to do."""


class TranscriptError(MockloopError):
    """A transcript could not be read; names the line or the reason."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}" if line else message)


class ConfigError(MockloopError):
    """A setting is missing or invalid."""
