"""Telegram polls with their results, the channel's own replies in its discussion group, and posts
found deleted: the collector against the fake Telegram answering with real telethon.tl objects."""
from __future__ import annotations

from telethon.tl import types

from collectors.base import remap
from collectors.telegram.mapping import AUTHOR_FIELDS
from core.domain import Platform, post_id
from core.polls import Poll, PollOption
from core.privacy import Pseudonymizer
from testing.fakes.telegram_client import NOW, chat_message
from tests.collectors.telegram.conftest import collector

CHANNEL, DISCUSSION = 1700000700, 1700000799


def poll_media(voters: tuple[int, int], closed: bool = False) -> types.MessageMediaPoll:
    answers = [types.PollAnswer(text=types.TextWithEntities("Да, каждую неделю", []), option=b"0"),
               types.PollAnswer(text=types.TextWithEntities("Нет, хватит раз в месяц", []), option=b"1")]
    poll = types.Poll(id=77001, question=types.TextWithEntities("Нужен ли отдельный вывоз крупногабаритного мусора?", []),
                      answers=answers, hash=0, closed=closed)
    results = types.PollResults(results=[types.PollAnswerVoters(option=b"0", voters=voters[0]),
                                         types.PollAnswerVoters(option=b"1", voters=voters[1])],
                                total_voters=sum(voters))
    return types.MessageMediaPoll(poll=poll, results=results)


def test_a_poll_and_its_results_are_stored_and_new_votes_update_it(fake, channel, new_account):
    channel.add(chat_message(CHANNEL, 207, "", NOW, post=True, views=300, media=poll_media((120, 45))))
    first = collector(new_account(fake)).collect(None)
    posted = next(p for p in first.posts if p.native_id == "207")
    assert posted.poll == Poll(question="Нужен ли отдельный вывоз крупногабаритного мусора?", voters=165,
                               options=[PollOption(text="Да, каждую неделю", votes=120),
                                        PollOption(text="Нет, хватит раз в месяц", votes=45)])
    assert posted.display_text.startswith("Нужен ли отдельный вывоз")  # a poll alone still reads as text
    assert remap(first.raw[posted.id]).poll == posted.poll  # the stored payload (bytes as base64) maps alike

    channel.replace(207, media=poll_media((131, 47), closed=True))
    again = collector(new_account(fake)).collect(first.watermark)
    assert [p.native_id for p in again.posts] == ["207"]
    assert [o.votes for o in again.posts[0].poll.options] == [131, 47] and again.posts[0].poll.closed


def test_the_channels_own_reply_in_the_discussion_is_marked(fake, channel, new_account):
    channel.comments[201].append(chat_message(
        DISCUSSION, 9006, "Автобус ходит по Профсоюзной, остановка перенесена к рынку", NOW,
        from_id=types.PeerChannel(CHANNEL),
        reply_to=types.MessageReplyHeader(reply_to_msg_id=9001, reply_to_top_id=5001)))
    channel.replace(201, replies=types.MessageReplies(replies=4, replies_pts=40012, comments=True,
                                                      channel_id=DISCUSSION, max_id=9006))
    batch = collector(new_account(fake)).collect(None)
    posts = {p.native_id: p for p in batch.posts}
    answer, asked = posts["c9006"], posts["c9001"]
    assert answer.by_owner and not asked.by_owner and answer.parent_id == asked.id
    raw = Pseudonymizer(b"test-salt").raw(batch.raw[answer.id], AUTHOR_FIELDS)
    assert str(raw.payload["from_id"]["channel_id"]).startswith("anon-")
    assert remap(raw).by_owner is True


def test_a_recent_post_found_deleted_is_reported_for_marking(fake, channel, new_account):
    first = collector(new_account(fake)).collect(None)
    assert first.deleted == []
    channel.messages = [m for m in channel.messages if m.id != 204]
    again = collector(new_account(fake)).collect(first.watermark)
    assert again.deleted == [post_id(Platform.telegram, "pestovo_live", "204")]
    assert collector(new_account(fake)).collect(again.watermark).deleted == []
