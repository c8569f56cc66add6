"""Pure mapping of VK API objects (API 5.199) to ``Post``s (4CAT's ``map_item``), and the
raw items kept beside them: ``remap`` maps a stored one again without calling VK."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from collectors.base import BadPayload, context_value, raw_item, register_mapping, unknown_kind
from collectors.text import clean_field, from_unix
from core.domain import Attachment, Engagement, Platform, Post, RawItem, make_id, post_id
from core.privacy import id_text
from core.polls import Poll, PollOption

MAPPER_VERSION = 4
"""Bump when the same payload maps to a different post; ``mcu remap`` then re-maps stored items."""
AUTHOR_FIELDS = ("from_id", "signer_id", "user_id", "reply_to_user", "created_by", "copy_history.owner_id",
                 "author_id", "friends.id")
"""Payload keys that hold citizens' ids (pseudonymised in stored raw items)."""


def _count(item: dict, key: str) -> int:
    value = item.get(key)
    if isinstance(value, dict):
        value = value.get("count", 0)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _require(item: Any, key: str, kind: type, source: str) -> Any:
    if not isinstance(item, dict):
        raise BadPayload(source, "?", "(item)", f"expected an object, got {type(item).__name__}")
    value = item.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        got = "missing" if value is None else f"{type(value).__name__} {value!r:.40}"
        raise BadPayload(source, item.get("id", "?"), key, f"expected {kind.__name__}, got {got}")
    return value


def _timestamp(item: dict, source: str) -> datetime:
    """The item's ``date`` (unix seconds) as UTC; a missing, non-integer or impossible date is the
    item's BadPayload."""
    date = _require(item, "date", int, source)
    try:
        return from_unix(date)
    except ValueError as exc:
        raise BadPayload(source, item.get("id", "?"), "date", str(exc)) from None


def map_group(response: Any) -> dict:
    """The group record of a groups.getById response (old list form or new ``{"groups": []}`` form)."""
    groups = response.get("groups") if isinstance(response, dict) else response
    if not groups or not isinstance(groups, list) or not isinstance(groups[0], dict):
        raise BadPayload("vk", "groups.getById", "groups", "empty response")
    if not isinstance(groups[0].get("id"), int):
        raise BadPayload("vk", "groups.getById", "id", "group without a numeric id")
    return groups[0]


def _post_text(item: dict, source: str, ref: str) -> str:
    """The post's own text, followed by the text of the post it reposts (``copy_history``)."""
    parts = [item.get("text")]
    history = item.get("copy_history")
    if isinstance(history, list):
        parts += [h.get("text") for h in history if isinstance(h, dict)]
    joined = "\n\n".join(str(p) for p in parts if isinstance(p, (str, int, float)) and str(p).strip())
    return clean_field(joined, source, ref, "text")


def _attachment(entry: Any) -> Attachment | None:
    """One item of VK's ``attachments`` (photo, video, doc, link, audio, poll …) as an ``Attachment``."""
    if not isinstance(entry, dict) or not isinstance(entry.get("type"), str):
        return None
    kind = entry["type"]
    body = entry.get(kind) if isinstance(entry.get(kind), dict) else {}
    url = title = None
    if kind == "photo":
        sizes = [s for s in body.get("sizes") or [] if isinstance(s, dict) and isinstance(s.get("url"), str)]
        if sizes:  # the largest
            url = max(sizes, key=lambda s: (s.get("width") or 0) * (s.get("height") or 0))["url"]
        title = body.get("text") or None
    elif kind == "video":
        if isinstance(body.get("owner_id"), int) and isinstance(body.get("id"), int):
            url = f"https://vk.com/video{body['owner_id']}_{body['id']}"
        title = body.get("title")
    elif kind in ("doc", "link"):
        url, title = body.get("url"), body.get("title")
    elif kind == "audio":
        title = " — ".join(str(body[k]) for k in ("artist", "title") if body.get(k)) or None
    elif kind == "poll":
        title = body.get("question")
    else:
        kind = "other"
    return Attachment(type=kind, url=url if isinstance(url, str) else None,
                      title=str(title)[:300] if isinstance(title, str) and title else None)


def attachments_of(item: dict) -> list[Attachment]:
    """The post's own attachments, then those of the post it reposts."""
    entries = list(item.get("attachments") or []) if isinstance(item.get("attachments"), list) else []
    history = item.get("copy_history")
    if isinstance(history, list):
        for shared in history:
            if isinstance(shared, dict) and isinstance(shared.get("attachments"), list):
                entries += shared["attachments"]
    return [found for found in map(_attachment, entries) if found is not None]


def _votes(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def poll_of(item: dict) -> Poll | None:
    """The first poll among the post's attachments (or the reposted post's), with its results."""
    entries = list(item.get("attachments") or []) if isinstance(item.get("attachments"), list) else []
    for shared in item.get("copy_history") or [] if isinstance(item.get("copy_history"), list) else []:
        if isinstance(shared, dict) and isinstance(shared.get("attachments"), list):
            entries += shared["attachments"]
    for entry in entries:
        body = entry.get("poll") if isinstance(entry, dict) and entry.get("type") == "poll" else None
        if not isinstance(body, dict) or not isinstance(body.get("question"), str) or not body["question"].strip():
            continue
        options = [PollOption(text=str(answer["text"]).strip(), votes=_votes(answer.get("votes")))
                   for answer in body.get("answers") or []
                   if isinstance(answer, dict) and isinstance(answer.get("text"), str) and answer["text"].strip()]
        return Poll(question=body["question"].strip(), options=options, voters=_votes(body.get("votes")),
                    closed=bool(body.get("closed")), multiple=bool(body.get("multiple")),
                    anonymous=body.get("anonymous") is not False)
    return None


def map_post(item: Any, source: str, reach: int) -> Post:
    native = _require(item, "id", int, source)
    owner = _require(item, "owner_id", int, source)
    published_at = _timestamp(item, source)
    ref = f"{owner}_{native}"
    return Post(
        platform=Platform.vk,
        source=source,
        native_id=ref,
        url=f"https://vk.com/wall{ref}",
        author=id_text(item.get("signer_id")) or id_text(item.get("from_id")) or str(owner),
        text=_post_text(item, source, ref),
        published_at=published_at,
        engagement=Engagement(
            likes=_count(item, "likes"),
            comments=_count(item, "comments"),
            reposts=_count(item, "reposts"),
            views=_count(item, "views"),
        ),
        reach=reach,
        attachments=attachments_of(item),
        poll=poll_of(item),
    )


def map_comment(item: Any, source: str, owner: int, post_native: int, reach: int,
                by_owner: bool | None = None) -> Post:
    """A comment; ``by_owner`` (from a stored raw item's context, whose ``from_id`` is pseudonymised)
    says whether the community itself wrote it, else ``from_id == owner`` does."""
    native = _require(item, "id", int, source)
    published_at = _timestamp(item, source)
    root = post_id(Platform.vk, source, f"{owner}_{post_native}")
    stack = item.get("parents_stack") or [None]
    reply_to = item.get("reply_to_comment") or (stack[-1] if isinstance(stack, list) else None)
    parent = post_id(Platform.vk, source, f"{owner}_{post_native}_c{reply_to}") if reply_to else root
    ref = f"{owner}_{post_native}_c{native}"
    return Post(
        platform=Platform.vk,
        source=source,
        native_id=ref,
        url=f"https://vk.com/wall{owner}_{post_native}?reply={native}",
        author=id_text(item.get("from_id")),  # VK gives integers, a pseudonymised raw item text
        text=clean_field(item.get("text"), source, ref, "text"),
        published_at=published_at,
        engagement=Engagement(likes=_count(item, "likes")),
        parent_id=parent,
        thread_id=root,
        reach=reach,
        attachments=attachments_of(item),
        by_owner=by_owner if by_owner is not None else item.get("from_id") == owner,
    )


def raw_post(post: Post, item: dict, reach: int) -> RawItem:
    """The raw item of a wall post or a search result."""
    return raw_item(post, "post", MAPPER_VERSION, item, reach=reach)


def raw_comment(post: Post, item: dict, owner: int, post_native: int, reach: int) -> RawItem:
    return raw_item(post, "comment", MAPPER_VERSION, item, owner=owner, post=post_native, reach=reach,
                    by_owner=post.by_owner)


@register_mapping("vk", MAPPER_VERSION, AUTHOR_FIELDS)
def remap(raw: RawItem, source=None) -> Post:
    """A stored wall post, search result or comment mapped again by the functions above."""
    if raw.kind == "post":
        return map_post(raw.payload, raw.source, context_value(raw, "reach"))
    if raw.kind == "comment":
        by_owner = raw.context.get("by_owner")
        return map_comment(raw.payload, raw.source, context_value(raw, "owner"), context_value(raw, "post"),
                           context_value(raw, "reach"), by_owner if isinstance(by_owner, bool) else None)
    raise unknown_kind(raw)


def is_deleted(item: Any) -> bool:
    """VK keeps a deleted comment as a placeholder while its thread has replies."""
    return isinstance(item, dict) and bool(item.get("deleted"))


def signature(post: Post) -> str:
    """What makes a re-read post worth storing again: its text, the engagement the risk score uses
    and its poll's votes.

    Views are left out on purpose: they grow on every read and would re-store every post.
    """
    e = post.engagement
    votes = [str(o.votes) for o in post.poll.options] + [str(post.poll.closed)] if post.poll else []
    return make_id(post.text, str(e.likes), str(e.comments), str(e.reposts), *votes)[:10]
