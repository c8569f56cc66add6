"""The Telegram watermark (``collectors/telegram/watermark.py``): what a scan remembers of a chat,
when a channel post is worth storing again, and how the watermark moves (never back)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from collectors.base import CollectorError
from collectors.telegram.watermark import ChatWatermark, Seen, advance

EDITED = datetime(2026, 11, 19, 9, 30, tzinfo=timezone.utc)


def test_what_is_seen_of_a_post():
    post = {"edit_date": EDITED.isoformat(), "views": 1200, "forwards": 3, "replies": {"replies": 4},
            "reactions": {"results": [{"count": 5}, {"count": 2}]},
            "media": {"_": "MessageMediaPoll", "poll": {"question": "Горка?", "closed": True,
                                                         "answers": [{"text": "Да", "option": "AA=="},
                                                                     {"text": "Нет", "option": "AQ=="}]},
                      "results": {"total_voters": 9, "results": [{"option": "AA==", "voters": 6},
                                                                  {"option": "AQ==", "voters": 3}]}}}
    assert Seen.of(post, comment_id=77) == Seen(edited=int(EDITED.timestamp()), views=1200, forwards=3, reactions=7,
                                                replies=4, comment_id=77, poll_votes=6 + 3 + 9 + 1)
    assert Seen.of({"edit_date": EDITED}).edited == int(EDITED.timestamp())  # a live message
    assert Seen.of({"edit_date": "вчера", "views": -5, "forwards": True}) == Seen()
    assert Seen.of({"views": "100", "forwards": 0}) == Seen()


@pytest.mark.parametrize("before, after, changed", [
    (Seen(views=1000), Seen(views=1099), False),
    (Seen(views=1000), Seen(views=1100), True),  # 10 % more
    (Seen(views=50), Seen(views=59), False),
    (Seen(views=50), Seen(views=60), True),  # at least 10 more
    (Seen(views=1000), Seen(views=900), False),
    (Seen(), Seen(views=10), True),
    (Seen(views=5, edited=1), Seen(views=5, edited=2), True),
    (Seen(views=5, forwards=1), Seen(views=5, forwards=2), True),
    (Seen(views=5, reactions=1), Seen(views=5, reactions=0), True),
    (Seen(views=5, replies=1), Seen(views=5, replies=2), True),
    (Seen(views=5, poll_votes=1), Seen(views=5, poll_votes=2), True),
    (Seen(views=5, comment_id=1), Seen(views=5, comment_id=9), False),  # comments are read by their own id
])
def test_a_post_is_stored_again_only_when_it_changed(before, after, changed):
    assert before.changed(after) is changed


def test_the_watermark_round_trips_in_its_compact_form():
    mark = ChatWatermark(120, {10: Seen(1, 2, 3, 4, 5, 6, 7), 9: Seen(views=8)})
    text = mark.dump()
    assert text == '{"min_id": 120, "recent": {"9": [0, 8, 0, 0, 0, 0, 0], "10": [1, 2, 3, 4, 5, 6, 7]}}'
    assert ChatWatermark.parse(text, "chat") == mark
    assert ChatWatermark(7).dump() == '{"min_id": 7}'
    assert ChatWatermark.parse('{"min_id": "11"}', "chat") == ChatWatermark(11)
    assert ChatWatermark.parse(None, "chat") == ChatWatermark() == ChatWatermark.parse("", "chat")
    before_polls = ChatWatermark.parse('{"min_id": 3, "recent": {"2": [0, 1, 2, 3, 4, 5]}}', "chat")
    assert before_polls.recent[2] == Seen(0, 1, 2, 3, 4, 5, 0)


@pytest.mark.parametrize("text", ['{"recent": {}}', "[1, 2]", "не json", '{"min_id": "много"}',
                                  '{"min_id": 1, "recent": {"x": [1]}}', '{"min_id": 1, "recent": {"2": 5}}'])
def test_a_foreign_watermark_is_a_clear_error(text):
    with pytest.raises(CollectorError, match=r"^pestovo_chat: watermark: not a Telegram watermark \(.*\): ") as error:
        ChatWatermark.parse(text, "pestovo_chat")
    assert repr(text[:80]) in str(error.value)


def test_only_the_newest_posts_are_remembered():
    mark = ChatWatermark(50, {i: Seen(views=i) for i in (3, 41, 7, 50, 12)})
    mark.keep_newest(3)
    assert sorted(mark.recent) == [12, 41, 50]
    mark.keep_newest(0)
    assert mark.recent == {}


def test_the_watermark_moves_forward_never_back():
    assert advance(None, "chat", 15) == '{"min_id": 15}'
    assert advance('{"min_id": 30}', "chat", 15) == '{"min_id": 30}'
    assert advance('{"min_id": 30}', "chat", 31) == '{"min_id": 31}'
    live = advance('{"min_id": 30, "recent": {"28": [0, 5, 0, 0, 0, 0, 0]}}', "chat", 32, post=32, keep=2)
    assert ChatWatermark.parse(live, "chat") == ChatWatermark(32, {28: Seen(views=5), 32: Seen()})
    crowded = advance(live, "chat", 33, post=33, keep=2)
    assert sorted(ChatWatermark.parse(crowded, "chat").recent) == [32, 33]
    kept = advance(live, "chat", 33, post=28, keep=2)  # already remembered: its numbers stay
    assert ChatWatermark.parse(kept, "chat").recent[28] == Seen(views=5)
    assert ChatWatermark.parse(advance(live, "chat", 33, post=34, keep=0), "chat").recent == \
        {28: Seen(views=5), 32: Seen()}  # a chat (keep 0) remembers no posts


def test_small_numbers_and_hidden_poll_voters():
    assert Seen.of({"views": 1, "forwards": 1}) == Seen(views=1, forwards=1)
    hidden = {"media": {"_": "MessageMediaPoll", "poll": {"question": "Горка?",
                                                           "answers": [{"text": "Да", "option": "AA=="}]}}}
    assert Seen.of(hidden).poll_votes == 0  # results not shown yet: nothing counted


def test_advance_names_the_chat_of_a_foreign_watermark_and_keeps_what_it_is_told():
    with pytest.raises(CollectorError, match="^pestovo_live: watermark: not a Telegram watermark"):
        advance("не json", "pestovo_live", 5)
    long = "x" * 200
    with pytest.raises(CollectorError) as error:
        ChatWatermark.parse(long, "chat")
    assert str(error.value).endswith(": " + repr("x" * 80))
    assert ChatWatermark.parse(advance(None, "chat", 5, post=5), "chat").recent == {}  # keep defaults to 0
    assert ChatWatermark.parse(advance(None, "chat", 9, post=9, keep=1), "chat").recent == {9: Seen()}
