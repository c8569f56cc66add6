"""OK REST API JSON for the demo: recorded url.getInfo, group.getInfo, mediatopic.getTopics and
discussions.getComments calls, in the shapes ``collectors.ok`` reads."""
from __future__ import annotations

import base64
from datetime import datetime

from demo.corpus import MSK, Corpus, Item, Users

TOPICS_PAGE = 50  # as the collector asks


def _author(item: Item, gid: int, users: Users) -> str:
    return f"group:{gid}" if item.author == "group" else f"user:{users.id('ok', item.author)}"


def _comment_id(post: Item, n: int) -> str:
    return base64.b64encode(f"{post.id}:{n}".encode("ascii")).decode("ascii")


def ok_topic(post: Item, gid: int, when: datetime, users: Users) -> dict:
    f = post.fields
    return {"id": str(post.id), "created_ms": int(when.timestamp() * 1000), "owner_ref": f"group:{gid}",
            "author_ref": _author(post, gid, users), "media": [{"type": "text", "text": post.text}],
            "like_summary": {"count": f.get("likes", 0), "self": False},
            "reshare_summary": {"count": f.get("reshares", 0)},
            "discussion_summary": {"comments_count": len(post.thread)}, "views_count": f.get("views", 0)}


def ok_comments(post: Item, gid: int, at, users: Users) -> list[dict]:
    thread = post.thread
    ids = {id(c): _comment_id(post, n + 1) for n, c in enumerate(thread)}
    out = []
    for c in thread:
        obj = {"id": ids[id(c)], "date": at(c).astimezone(MSK).strftime("%Y-%m-%d %H:%M:%S"),
               "author_id": _author(c, gid, users).split(":", 1)[1], "text": c.text,
               "like_count": c.fields.get("likes", 0)}
        if c.parent is not post:
            obj["reply_to_comment_id"] = ids[id(c.parent)]
            obj["reply_to_id"] = _author(c.parent, gid, users).split(":", 1)[1]
        out.append(obj)
    return out


def render_ok(key: str, corpus: Corpus, at, users: Users) -> dict:
    source = corpus.sources[key]
    gid = source["group_id"]
    posts = sorted(corpus.posts_of(key), key=lambda p: -p.offset)
    calls: list[dict] = [
        {"method": "url.getInfo", "params": {"url": f"https://ok.ru/{source['shortname']}"},
         "response": {"type": "GROUP", "objectId": gid}},
        {"method": "group.getInfo", "params": {"uids": str(gid)},
         "response": [{"uid": str(gid), "name": source["name"], "shortname": source["shortname"],
                       "members_count": source["members"]}]},
    ]
    for start in range(0, len(posts), TOPICS_PAGE):
        chunk = posts[start:start + TOPICS_PAGE]
        params = {"gid": str(gid)} | ({"anchor": f"topics:{start}"} if start else {})
        more = start + TOPICS_PAGE < len(posts)
        calls.append({"method": "mediatopic.getTopics", "params": params,
                      "response": {"media_topics": [ok_topic(p, gid, at(p), users) for p in chunk],
                                   "has_more": more, "anchor": f"topics:{start + TOPICS_PAGE}"}})
    for post in posts:
        if post.thread:
            calls.append({"method": "discussions.getComments", "params": {"entityId": str(post.id)},
                          "response": {"comments": ok_comments(post, gid, at, users), "has_more": False}})
    return {"calls": calls}
