"""Analysis of a JSON-lines stream, batch by batch, in constant memory (``mcu analyze``).

Input lines are ``{"id": ..., "text": ...}``, optionally with ``title``, ``likes``,
``comments``, ``reposts``, ``views``, ``reach`` and ``published_at`` (ISO). Each non-blank
input line gives one output line, in order. A bad line gives a problem that names the
source, the line number (blank lines count) and the field, and the stream goes on.

Files and stdin are read the same way, as bytes (:func:`read_lines`): a line that is not
UTF-8 or longer than :data:`MAX_LINE_BYTES` is an error line of its own and is never held
in memory whole; a text longer than ``core.text.MAX_TEXT`` characters is analysed up to
that length (the analyser's bound) and its output says ``"cut": true``.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import BinaryIO, Callable, Iterable, Iterator

from core.domain import Analysis, Engagement, Post
from core.text import MAX_TEXT

ENGAGEMENT_FIELDS = ("likes", "comments", "reposts", "views")
MAX_LINE_BYTES = 1_000_000
"""Longest input line analysed: room for a post of ``MAX_TEXT`` characters with its fields and
JSON escapes many times over; anything longer is not a post but a fault."""
_READ_CHUNK = 1 << 16
_LEADING_ID = re.compile(rb'^\s*\{\s*"id"\s*:\s*("(?:[^"\\]|\\.){0,200}"|-?\d{1,30})')


class BadLine(ValueError):
    """One input line that cannot be analysed; the message names source, line and field."""

    def __init__(self, message: str, record_id: object = None) -> None:
        super().__init__(message)
        self.record_id = record_id


@dataclass(frozen=True, slots=True)
class InputLine:
    """One line of input, numbered from 1 (blank lines count): its text, or why it has none."""

    number: int
    text: str | None
    problem: str | None = None
    record_id: object = None


def read_lines(stream: BinaryIO, source: str, max_bytes: int = MAX_LINE_BYTES) -> Iterator[InputLine]:
    """The lines of a byte stream, each decoded on its own: a line that is not UTF-8 or is longer
    than ``max_bytes`` becomes a problem (with its id when the line starts with one), and a long
    line is skipped in chunks, so memory stays bounded whatever the input."""
    number = 0
    while raw := stream.readline(max_bytes + 1):
        number += 1
        where = f"{source}:{number}"
        if len(raw) > max_bytes and not raw.endswith(b"\n"):
            while (rest := stream.readline(_READ_CHUNK)) and not rest.endswith(b"\n"):
                pass
            yield InputLine(number, None, f"{where}: line longer than {max_bytes} bytes, not analysed",
                            _leading_id(raw))
            continue
        try:
            yield InputLine(number, raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            yield InputLine(number, None, f"{where}: not UTF-8 (bad byte at column {exc.start + 1})",
                            _leading_id(raw))


def count_nonblank_lines(stream: BinaryIO) -> int:
    """Non-blank lines of a byte stream, read in chunks (for a progress bar; no line is held whole)."""
    count, filled = 0, False
    while chunk := stream.read(_READ_CHUNK * 16):
        *ended, rest = chunk.split(b"\n")
        for piece in ended:
            count += filled or bool(piece.strip())
            filled = False
        filled = filled or bool(rest.strip())
    return count + filled


def _leading_id(raw: bytes) -> object:
    match = _LEADING_ID.match(raw[:300])
    if not match:
        return None
    try:
        return json.loads(match.group(1))
    except ValueError:
        return None


@dataclass
class StreamStats:
    lines: int = 0
    analysed: int = 0
    problems: list[str] = field(default_factory=list)


def parse_line(line: str, number: int, source: str, now: datetime) -> tuple[object, Post]:
    where = f"{source}:{number}"
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadLine(f"{where}: not JSON ({exc.msg}, column {exc.colno})") from None
    if not isinstance(record, dict):
        raise BadLine(f"{where}: expected a JSON object with `id` and `text`")
    if "id" not in record:
        raise BadLine(f"{where}: field `id` is missing")
    text = record.get("text")
    if not isinstance(text, str):
        raise BadLine(f"{where}: field `text` must be a string (id {record['id']!r})", record["id"])
    counts = {}
    for name in (*ENGAGEMENT_FIELDS, "reach"):
        value = record.get(name, 0)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise BadLine(f"{where}: field `{name}` must be a non-negative integer (id {record['id']!r})",
                          record["id"])
        counts[name] = value
    published = now
    if record.get("published_at"):
        try:
            published = datetime.fromisoformat(str(record["published_at"]))
        except ValueError:
            raise BadLine(f"{where}: field `published_at` is not an ISO date (id {record['id']!r})",
                          record["id"]) from None
    title = record.get("title")
    post = Post(platform="vk", source=source, native_id=str(record["id"]), text=text,
                title=title if isinstance(title, str) and title else None, published_at=published,
                engagement=Engagement(**{k: counts[k] for k in ENGAGEMENT_FIELDS}), reach=counts["reach"])
    return record["id"], post


def render_result(record_id: object, analysis: Analysis, cut: bool = False) -> dict:
    """The output record of one input line; ``cut`` when the text was longer than the analyser reads."""
    return {
        "id": record_id,
        **({"cut": True} if cut else {}),
        "sentiment": {"label": analysis.sentiment.label, "score": analysis.sentiment.score},
        "signal": {"label": analysis.signal.label, "score": analysis.signal.score},
        "topic": {"code": analysis.topic.code, "confidence": analysis.topic.confidence},
        "topics": [{"code": t.code, "confidence": t.confidence} for t in analysis.topics],
        "block": analysis.block,
        "department": analysis.department,
        "toponyms": [t.model_dump() for t in analysis.toponyms],
        "risk": {"score": analysis.risk.score, "level": analysis.risk.level,
                 "reasons": [{"component": r.component, "value": r.value, "detail": r.detail}
                             for r in analysis.risk.top_reasons(5)]},
    }


def batched(lines: Iterable[InputLine], size: int) -> Iterator[list[InputLine]]:
    batch: list[InputLine] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def analyze_stream(
    analyzer,
    lines: Iterable[InputLine | str],
    write: Callable[[str], None],
    *,
    source: str = "stdin",
    batch_size: int = 256,
    use_ner: bool = True,
    on_batch: Callable[[int], None] | None = None,
    on_problem: Callable[[str], None] | None = None,
) -> StreamStats:
    """Analyse ``lines`` (from :func:`read_lines`, or plain strings numbered from 1) and ``write``
    one JSON line per non-blank input line, in order.

    A bad line is written as ``{"id": ..., "error": "..."}`` (id null when unknown), so
    the output keeps one line per input line; the problem is also reported."""
    stats = StreamStats()
    now = datetime.now(timezone.utc)
    items = (line if isinstance(line, InputLine) else InputLine(number, line)
             for number, line in enumerate(lines, start=1))
    for chunk in batched((line for line in items if line.text is None or line.text.strip()), batch_size):
        parsed: list[tuple[object, Post | None, str | None]] = []
        for line in chunk:
            try:
                if line.text is None:
                    raise BadLine(line.problem or f"{source}:{line.number}: unreadable", line.record_id)
                parsed.append((*parse_line(line.text, line.number, source, now), None))
            except BadLine as exc:
                parsed.append((exc.record_id, None, str(exc)))
                stats.problems.append(str(exc))
                if on_problem:
                    on_problem(str(exc))
        posts = [post for _, post, _ in parsed if post is not None]
        analyses = iter(analyzer.analyze(posts, use_ner=use_ner))
        out = []
        for record_id, post, problem in parsed:
            if post is None:
                out.append(json.dumps({"id": record_id, "error": problem}, ensure_ascii=False))
            else:
                cut = len(post.full_text) > MAX_TEXT
                out.append(json.dumps(render_result(record_id, next(analyses), cut), ensure_ascii=False))
        write("\n".join(out) + "\n")
        stats.lines += len(chunk)
        stats.analysed += len(posts)
        if on_batch:
            on_batch(len(chunk))
    return stats
