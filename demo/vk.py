"""VK API JSON for the demo: recorded groups.getById, wall.get and wall.getComments calls."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from demo.corpus import VK_PAGE, Corpus, Item, Users


def _vk_from(item: Item, source: dict, users: Users) -> int:
    return -source["group_id"] if item.author == "group" else users.id("vk", item.author)


def _vk_likes(count: int) -> dict:
    return {"count": count, "user_likes": 0, "can_like": 1}


def vk_post(post: Item, source: dict, when: datetime, users: Users) -> dict:
    owner = -source["group_id"]
    f = post.fields
    obj: dict[str, Any] = {"id": post.id, "owner_id": owner,
                           "from_id": owner if "signer" in f else _vk_from(post, source, users)}
    if f.get("pinned"):
        obj["is_pinned"] = 1
    obj.update({
        "date": int(when.timestamp()), "post_type": "post", "text": post.text,
        "comments": {"count": len(post.thread), "can_post": 1},
        "likes": _vk_likes(f.get("likes", 0)),
        "reposts": {"count": f.get("reposts", 0), "user_reposted": 0},
        "views": {"count": f.get("views", 0)}, "attachments": [],
    })
    if "signer" in f:
        obj["signer_id"] = users.id("vk", f["signer"])
    if "poll" in f:
        obj["attachments"].append({"type": "poll", "poll": vk_poll(f["poll"], post.id, owner, int(when.timestamp()))})
    return obj


def vk_poll(poll: dict, post_id: int, owner: int, created: int) -> dict:
    """A VK poll object (API 5.199) from the corpus' ``poll: {question, answers: [[text, votes]…]}``."""
    answers = [{"id": i + 1, "text": text, "votes": votes} for i, (text, votes) in enumerate(poll["answers"])]
    total = sum(a["votes"] for a in answers)
    for answer in answers:
        answer["rate"] = round(100 * answer["votes"] / total, 2) if total else 0
    return {"id": 900000 + post_id, "owner_id": owner, "created": created, "question": poll["question"],
            "votes": total, "answers": answers, "anonymous": True, "multiple": bool(poll.get("multiple")),
            "closed": bool(poll.get("closed")), "end_date": 0, "answer_ids": [], "can_vote": True}


def vk_comment(c: Item, post: Item, source: dict, at, users: Users) -> dict:
    obj = {"id": c.id, "from_id": _vk_from(c, source, users), "post_id": post.id,
           "owner_id": -source["group_id"], "date": int(at(c).timestamp()), "text": c.text,
           "likes": _vk_likes(c.fields.get("likes", 0))}
    if c.parent is post:
        replies = c.thread
        obj["parents_stack"] = []
        obj["thread"] = {"count": len(replies), "can_post": True,
                         "items": [vk_comment(r, post, source, at, users) for r in replies[:10]]}
    else:
        obj["reply_to_user"] = _vk_from(c.parent, source, users)
        obj["reply_to_comment"] = c.parent.id
        obj["parents_stack"] = [c.root_comment(post).id]
    return obj


def render_vk(key: str, corpus: Corpus, at, users: Users) -> dict:
    source = corpus.sources[key]
    gid = source["group_id"]
    posts = sorted(corpus.posts_of(key), key=lambda p: (not p.fields.get("pinned"), -p.offset))
    group = {"id": gid, "name": source["name"], "screen_name": source["screen_name"], "is_closed": 0,
             "type": source["type"], "members_count": source["members"]}
    calls: list[dict] = [{"method": "groups.getById",
                          "params": {"group_id": source["screen_name"], "fields": "members_count"},
                          "response": {"groups": [group], "profiles": []}}]
    items = [vk_post(p, source, at(p), users) for p in posts]
    for start in range(0, max(len(items), 1), VK_PAGE):
        calls.append({"method": "wall.get", "params": {"owner_id": -gid, "count": VK_PAGE, "offset": start},
                      "response": {"count": len(items), "items": items[start:start + VK_PAGE]}})
    for post in posts:
        if post.children:
            top = sorted(post.children, key=lambda c: c.offset)
            calls.append({"method": "wall.getComments",
                          "params": {"owner_id": -gid, "post_id": post.id, "count": 100, "offset": 0,
                                     "thread_items_count": 10, "extended": 0},
                          "response": {"count": len(post.thread), "current_level_count": len(top),
                                       "can_post": True,
                                       "items": [vk_comment(c, post, source, at, users) for c in top]}})
    return {"calls": calls}

