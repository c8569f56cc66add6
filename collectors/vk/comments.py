"""Comments under wall posts and their threads, batched: up to 25 ``wall.getComments`` per ``execute``.

The first page of every post goes out in one batch; further pages and long threads
(more replies than the 10 that come with a comment) follow in the next rounds.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from collectors.base import BadPayload
from collectors.vk.client import Call
from collectors.vk.mapping import is_deleted, map_comment, raw_comment
from core.domain import Post, RawItem

Emit = Callable[[Post, RawItem], None]

PAGE = 100
THREAD_ITEMS = 10  # replies VK returns with each comment (its maximum)


@dataclass
class CommentRequest:
    post: int  # native id of the post on the wall
    after: int | None = None  # store only comments with a higher id; None stores all


@dataclass
class CommentsResult:
    highest: dict[int, int] = field(default_factory=dict)  # post → highest comment id seen
    unavailable: dict[int, tuple[str, list[int]]] = field(default_factory=dict)  # code → (reason, posts)
    problems: list[str] = field(default_factory=list)
    skipped: int = 0


def _page(owner: int, post: int, offset: int, comment_id: int | None = None) -> Call:
    params: dict[str, Any] = {"owner_id": owner, "post_id": post, "count": PAGE, "offset": offset,
                              "need_likes": 1, "extended": 0}
    if comment_id is None:
        params["thread_items_count"] = THREAD_ITEMS
    else:
        params["comment_id"] = comment_id
    return "wall.getComments", params


def _more(answer: dict, params: dict, items: list) -> bool:
    total = answer.get("count") if "comment_id" in params else answer.get("current_level_count", answer.get("count"))
    if isinstance(total, int) and not isinstance(total, bool):
        return params["offset"] + PAGE < total and bool(items)
    return len(items) >= PAGE


def fetch_comments(api, owner: int, requests: list[CommentRequest], source: str, reach: int,
                   emit: Emit) -> CommentsResult:
    """Map and ``emit`` the wanted comments of several posts, each with its raw item; report
    what could not be read."""
    result = CommentsResult(highest={r.post: r.after or 0 for r in requests})
    after = {r.post: r.after for r in requests}
    queue = [_page(owner, r.post, 0) for r in requests]
    while queue:
        answers = api.call_many(queue)
        follow: list[Call] = []
        for (_, params), answer in zip(queue, answers):
            post = params["post_id"]
            if isinstance(answer, Exception):
                reason, posts = result.unavailable.setdefault(getattr(answer, "code", -1), (str(answer), []))
                posts.append(post)
                continue
            items = answer.get("items") if isinstance(answer, dict) else None
            if not isinstance(items, list):
                result.problems.append(f"{source}: post {owner}_{post}: field «items»: comments answer without a list")
                continue
            if _more(answer, params, items):
                follow.append(_page(owner, post, params["offset"] + PAGE, params.get("comment_id")))
            for item in items:
                entries = [item]
                thread = item.get("thread") if isinstance(item, dict) and "comment_id" not in params else None
                if isinstance(thread, dict):
                    replies = thread.get("items") if isinstance(thread.get("items"), list) else []
                    entries += replies
                    if isinstance(thread.get("count"), int) and thread["count"] > len(replies) \
                            and isinstance(item.get("id"), int):
                        follow.append(_page(owner, post, 0, comment_id=item["id"]))
                for entry in entries:
                    _emit_comment(entry, post, owner, source, reach, after[post], result, emit)
        queue = follow
    return result


def _emit_comment(entry: Any, post: int, owner: int, source: str, reach: int, after: int | None,
                  result: CommentsResult, emit: Emit) -> None:
    if is_deleted(entry):
        return  # a placeholder kept for its replies: nothing to store
    try:
        comment = map_comment(entry, source, owner, post, reach)
    except BadPayload as exc:
        result.problems.append(str(exc))
        result.skipped += 1
        return
    native = entry["id"]
    result.highest[post] = max(result.highest.get(post, 0), native)
    if after is None or native > after:
        emit(comment, raw_comment(comment, entry, owner, post, reach))
