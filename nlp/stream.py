"""Analysis of a JSON-lines stream, batch by batch, in constant memory (``mcu analyze``).

Input lines are ``{"id": ..., "text": ...}``, optionally with ``title``, ``likes``,
``comments``, ``reposts``, ``views``, ``reach`` and ``published_at`` (ISO). Each input
line gives one output line, in order. A bad line gives a problem that names the source,
the line number and the field, and the stream goes on.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Iterable, Iterator

from core.domain import Analysis, Engagement, Post

ENGAGEMENT_FIELDS = ("likes", "comments", "reposts", "views")


class BadLine(ValueError):
    """One input line that cannot be analysed; the message names source, line and field."""

    def __init__(self, message: str, record_id: object = None) -> None:
        super().__init__(message)
        self.record_id = record_id


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


def render_result(record_id: object, analysis: Analysis) -> dict:
    """The output record of one input line."""
    return {
        "id": record_id,
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


def batched(lines: Iterable[str], size: int) -> Iterator[list[tuple[int, str]]]:
    batch: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        batch.append((number, line))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def analyze_stream(
    analyzer,
    lines: Iterable[str],
    write: Callable[[str], None],
    *,
    source: str = "stdin",
    batch_size: int = 256,
    use_ner: bool = True,
    on_batch: Callable[[int], None] | None = None,
    on_problem: Callable[[str], None] | None = None,
) -> StreamStats:
    """Analyse ``lines`` and ``write`` one JSON line per non-blank input line, in order.

    A bad line is written as ``{"id": ..., "error": "..."}`` (id null when unknown), so
    the output keeps one line per input line; the problem is also reported."""
    stats = StreamStats()
    now = datetime.now(timezone.utc)
    for chunk in batched((line for line in lines if line.strip()), batch_size):
        parsed: list[tuple[int, object, Post | None, str | None]] = []
        for number, line in chunk:
            try:
                record_id, post = parse_line(line, number, source, now)
                parsed.append((number, record_id, post, None))
            except BadLine as exc:
                parsed.append((number, exc.record_id, None, str(exc)))
                stats.problems.append(str(exc))
                if on_problem:
                    on_problem(str(exc))
        posts = [post for _, _, post, _ in parsed if post is not None]
        analyses = iter(analyzer.analyze(posts, use_ner=use_ner))
        out = []
        for _, record_id, post, problem in parsed:
            if post is None:
                out.append(json.dumps({"id": record_id, "error": problem}, ensure_ascii=False))
            else:
                out.append(json.dumps(render_result(record_id, next(analyses)), ensure_ascii=False))
        write("\n".join(out) + "\n")
        stats.lines += len(chunk)
        stats.analysed += len(posts)
        if on_batch:
            on_batch(len(chunk))
    return stats
