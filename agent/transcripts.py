"""Transcript import: text/Markdown with speaker labels, our JSON, WebVTT and SRT captions.

The one place that turns user files into `Transcript`s. Every rejection is a
`TranscriptError` that names the line or the reason; nothing is guessed silently.
Turn ids: every speaker label opens a new turn, numbered from 1; unlabelled lines
continue the current turn; a post-mortem section becomes one last candidate turn.
(Caption formats merge consecutive cues of one speaker, since captions split sentences.)
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import charset_normalizer

from agent.errors import TranscriptError
from agent.models import INTERVIEWED_BY, Archetype, Role, RoundKind, Speaker, Transcript, Turn

DEFAULT_MAX_BYTES = 1_000_000

_INTERVIEWER = {"interviewer", "interviewer 1", "interviewer 2", "recruiter", "hiring manager",
                "q", "question", "host", "panelist", "panel", "coach", "mock interviewer"}
_CANDIDATE = {"candidate", "interviewee", "a", "answer", "applicant", "me", "you"}
_HEADER_KEYS = {"role", "archetype", "round", "title", "date", "company", "level", "stage",
                "position", "interviewer name", "candidate name", "participants", "speakers",
                "duration", "question", "company archetype", "round type", "candidate id",
                INTERVIEWED_BY}
_TIMESTAMP = r"(?:\[?\(?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?\)?\]?\s*(?:-\s*)?)?"
_LABEL_LINE = re.compile(
    r"^\s*(?:>\s*)?(?:[-*]\s+)?" + _TIMESTAMP
    + r"(?:\*\*|__)?\s*(?P<label>[A-Za-z][\w .'()/&-]{0,60}?)\s*"
    r"(?::\s*(?:\*\*|__)|(?:\*\*|__)\s*:|:)\s*(?P<text>.*)$"
)
_BRACKET_LABEL = re.compile(r"^\s*\[(?P<label>[^\]]{1,60})\]\s*(?P<text>.*)$")
_PM_WORDS = r"(?:post[- ]?mortem|retrospective|self[- ]reflection|reflection)"
# A post-mortem section opens with a Markdown heading, a bold line, or a `Post-mortem:` label.
_POSTMORTEM_START = re.compile(
    r"^\s*(?:#{1,6}\s*(?:\*\*)?" + _PM_WORDS + r"\b[^\n]*?(?:\*\*)?\s*$"
    r"|\*\*" + _PM_WORDS + r"\b[^*\n]*\*\*\s*:?\s*(?P<bold_rest>.*)$"
    r"|" + _PM_WORDS + r"\s*(?:\([^)]*\))?\s*:\s*(?P<rest>.*)$)",
    re.IGNORECASE,
)
_HEADING = re.compile(r"^\s*#{1,6}\s")
_FENCE = re.compile(r"^\s*(```|~~~)")
_PAREN_ROLE = re.compile(r"^(?P<name>.*?)\s*[(\[](?P<role>[^)\]]+)[)\]]\s*$")


@dataclass
class _Builder:
    """Collects (speaker, text, line) turns, then builds a validated Transcript."""

    source: str | None
    header: dict[str, str] = field(default_factory=dict)
    turns: list[tuple[Speaker, list[str], int]] = field(default_factory=list)
    postmortem: list[str] | None = None

    def add(self, speaker: Speaker, text: str, line: int) -> None:
        self.turns.append((speaker, [text], line))

    def build(self, merge_same_speaker: bool = False) -> Transcript:
        role = archetype = round_kind = None
        meta: dict[str, str] = {}
        for key, (value, line) in _parse_header(self.header).items():
            try:
                if key == "role":
                    role = Role.parse(value)
                elif key == "archetype" or key == "company archetype":
                    archetype = Archetype.parse(value)
                elif key in ("round", "round type"):
                    round_kind = RoundKind.parse(value)
                else:
                    meta[key] = value
            except ValueError as exc:
                raise TranscriptError(str(exc), line) from None
        merged: list[tuple[Speaker, str]] = []
        for speaker, parts, _line in self.turns:
            text = "\n".join(parts).strip()
            if not text:
                continue
            if merge_same_speaker and merged and merged[-1][0] is speaker:
                merged[-1] = (speaker, merged[-1][1] + " " + text)
            else:
                merged.append((speaker, text))
        if not merged:
            raise TranscriptError(
                "no speaker turns found: expected lines like 'Interviewer: ...' and "
                "'Candidate: ...' (also Q:/A:, Interviewee:, **Interviewer:**, 'Name (interviewer):')"
            )
        pm_text = "\n".join(self.postmortem or []).strip()
        if not any(s is Speaker.CANDIDATE for s, _ in merged) and not pm_text:
            raise TranscriptError(
                "no candidate turns found: every turn is the interviewer's; label the "
                "candidate's lines 'Candidate:' (or 'Interviewee:', 'A:')"
            )
        turns = [Turn(id=i, speaker=s, text=t) for i, (s, t) in enumerate(merged, start=1)]
        if pm_text:
            turns.append(Turn(id=len(turns) + 1, speaker=Speaker.CANDIDATE, text=pm_text,
                              is_postmortem=True))
        return Transcript(role=role, archetype=archetype, round=round_kind, metadata=meta,
                          turns=turns, source=self.source)


def _parse_header(header: dict[str, str]) -> dict[str, tuple[str, int]]:
    out = {}
    for raw, value in header.items():
        key, _, line = raw.partition("@")
        out[key] = (value, int(line or 0))
    return out


def _name_map(header: dict[str, str]) -> dict[str, Speaker]:
    """Names mapped to roles by `Participants: Alice (interviewer), Bob (candidate)`,
    `Speakers: Alice = interviewer; Bob = candidate` or `Interviewer name: Alice`."""
    names: dict[str, Speaker] = {}
    for raw, value in header.items():
        key = raw.partition("@")[0]
        if key in ("participants", "speakers"):
            for part in re.split(r"[,;]", value):
                m = _PAREN_ROLE.match(part.strip()) or re.match(
                    r"^(?P<name>.+?)\s*[=:-]\s*(?P<role>\w+)\s*$", part.strip())
                if m and (sp := _alias(m.group("role"))):
                    names[m.group("name").strip().lower()] = sp
        elif key == "interviewer name":
            names[value.strip().lower()] = Speaker.INTERVIEWER
        elif key == "candidate name":
            names[value.strip().lower()] = Speaker.CANDIDATE
    return names


def _alias(label: str) -> Speaker | None:
    key = re.sub(r"\s+", " ", label.strip().lower())
    if key in _INTERVIEWER:
        return Speaker.INTERVIEWER
    if key in _CANDIDATE:
        return Speaker.CANDIDATE
    return None


def resolve_speaker(label: str, names: dict[str, Speaker] | None = None) -> Speaker | None:
    """Map a speaker label to interviewer/candidate, or None if it is not a speaker."""
    label = label.strip()
    if (sp := _alias(label)) is not None:
        return sp
    m = _PAREN_ROLE.match(label)
    if m and (sp := _alias(m.group("role"))) is not None:
        return sp
    if names:
        return names.get(label.lower())
    return None


def _postmortem_start(line: str) -> str | None:
    """The text after a post-mortem opener on this line, or None if it opens none."""
    m = _POSTMORTEM_START.match(line)
    if m is None:
        return None
    return (m.group("bold_rest") or m.group("rest") or "").strip()


# ---------------------------------------------------------------- decoding


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise TranscriptError(
            f"the file is {size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB "
            "(raise MOCKLOOP_MAX_TRANSCRIPT_BYTES to allow more)"
        )


def decode(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Bytes to text: size limit, binary check, BOMs, UTF-8, then detection."""
    _check_size(len(data), max_bytes)
    if not data.strip():
        raise TranscriptError("the transcript is empty")
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"),
                     (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"),
                     (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                return _check_text(data.decode(enc))
            except UnicodeDecodeError as exc:
                raise TranscriptError(f"invalid {enc} text at byte {exc.start}") from None
    if (nul := data.find(b"\x00")) >= 0:
        raise TranscriptError(
            f"this looks like a binary file (a NUL byte at offset {nul}); "
            "upload a text, Markdown, JSON, VTT or SRT transcript"
        )
    try:
        return _check_text(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    # Mostly-ASCII text with a few high bytes is, in practice, Windows-1252 (a superset of
    # Latin-1); detectors misread short texts like that as CJK.
    if sum(b < 128 for b in data) > 0.9 * len(data):
        try:
            return _check_text(data.decode("cp1252"))
        except UnicodeDecodeError:
            pass
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise TranscriptError("could not detect the text encoding; save the file as UTF-8")
    return _check_text(str(best))


def _check_text(text: str) -> str:
    control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    if control > max(2, len(text) // 100):
        raise TranscriptError(
            f"this looks like a binary file ({control} control characters); "
            "upload a text, Markdown, JSON, VTT or SRT transcript"
        )
    if not text.strip():
        raise TranscriptError("the transcript is empty")
    return text


# ---------------------------------------------------------------- formats


def _fence_after(fence: str | None, line: str) -> str | None:
    """The open code fence after `line`: a marker opens one, the same marker closes it."""
    marker = _FENCE.match(line)
    if marker and (fence is None or marker.group(1) == fence):
        return None if fence else marker.group(1)
    return fence


def parse_text(text: str, source: str | None = None) -> Transcript:
    """Plain text or Markdown with speaker labels, header lines and a post-mortem section."""
    return _parse_text(text, source, fences=True)


def _parse_text(text: str, source: str | None, fences: bool) -> Transcript:
    b = _Builder(source)
    names: dict[str, Speaker] = {}
    in_header = True
    fence: str | None = None  # inside a fenced code block every line is the turn's text
    for lineno, line in enumerate(text.splitlines(), start=1):
        if b.postmortem is not None:
            b.postmortem.append(line)
            continue
        if fences and b.turns and (fence or _FENCE.match(line)):
            fence = _fence_after(fence, line)
            b.turns[-1][1].append(line)  # a "# comment" in code is code, not a heading
            continue
        if (rest := _postmortem_start(line)) is not None:
            b.postmortem = [rest]
            continue
        m = _LABEL_LINE.match(line)
        if m:
            label = m.group("label").strip()
            key = label.lower()
            if in_header and key in _HEADER_KEYS and resolve_speaker(label) is None:
                b.header[f"{key}@{lineno}"] = m.group("text").strip()
                names = _name_map(b.header)
                continue
            speaker = resolve_speaker(label, names)
            if speaker is not None:
                in_header = False
                b.add(speaker, m.group("text"), lineno)
                fence = _fence_after(None, m.group("text"))  # "Candidate: ```sql" opens code
                continue
        bm = _BRACKET_LABEL.match(line)
        if bm and (speaker := resolve_speaker(bm.group("label"), names)) is not None:
            in_header = False
            b.add(speaker, bm.group("text"), lineno)
            fence = _fence_after(None, bm.group("text"))
            continue
        if _HEADING.match(line) or re.match(r"^\s*(---|\*\*\*|___)\s*$", line):
            continue  # structure, not speech
        if b.turns:
            b.turns[-1][1].append(line)
        elif line.strip():
            b.header.setdefault(f"preamble@{lineno}", line.strip())
    if not b.turns:
        first = next((ln for ln in text.splitlines() if ln.strip()), "")[:80]
        raise TranscriptError(
            "no speaker labels found: expected lines starting 'Interviewer:' and "
            f"'Candidate:' (or Q:/A:, Interviewee:, 'Name (interviewer):'); the first line reads {first!r}",
            1,
        )
    if fence is not None and fences:
        # a code block never closed would swallow every later turn: read the labels instead
        return _parse_text(text, source, fences=False)
    return b.build()


def parse_json(text: str, source: str | None = None) -> Transcript:
    """Our JSON: {"role", "archetype", "round", "turns": [{"speaker", "text"}], "postmortem"}."""
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TranscriptError(f"invalid JSON: {exc.msg} (column {exc.colno})", exc.lineno) from None
    if isinstance(data, list):
        data = {"turns": data}
    if not isinstance(data, dict) or not isinstance(data.get("turns"), list):
        raise TranscriptError('JSON transcript needs a "turns" list of {"speaker", "text"} objects')
    b = _Builder(source)
    for key in ("role", "archetype", "round"):
        if data.get(key):
            b.header[f"{key}@0"] = str(data[key])
    for key, value in (data.get("metadata") or {}).items():
        b.header[f"{str(key).lower()}@0"] = str(value)
    pm = data.get("postmortem")
    for i, turn in enumerate(data["turns"], start=1):
        if not isinstance(turn, dict) or "text" not in turn or "speaker" not in turn:
            raise TranscriptError(f'JSON turn {i} needs "speaker" and "text"')
        if turn.get("is_postmortem"):
            pm = turn["text"]
            continue
        speaker = resolve_speaker(str(turn["speaker"]))
        if speaker is None:
            raise TranscriptError(
                f"JSON turn {i}: unknown speaker {turn['speaker']!r}; use 'interviewer' or 'candidate'")
        b.add(speaker, str(turn["text"]), i)
    if pm:
        b.postmortem = [str(pm)]
    return b.build()


def _caption_turns(cues: list[tuple[str | None, str, int]], b: _Builder) -> Transcript:
    names = _name_map(b.header)
    for voice, text, line in cues:
        speaker = resolve_speaker(voice, names) if voice else None
        if voice and speaker is None:
            raise TranscriptError(
                f"unknown speaker {voice!r}; tag voices as Interviewer/Candidate or "
                "'Name (interviewer)'", line)
        if speaker is None:
            m = _LABEL_LINE.match(text) or _BRACKET_LABEL.match(text)
            if m and (speaker := resolve_speaker(m.group("label"), names)) is not None:
                text = m.group("text")
        if speaker is None:
            if not b.turns:
                raise TranscriptError(
                    "caption has no speaker tag: use <v Interviewer> / <v Candidate> or "
                    "'Interviewer: ...' in the cue text", line)
            b.turns[-1][1].append(text)
            continue
        if speaker is Speaker.CANDIDATE and (rest := _postmortem_start(text)) is not None:
            b.postmortem = [rest]
            continue
        b.add(speaker, text, line)
    return b.build(merge_same_speaker=True)


def _caption_header(text: str, b: _Builder) -> None:
    for lineno, line in enumerate(text.splitlines(), start=1):
        m = re.match(r"^\s*(?:NOTE\s+)?(?P<key>[A-Za-z ]+):\s*(?P<value>.+)$", line)
        if m and m.group("key").strip().lower() in _HEADER_KEYS and (
                line.lstrip().startswith("NOTE") or lineno <= 3):
            b.header[f"{m.group('key').strip().lower()}@{lineno}"] = m.group("value").strip()


def parse_vtt(text: str, source: str | None = None) -> Transcript:
    import webvtt

    try:
        captions = webvtt.from_string(text)
    except Exception as exc:  # webvtt raises its own MalformedFileError and others
        raise TranscriptError(f"invalid WebVTT: {exc}") from None
    b = _Builder(source)
    _caption_header(text, b)
    cues = [(c.voice, c.text.replace("\n", " "), 0) for c in captions]
    return _caption_turns(cues, b)


def parse_srt(text: str, source: str | None = None) -> Transcript:
    import srt

    try:
        subs = list(srt.parse(text))
    except (srt.SRTParseError, ValueError) as exc:
        raise TranscriptError(f"invalid SRT: {exc}") from None
    b = _Builder(source)
    cues = []
    for sub in subs:
        content = sub.content.replace("\n", " ").strip()
        voice = None
        if m := re.match(r"^<v\s+([^>]+)>(.*?)(?:</v>)?$", content):
            voice, content = m.group(1), m.group(2)
        cues.append((voice, content, sub.index))
    return _caption_turns(cues, b)


_SRT_START = re.compile(r"^\s*\d+\s*\r?\n\d{1,2}:\d{2}:\d{2}[,.]\d{3}\s*-->")


def detect_format(text: str, filename: str | None = None) -> str:
    suffix = Path(filename).suffix.lower() if filename else ""
    if suffix in (".json", ".vtt", ".srt"):
        return suffix[1:]
    head = text.lstrip("\ufeff \t\r\n")
    if head.startswith("{") or re.match(r"^\[\s*(\{|\])", head):
        return "json"
    if head.startswith("WEBVTT"):
        return "vtt"
    if _SRT_START.match(head):
        return "srt"
    return "text"


_PARSERS = {"json": parse_json, "vtt": parse_vtt, "srt": parse_srt, "text": parse_text}


def parse_transcript(data: bytes | str, filename: str | None = None,
                     max_bytes: int = DEFAULT_MAX_BYTES) -> Transcript:
    """Parse any supported format from bytes or text; raises TranscriptError."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    text = decode(raw, max_bytes)
    fmt = detect_format(text, filename)
    return _PARSERS[fmt](text.lstrip("\ufeff"), source=filename)


def load_transcript(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Transcript:
    path = Path(path)
    try:
        _check_size(path.stat().st_size, max_bytes)  # before reading a huge file
        data = path.read_bytes()
    except OSError as exc:
        raise TranscriptError(f"cannot read {path}: {exc.strerror}") from None
    return parse_transcript(data, filename=str(path), max_bytes=max_bytes)


def dumps(transcript: Transcript) -> str:
    """Our JSON format (what parse_json reads back)."""
    return json.dumps({
        "role": transcript.role, "archetype": transcript.archetype, "round": transcript.round,
        "metadata": transcript.metadata,
        "turns": [{"speaker": t.speaker.value, "text": t.text} for t in transcript.turns
                  if not t.is_postmortem],
        "postmortem": transcript.postmortem.text if transcript.postmortem else None,
    }, indent=2)


