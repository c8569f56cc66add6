"""Keyword and geo search across VK (``newsfeed.search``) for posts outside the known publics."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from collectors.base import BadPayload
from collectors.vk.mapping import map_post, raw_post
from core.domain import Post, RawItem

PAGE = 200  # newsfeed.search maximum
MAX_PAGES = 5  # VK returns at most 1,000 results per query


@dataclass
class SearchResult:
    newest: int
    found: int = 0
    problems: list[str] = field(default_factory=list)
    skipped: int = 0


def _audiences(answer: dict) -> dict[int, int]:
    """Owner id → audience, from the groups and profiles of an extended answer."""
    reach: dict[int, int] = {}
    for group in answer.get("groups") or []:
        if isinstance(group, dict) and isinstance(group.get("id"), int):
            reach[-group["id"]] = group.get("members_count") if isinstance(group.get("members_count"), int) else 0
    for profile in answer.get("profiles") or []:
        if isinstance(profile, dict) and isinstance(profile.get("id"), int):
            reach[profile["id"]] = profile.get("followers_count") if isinstance(profile.get("followers_count"), int) else 0
    return reach


def search_posts(api, query: str, since: int, source: str, emit: Callable[[Post, RawItem], None],
                 latitude: float | None = None, longitude: float | None = None) -> SearchResult:
    """Posts matching ``query`` newer than ``since`` (unix time), newest first, page by page."""
    params: dict[str, Any] = {"q": query, "count": PAGE, "extended": 1, "fields": "members_count,followers_count",
                              "start_time": since + 1}
    if latitude is not None and longitude is not None:
        params.update(latitude=latitude, longitude=longitude)
    result = SearchResult(newest=since)
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        answer = api.call("newsfeed.search", **params, **({"start_from": cursor} if cursor else {}))
        items = answer.get("items") if isinstance(answer, dict) else None
        if not isinstance(items, list):
            result.problems.append(f"{source}: search «{query}»: field «items»: answer without a list")
            break
        reach = _audiences(answer)
        for item in items:
            owner = item.get("owner_id") if isinstance(item, dict) else None
            try:
                post = map_post(item, source, reach.get(owner, 0))
            except BadPayload as exc:
                result.problems.append(str(exc))
                result.skipped += 1
                continue
            if int(item["date"]) <= since or post.is_empty:
                continue
            result.newest = max(result.newest, int(item["date"]))
            result.found += 1
            emit(post, raw_post(post, item, reach.get(owner, 0)))
        cursor = answer.get("next_from")
        if not items or not isinstance(cursor, str) or not cursor:
            break
    return result
