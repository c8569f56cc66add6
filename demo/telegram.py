"""Telethon-like dumps for the demo: chats, channels and the comments under channel posts."""
from __future__ import annotations

from datetime import datetime, timezone

from demo.corpus import Corpus, Item, Users, kind_of


def _peer(channel_id: int) -> dict:
    return {"_": "PeerChannel", "channel_id": channel_id}


def _reactions(spec: dict | None) -> dict | None:
    if not spec:
        return None
    ordered = sorted(spec.items(), key=lambda kv: -kv[1])  # Telegram lists the biggest first
    return {"_": "MessageReactions", "results": [
        {"_": "ReactionCount", "reaction": {"_": "ReactionEmoji", "emoticon": emoji}, "count": count}
        for emoji, count in ordered]}


def _replies(count: int, max_id: int | None, comments: bool, channel_id: int | None) -> dict:
    return {"_": "MessageReplies", "replies": count, "replies_pts": 10000 + (max_id or 0) % 90000,
            "comments": comments, "recent_repliers": [], "channel_id": channel_id,
            "max_id": max_id, "read_max_id": None}


def tg_message(msg_id: int, chat_id: int, when: datetime, text: str, from_id: dict | None, *,
               reply_to: dict | None = None, views: int | None = None, forwards: int | None = None,
               replies: dict | None = None, reactions: dict | None = None, post: bool = False) -> dict:
    """A dict shaped like telethon's ``Message.to_dict()`` (datetimes as ISO strings)."""
    return {"_": "Message", "id": msg_id, "peer_id": _peer(chat_id),
            "date": when.astimezone(timezone.utc).isoformat(), "message": text, "out": False,
            "mentioned": False, "silent": False, "post": post, "pinned": False,
            "from_id": from_id, "fwd_from": None, "via_bot_id": None, "reply_to": reply_to,
            "media": None, "entities": [], "views": views, "forwards": forwards, "replies": replies,
            "edit_date": None, "post_author": None, "grouped_id": None, "reactions": reactions}


def _reply_header(msg_id: int, top_id: int | None) -> dict:
    return {"_": "MessageReplyHeader", "reply_to_msg_id": msg_id, "reply_to_top_id": top_id,
            "forum_topic": False}


def _tg_chat(chat_id: int, title: str, username: str | None, broadcast: bool, members: int | None) -> dict:
    return {"_": "Channel", "id": chat_id, "title": title, "username": username,
            "megagroup": not broadcast, "broadcast": broadcast, "participants_count": members}


def render_telegram(key: str, corpus: Corpus, at, users: Users) -> dict:
    source = corpus.sources[key]
    chat_id = source["chat_id"]
    posts = corpus.posts_of(key)

    def sender(item: Item) -> dict:
        if item.author == "group":
            return _peer(chat_id)
        return {"_": "PeerUser", "user_id": users.id("telegram", item.author)}

    if kind_of(source) == "chat":
        messages = []
        for post in posts:
            thread = post.thread
            replies = _replies(len(thread), thread[-1].id, False, None) if thread else None
            messages.append(tg_message(post.id, chat_id, at(post), post.text, sender(post),
                                       replies=replies, reactions=_reactions(post.fields.get("reactions"))))
            for c in thread:
                header = _reply_header(c.parent.id, None if c.parent is post else post.id)
                messages.append(tg_message(c.id, chat_id, at(c), c.text, sender(c), reply_to=header,
                                           reactions=_reactions(c.fields.get("reactions"))))
        messages.sort(key=lambda m: -m["id"])  # newest first, like iter_messages
        return {"chat": _tg_chat(chat_id, source["name"], source["username"], False, source["members"]),
                "messages": messages}

    disc = source["discussion"]
    messages, comments = [], {}
    for post in sorted(posts, key=lambda p: -p.id):
        thread = post.thread
        f = post.fields
        messages.append(tg_message(
            post.id, chat_id, at(post), post.text, None, post=True, views=f.get("views", 0),
            forwards=f.get("forwards", 0), reactions=_reactions(f.get("reactions")),
            replies=_replies(len(thread), thread[-1].id if thread else None, True, disc["chat_id"])))
        if thread:
            comments[str(post.id)] = [
                tg_message(c.id, disc["chat_id"], at(c), c.text, sender(c),
                           reply_to=_reply_header(post.fwd_id if c.parent is post else c.parent.id, post.fwd_id),
                           reactions=_reactions(c.fields.get("reactions")))
                for c in reversed(thread)]
    return {"chat": _tg_chat(chat_id, source["name"], source["username"], True, source["members"]),
            "discussion": _tg_chat(disc["chat_id"], disc["name"], None, False, None),
            "messages": messages, "comments": comments}

