"""Pure mapping of OK API objects to ``Post``s: group topics (``mediatopic.getTopics``) and their
comments (``discussions.getComments``), and the raw items kept beside them; ``remap`` maps a
stored one again without calling OK.

A topic is ``{"id", "created_ms", "owner_ref": "group:<gid>", "author_ref": "user:<uid>" |
"group:<gid>", "media": [{"type": "text", "text"}, {"type": "photo", "photo_refs"}, {"type":
"link", "url", "title"}, {"type": "movie", "movie_refs"}, {"type": "poll", "question"} …],
"like_summary": {"count"}, "reshare_summary": {"count"}, "discussion_summary": {"comments_count"},
"views_count", "is_sticky"}``. A comment is ``{"id", "date" ("yyyy-MM-dd HH:mm:ss", Moscow time)
or "date_ms", "author_id", "text", "like_count", "reply_to_comment_id"}``.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from collectors.base import BadPayload, context_value, raw_item, register_mapping, unknown_kind
from collectors.text import clean_field, from_unix
from core.domain import Attachment, Engagement, Platform, Post, RawItem, make_id, post_id

MAPPER_VERSION = 1
"""Bump when the same payload maps to a different post; ``mcu remap`` then re-maps stored items."""
AUTHOR_FIELDS = ("author_ref", "author_id", "reply_to_id", "user_id")
"""Payload keys that hold citizens' ids (pseudonymised in stored raw items)."""
OK_TIME = ZoneInfo("Europe/Moscow")  # the API's "date" strings are Moscow time
MEDIA_KINDS = {"photo": "photo", "movie": "video", "link": "link", "poll": "poll", "music": "audio", "app": "other"}


def _count(summary: Any, key: str = "count") -> int:
    value = summary.get(key) if isinstance(summary, dict) else summary
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _require(item: Any, key: str, source: str, kind: type = str) -> Any:
    if not isinstance(item, dict):
        raise BadPayload(source, "?", "(item)", f"expected an object, got {type(item).__name__}")
    value = item.get(key)
    if kind is str and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # ids come as strings, some proxies give numbers
    if not isinstance(value, kind) or isinstance(value, bool) or value == "":
        got = "missing" if value is None else f"{type(value).__name__} {value!r:.40}"
        raise BadPayload(source, item.get("id", "?"), key, f"expected {kind.__name__}, got {got}")
    return value


def _ms_time(item: dict, key: str, source: str) -> datetime:
    """A time in unix milliseconds as UTC; an impossible one is the item's BadPayload."""
    try:
        return from_unix(item[key], per_second=1000)
    except ValueError as exc:
        raise BadPayload(source, item.get("id", "?"), key, f"{exc} ms") from None


def group_record(answer: Any) -> dict:
    """The group of a ``group.getInfo`` answer (a list of groups)."""
    if not isinstance(answer, list) or not answer or not isinstance(answer[0], dict):
        raise BadPayload("ok", "group.getInfo", "(answer)", "no group in the answer")
    if not str(answer[0].get("uid", "")).isdigit():
        raise BadPayload("ok", "group.getInfo", "uid", "group without a numeric id")
    return answer[0]


def topic_url(gid: str, topic: str) -> str:
    return f"https://ok.ru/group/{gid}/topic/{topic}"


def _media(topic: dict, url: str) -> tuple[str, list[Attachment]]:
    texts: list[str] = []
    attachments: list[Attachment] = []
    media = topic.get("media")
    for block in media if isinstance(media, list) else []:  # junk instead of a list is ignored
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "text" and isinstance(block.get("text"), str):
            texts.append(block["text"])
        elif kind == "photo":
            refs = block.get("photo_refs")
            for _ in refs if isinstance(refs, list) and refs else [None]:
                attachments.append(Attachment(type="photo", url=url))
        elif kind == "link":
            link = block.get("url") if isinstance(block.get("url"), str) else None
            attachments.append(Attachment(type="link", url=link, title=_title(block.get("title"))))
        elif kind == "poll":
            attachments.append(Attachment(type="poll", url=url, title=_title(block.get("question"))))
        elif isinstance(kind, str):
            attachments.append(Attachment(type=MEDIA_KINDS.get(kind, "other"), url=url, title=_title(block.get("title"))))
    return "\n\n".join(t.strip() for t in texts if t.strip()), attachments


def _title(value: Any) -> str | None:
    return value[:300] if isinstance(value, str) and value.strip() else None


def map_topic(topic: Any, source: str, gid: str, reach: int) -> Post:
    native = _require(topic, "id", source)
    _require(topic, "created_ms", source, int)
    url = topic_url(gid, native)
    text, attachments = _media(topic, url)
    author = topic.get("author_ref") if isinstance(topic.get("author_ref"), str) else f"group:{gid}"
    return Post(
        platform=Platform.ok,
        source=source,
        native_id=f"{gid}_{native}",
        url=url,
        author=author or None,  # the typed reference as OK gives it ("user:…"), pseudonymised as a whole
        text=clean_field(text, source, native, "media.text"),
        published_at=_ms_time(topic, "created_ms", source),
        engagement=Engagement(likes=_count(topic.get("like_summary")),
                              comments=_count(topic.get("discussion_summary"), "comments_count"),
                              reposts=_count(topic.get("reshare_summary")),
                              views=_count(topic.get("views_count"))),
        reach=reach,
        attachments=attachments,
    )


def comment_time(comment: dict, source: str) -> datetime:
    """When a comment was written: ``date_ms`` when given, else the Moscow ``date`` string."""
    if isinstance(comment.get("date_ms"), int) and not isinstance(comment["date_ms"], bool):
        return _ms_time(comment, "date_ms", source)
    value = comment.get("date")
    try:
        return datetime.strptime(str(value), "%Y-%m-%d %H:%M:%S").replace(tzinfo=OK_TIME).astimezone(timezone.utc)
    except ValueError:
        raise BadPayload(source, comment.get("id", "?"), "date",
                         f"expected «yyyy-MM-dd HH:mm:ss», got {value!r:.40}") from None


def map_comment(comment: Any, source: str, gid: str, topic: str, reach: int) -> Post:
    native = _require(comment, "id", source)
    root = post_id(Platform.ok, source, f"{gid}_{topic}")
    reply_to = comment.get("reply_to_comment_id")
    parent = post_id(Platform.ok, source, f"{gid}_{topic}_c{reply_to}") if reply_to else root
    ref = f"{gid}_{topic}_c{native}"
    author = comment.get("author_id")
    return Post(
        platform=Platform.ok,
        source=source,
        native_id=ref,
        url=topic_url(gid, topic),
        author=str(author) if author not in (None, "") else None,
        text=clean_field(comment.get("text"), source, ref, "text"),
        published_at=comment_time(comment, source),
        engagement=Engagement(likes=_count(comment.get("like_count"))),
        parent_id=parent,
        thread_id=root,
        reach=reach,
    )


def raw_topic(post: Post, topic: dict, gid: str, reach: int) -> RawItem:
    return raw_item(post, "topic", MAPPER_VERSION, topic, gid=gid, reach=reach)


def raw_comment(post: Post, comment: dict, gid: str, topic: str, reach: int) -> RawItem:
    return raw_item(post, "comment", MAPPER_VERSION, comment, gid=gid, topic=topic, reach=reach)


@register_mapping("ok", MAPPER_VERSION, AUTHOR_FIELDS)
def remap(raw: RawItem, source=None) -> Post:
    """A stored topic or comment mapped again by the functions above."""
    if raw.kind == "topic":
        return map_topic(raw.payload, raw.source, context_value(raw, "gid", str), context_value(raw, "reach"))
    if raw.kind == "comment":
        return map_comment(raw.payload, raw.source, context_value(raw, "gid", str),
                           context_value(raw, "topic", str), context_value(raw, "reach"))
    raise unknown_kind(raw)


def signature(post: Post) -> str:
    """What makes a re-read topic worth storing again: text and the engagement the risk score uses
    (views grow on every read and are left out)."""
    e = post.engagement
    return make_id(post.text, str(e.likes), str(e.comments), str(e.reposts))[:10]
