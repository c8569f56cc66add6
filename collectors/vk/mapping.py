"""Pure mapping of VK API objects (API 5.199) to ``Post``s (4CAT's ``map_item``)."""
from __future__ import annotations

from typing import Any

from collectors.base import BadPayload
from collectors.text import clean_text, from_unix
from mcu.domain import Engagement, Platform, Post, post_id


def _count(item: dict, key: str) -> int:
    value = item.get(key)
    if isinstance(value, dict):
        value = value.get("count", 0)
    return value if isinstance(value, int) and value >= 0 else 0


def _require(item: Any, key: str, kind: type, source: str) -> Any:
    if not isinstance(item, dict):
        raise BadPayload(source, "?", "(item)", f"expected an object, got {type(item).__name__}")
    value = item.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        got = "missing" if value is None else f"{type(value).__name__} {value!r:.40}"
        raise BadPayload(source, item.get("id", "?"), key, f"expected {kind.__name__}, got {got}")
    return value


def map_group(response: Any) -> dict:
    """The group record of a groups.getById response (old list form or new ``{"groups": []}`` form)."""
    groups = response.get("groups") if isinstance(response, dict) else response
    if not groups:
        raise BadPayload("vk", "groups.getById", "groups", "empty response")
    return groups[0]


def map_post(item: Any, source: str, reach: int) -> Post:
    native = _require(item, "id", int, source)
    owner = _require(item, "owner_id", int, source)
    date = _require(item, "date", int, source)
    text = clean_text(item.get("text"))
    return Post(
        platform=Platform.vk,
        source=source,
        native_id=f"{owner}_{native}",
        url=f"https://vk.com/wall{owner}_{native}",
        author=str(item.get("signer_id") or item.get("from_id") or owner),
        text=text,
        published_at=from_unix(date),
        engagement=Engagement(
            likes=_count(item, "likes"),
            comments=_count(item, "comments"),
            reposts=_count(item, "reposts"),
            views=_count(item, "views"),
        ),
        reach=reach,
    )


def map_comment(item: Any, source: str, owner: int, post_native: int, reach: int) -> Post:
    native = _require(item, "id", int, source)
    date = _require(item, "date", int, source)
    root = post_id(Platform.vk, source, f"{owner}_{post_native}")
    stack = item.get("parents_stack") or [None]
    reply_to = item.get("reply_to_comment") or stack[-1]
    parent = post_id(Platform.vk, source, f"{owner}_{post_native}_c{reply_to}") if reply_to else root
    return Post(
        platform=Platform.vk,
        source=source,
        native_id=f"{owner}_{post_native}_c{native}",
        url=f"https://vk.com/wall{owner}_{post_native}?reply={native}",
        author=str(item.get("from_id", "")) or None,
        text=clean_text(item.get("text")),
        published_at=from_unix(date),
        engagement=Engagement(likes=_count(item, "likes")),
        parent_id=parent,
        thread_id=root,
        reach=reach,
    )
