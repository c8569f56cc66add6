"""The alert outbox against the fake Bot API: the chat's rate limit, 429 storms, outages and
restarts, with every alert delivered exactly once."""
from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from aiogram.types import InlineKeyboardMarkup
from pydantic import SecretStr

from alerts.outbox import Outbox
from alerts.telegram.config import BotConfig, make_bot
from alerts.telegram.delivery import Delivery, reconcile
from core.domain import Alert
from store.sqlite import SqliteStore
from testing.fakes.telegram_bot import TOKEN

CHAT = -1009876543210


def config(api) -> BotConfig:
    return BotConfig(token=SecretStr(TOKEN), api_server=api.url, chat_id=CHAT, chats=frozenset({CHAT}),
                     members=frozenset(), rate_per_minute=20, polling_timeout=1)


def render(risk_id: str):
    return f"<b>Карточка</b> риска {risk_id}", InlineKeyboardMarkup(inline_keyboard=[])


def fill(outbox: Outbox, n: int, prefix: str = "r") -> list[str]:
    ids = [f"{prefix}{i:03d}" for i in range(n)]
    for risk_id in ids:
        outbox.enqueue_card(CHAT, risk_id, f"alert-{risk_id}", time.time())
    return ids


def delivered_cards(api) -> list[str]:
    return [c.params["text"].split()[-1] for c in api.ok_calls("sendMessage")]


async def drive(outbox: Outbox, api, until, deadline: float = 30.0, render=render) -> None:
    """Run delivery passes (a fresh bot, as after a restart) until ``until()`` or the deadline."""
    bot = make_bot(config(api))
    delivery = Delivery(outbox, bot, render, rate_per_minute=20)
    end = time.monotonic() + deadline
    try:
        while not until() and time.monotonic() < end:
            wait = await delivery.run_once()
            await asyncio.sleep(0.05 if wait is None else min(max(wait, 0.05), 1.0))
    finally:
        await bot.session.close()


def test_rate_limit_is_twenty_a_minute_per_chat(api, tmp_path):
    outbox = Outbox(tmp_path / "outbox.sqlite")
    fill(outbox, 25)
    clock = [1_000_000.0]

    async def run() -> list[float | None]:
        bot = make_bot(config(api))
        delivery = Delivery(outbox, bot, render, rate_per_minute=20, clock=lambda: clock[0])
        waits = [await delivery.run_once()]
        clock[0] += 30
        waits.append(await delivery.run_once())
        clock[0] += 31
        waits.append(await delivery.run_once())
        await bot.session.close()
        return waits

    first, second, third = asyncio.run(run())
    calls = api.ok_calls("sendMessage")
    assert len(calls) == 25
    assert first == 60.0 and second == 30.0 and third is None  # the window reopens 60 s after the first send
    assert outbox.counts() == {"sent": 25}
    outbox.close()


def test_outage_429_storm_and_restarts_deliver_each_alert_once(api, tmp_path):
    path = tmp_path / "outbox.sqlite"
    outbox = Outbox(path)
    ids = fill(outbox, 12)
    api.go_down()
    asyncio.run(_one_pass(outbox, api))
    assert delivered_cards(api) == [] and outbox.counts() == {"pending": 12}
    outbox.close()  # the bot process dies during the outage

    api.come_back()
    api.fail_next("sendMessage", 3, status=429, retry_after=1)
    api.fail_next("sendMessage", 1, status=502)
    outbox = Outbox(path)  # … and restarts
    asyncio.run(drive(outbox, api, until=lambda: len(delivered_cards(api)) >= 5))
    outbox.close()  # restarts again half-way
    outbox = Outbox(path)
    asyncio.run(drive(outbox, api, until=lambda: outbox.counts().get("pending", 0) == 0))
    assert sorted(delivered_cards(api)) == ids  # every alert once, none twice
    assert delivered_cards(api) == ids  # and in order
    assert outbox.counts() == {"sent": 12}
    failures = [c.status for c in api.calls if c.method == "sendMessage" and not c.ok]
    assert failures == [429, 429, 429, 502]
    outbox.close()


async def _one_pass(outbox: Outbox, api) -> None:
    bot = make_bot(config(api))
    await Delivery(outbox, bot, render).run_once()
    await bot.session.close()


def test_refreshes_collapse_and_an_unchanged_card_is_fine(api, tmp_path):
    outbox = Outbox(tmp_path / "outbox.sqlite")
    fill(outbox, 1)
    asyncio.run(drive(outbox, api, until=lambda: outbox.counts().get("pending", 0) == 0))
    card = outbox.card_of("r000", CHAT)
    assert card is not None
    for _ in range(3):
        outbox.enqueue_refresh(CHAT, "r000", time.time())
    assert outbox.counts()["pending"] == 1
    asyncio.run(drive(outbox, api, until=lambda: outbox.counts().get("pending", 0) == 0))
    edits = [c for c in api.calls if c.method == "editMessageText"]
    assert [c.status for c in edits] == [400]  # «message is not modified»: nothing to change, not an error
    assert outbox.counts() == {"sent": 2}

    outbox.enqueue_refresh(CHAT, "r000", time.time())
    changed = lambda risk_id: (f"<b>Карточка</b> риска {risk_id} · в работе", InlineKeyboardMarkup(inline_keyboard=[]))
    asyncio.run(drive(outbox, api, until=lambda: outbox.counts().get("pending", 0) == 0, render=changed))
    assert api.text_of(CHAT, card).endswith("в работе")
    outbox.close()


def test_a_deleted_card_is_posted_again(api, tmp_path):
    outbox = Outbox(tmp_path / "outbox.sqlite")
    fill(outbox, 1)
    asyncio.run(drive(outbox, api, until=lambda: outbox.counts().get("pending", 0) == 0))
    old = outbox.card_of("r000", CHAT)
    del api.messages[(CHAT, old)]  # someone deleted the card in the chat
    outbox.enqueue_refresh(CHAT, "r000", time.time())
    asyncio.run(drive(outbox, api, until=lambda: outbox.counts().get("pending", 0) == 0))
    new = outbox.card_of("r000", CHAT)
    assert new is not None and new != old and (CHAT, new) in api.messages
    outbox.close()


def test_a_refused_message_is_kept_and_does_not_block_the_queue(api, tmp_path):
    outbox = Outbox(tmp_path / "outbox.sqlite")
    fill(outbox, 3)
    broken = lambda risk_id: ((f"<oops>{risk_id}" if risk_id == "r001" else f"<b>Карточка</b> риска {risk_id}"),
                              InlineKeyboardMarkup(inline_keyboard=[]))
    asyncio.run(drive(outbox, api, until=lambda: outbox.counts().get("pending", 0) == 0, render=broken))
    assert delivered_cards(api) == ["r000", "r002"]
    failed = outbox.jobs("failed")
    assert len(failed) == 1 and failed[0][3] == "r001" and "can't parse entities" in failed[0][7]
    outbox.close()


def test_enqueueing_is_idempotent_and_survives_reopening(tmp_path):
    path = tmp_path / "outbox.sqlite"
    with Outbox(path) as outbox:
        assert outbox.enqueue_card(CHAT, "r1", "a1", time.time())
        assert not outbox.enqueue_card(CHAT, "r1", "a1", time.time())  # a re-run of the same scan
        assert outbox.enqueue_card(CHAT + 1, "r1", "a1", time.time())  # another chat is another job
    with Outbox(path) as outbox:
        assert outbox.counts() == {"pending": 2}


def test_reconcile_requeues_recorded_alerts_missing_from_the_outbox(tmp_path):
    with SqliteStore(tmp_path / "mcu.sqlite", str.split) as store, Outbox(tmp_path / "outbox.sqlite") as outbox:
        now = datetime.now(timezone.utc)
        old = Alert(id="old", risk_id="r0", story_id="s0", level="high", text="x", created_at=now - timedelta(days=30))
        sent = Alert(id="sent", risk_id="r1", story_id="s1", level="high", text="x", created_at=now)
        lost = Alert(id="lost", risk_id="r2", story_id="s2", level="high", text="x", created_at=now)
        for alert in (old, sent, lost):
            store.add_alert(alert)
        outbox.enqueue_card(CHAT, "r1", "sent", time.time())
        assert reconcile(store, outbox, CHAT) == 1  # the old one predates the chat: not flooded into it
        assert outbox.has_card("lost", CHAT) and not outbox.has_card("old", CHAT)
        assert reconcile(store, outbox, CHAT) == 0


def test_notices_from_flows_are_queued_once_and_escaped(tmp_path):
    from alerts.sinks import FileSink, TelegramSink

    with Outbox(tmp_path / "outbox.sqlite") as outbox:
        sink = TelegramSink(outbox, CHAT)
        sink.notify("Сводка: <тест> & всё", key="digest:2026-11-29")
        sink.notify("Сводка: <тест> & всё", key="digest:2026-11-29")  # a retried flow run
        (job,) = outbox.due(time.time())
        assert job.kind == "notice" and job.text == "Сводка: &lt;тест&gt; &amp; всё"
    FileSink(tmp_path / "alerts.txt").notify("Сводка \udcff", key="digest:2026-11-29")
    assert "Сводка \ufffd" in (tmp_path / "alerts.txt").read_text(encoding="utf-8")


def test_documents_reach_the_chat_once_with_their_bytes(api, tmp_path):
    from alerts.sinks import TelegramSink, documents_all

    pdf, xlsx = tmp_path / "mcu-report-week-2026-11-16.pdf", tmp_path / "mcu-report-week-2026-11-16.xlsx"
    pdf.write_bytes(b"%PDF-1.4 report")
    xlsx.write_bytes(b"PK\x03\x04 workbook")
    outbox = Outbox(tmp_path / "outbox.sqlite")
    sink = TelegramSink(outbox, CHAT)
    caption = "Отчёт МЦУ для Главы округа: неделя 16.11–22.11.2026 <тест> & всё"
    assert documents_all([sink], [pdf, xlsx], caption, key="report:week-2026-11-16") == 1
    documents_all([sink], [pdf, xlsx], caption, key="report:week-2026-11-16")  # a retried flow run
    gone = tmp_path / "gone.pdf"
    sink.document(gone, "файл удалён до отправки", key="report:gone")
    asyncio.run(drive(outbox, api, lambda: len(api.documents) == 2 and outbox.counts().get("pending", 0) == 0))
    sent = {doc["filename"]: doc for doc in api.documents.values()}
    assert sent[pdf.name]["data"] == pdf.read_bytes() and sent[xlsx.name]["data"] == xlsx.read_bytes()
    assert sent[pdf.name]["caption"] == caption  # escaped for HTML, shown as written
    assert len(api.ok_calls("sendDocument")) == 2
    assert outbox.counts() == {"sent": 2, "done": 1}


def test_an_outbox_made_before_documents_is_upgraded(tmp_path):
    import sqlite3

    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE outbox (id INTEGER PRIMARY KEY, key TEXT UNIQUE, kind TEXT NOT NULL, chat_id INTEGER "
                     "NOT NULL, risk_id TEXT, text TEXT, reply_to INTEGER, force_reply INTEGER NOT NULL DEFAULT 0, "
                     "state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0, not_before REAL NOT "
                     "NULL DEFAULT 0, created REAL NOT NULL, finished REAL, message_id INTEGER, error TEXT)")
        conn.execute("INSERT INTO outbox (key, kind, chat_id, text, created) VALUES ('n1', 'notice', 1, 'старое', 0)")
    with Outbox(path) as outbox:
        assert outbox.enqueue_document(1, tmp_path / "a.pdf", "отчёт", time.time(), key="d1")
        jobs = outbox.due(time.time())
    assert [(j.kind, j.text, j.file) for j in jobs] == [("notice", "старое", None),
                                                        ("document", "отчёт", str((tmp_path / "a.pdf").resolve()))]


def _cut_off(outbox: Outbox, api, risk_id: str, reached: bool) -> None:
    """What a deliverer killed mid-call leaves: the job «sending» and, if the call got through,
    the card in the chat without the outbox knowing its message."""
    job = next(j for j in outbox.due(time.time()) if j.risk_id == risk_id)
    text, markup = render(risk_id)
    assert outbox.start_sending(job, {"text": text, "reply_markup": markup.model_dump_json(exclude_none=True)})

    async def send() -> None:
        bot = make_bot(config(api))
        await bot.send_message(chat_id=CHAT, text=text, reply_markup=markup)
        await bot.session.close()

    if reached:
        asyncio.run(send())


def _one_sent_then(outbox: Outbox, api, *more: str) -> None:
    """The card of r000 delivered (the chat's newest known message), then ``more`` cards queued."""
    fill(outbox, 1)
    asyncio.run(drive(outbox, api, until=lambda: outbox.counts().get("pending", 0) == 0))
    for risk_id in more:
        outbox.enqueue_card(CHAT, risk_id, f"alert-{risk_id}", time.time())


def test_a_card_cut_off_after_telegram_got_it_is_found_not_sent_again(api, tmp_path):
    outbox = Outbox(tmp_path / "outbox.sqlite")
    _one_sent_then(outbox, api, "r001", "r002")
    api.message(CHAT, {"id": 7, "is_bot": False, "first_name": "Вера"}, "кто-то пишет в чат")
    _cut_off(outbox, api, "r001", reached=True)
    assert outbox.counts() == {"sent": 1, "sending": 1, "pending": 1}
    lost = max(mid for (chat, mid) in api.messages)
    asyncio.run(drive(outbox, api, until=lambda: outbox.counts().get("pending", 0) == 0))
    assert delivered_cards(api) == ["r000", "r001", "r002"]  # r001 once: the send before the cut
    assert outbox.card_of("r001", CHAT) == lost
    probes = [(int(c.params["message_id"]), c.status) for c in api.calls if c.method == "editMessageText"]
    assert probes == [(lost - 1, 400), (lost, 400)]  # the person's message cannot be edited; the card is unchanged
    assert outbox.counts() == {"sent": 3}
    assert outbox.jobs("sent")[1][7] == f"found after an interrupted send: message {lost}"
    outbox.close()


def test_a_card_cut_off_before_telegram_got_it_is_sent_once(api, tmp_path):
    outbox = Outbox(tmp_path / "outbox.sqlite")
    _one_sent_then(outbox, api, "r001")
    _cut_off(outbox, api, "r001", reached=False)
    asyncio.run(drive(outbox, api, until=lambda: outbox.counts() == {"sent": 2}))
    assert delivered_cards(api) == ["r000", "r001"]
    probes = [c.status for c in api.calls if c.method == "editMessageText"]
    assert probes == [400, 400, 400]  # three ids that do not exist yet: the card was never sent
    assert outbox.counts() == {"sent": 2}
    outbox.close()


def test_without_the_lookup_a_cut_off_card_is_sent_twice(api, tmp_path):
    """The old behaviour, kept switchable for bench/duplicate_cards.py: the duplicate it measures."""
    outbox = Outbox(tmp_path / "outbox.sqlite")
    _one_sent_then(outbox, api, "r001")
    _cut_off(outbox, api, "r001", reached=True)

    async def old_way() -> None:
        bot = make_bot(config(api))
        await Delivery(outbox, bot, render, recover=False).run_once()
        await bot.session.close()

    asyncio.run(old_way())
    assert delivered_cards(api) == ["r000", "r001", "r001"]
    outbox.close()


def test_only_one_process_delivers_an_outbox(tmp_path):
    from alerts.outbox import DeliveryBusy

    with Outbox(tmp_path / "outbox.sqlite") as first, Outbox(tmp_path / "outbox.sqlite") as second:
        with first.delivery_lock():
            try:
                with second.delivery_lock():
                    raise AssertionError("two deliverers at once")
            except DeliveryBusy as exc:
                assert "доставляет другой процесс" in str(exc)
        with second.delivery_lock():  # released: the next one may deliver
            pass


# --- the outbox's own bookkeeping, without a Bot API (what the delivery loop and the bot rely on) ---

def test_due_jobs_are_pending_in_order_and_not_before_their_time(tmp_path):
    with Outbox(tmp_path / "outbox.sqlite") as outbox:
        assert outbox.next_due() is None
        outbox.enqueue_card(CHAT, "r1", "a1", 100.0)
        outbox.enqueue_notice(CHAT, "<b>ответ</b>", 101.0, risk_id="r1", reply_to=55, force_reply=True,
                              key="n1", purpose="close")
        outbox.enqueue_refresh(CHAT, "r2", 102.0)
        jobs = outbox.due(1000.0)
        assert [(j.kind, j.risk_id, j.text, j.reply_to, j.force_reply, j.attempts, j.purpose) for j in jobs] == [
            ("card", "r1", None, None, False, 0, None), ("notice", "r1", "<b>ответ</b>", 55, True, 0, "close"),
            ("refresh", "r2", None, None, False, 0, None)]
        assert [j.id for j in outbox.due(1000.0, limit=2)] == [jobs[0].id, jobs[1].id]
        outbox.defer(jobs[0], 2000.0, "сеть недоступна " * 100)
        assert [j.id for j in outbox.due(1999.0)] == [jobs[1].id, jobs[2].id]
        assert outbox.due(2000.0)[0].id == jobs[0].id and outbox.due(2000.0)[0].attempts == 1
        assert len(outbox.jobs("pending")[0][7]) == 500  # the error kept, cut to 500 characters
        assert outbox.next_due() == 0  # the notice and the refresh may go at once
        outbox.defer_chat(CHAT, 1500.0, "429: retry after 1500")
        assert outbox.next_due() == 1500.0 and [j.id for j in outbox.due(1999.0)] == [jobs[1].id, jobs[2].id]
        outbox.defer_chat(CHAT, 1200.0, "429 again")  # never earlier than a deferral already set
        assert outbox.due(1499.0) == [] and outbox.next_due() == 1500.0
        outbox.defer_chat(CHAT + 1, 9999.0, "another chat")
        assert len(outbox.due(2000.0)) == 3
        outbox.defer_chat(CHAT, 1600.0, "Too Many Requests: retry after 100 " + "x" * 600)
        assert {len(row[7]) for row in outbox.jobs("pending")} == {500}  # each job's error, cut to 500


def test_pending_refreshes_of_one_card_are_one_job(tmp_path):
    with Outbox(tmp_path / "outbox.sqlite") as outbox:
        assert outbox.enqueue_refresh(CHAT, "r1", 1.0)
        assert not outbox.enqueue_refresh(CHAT, "r1", 2.0)
        assert outbox.enqueue_refresh(CHAT + 1, "r1", 2.0) and outbox.enqueue_refresh(CHAT, "r2", 2.0)
        taken = outbox.due(10.0)[0]
        assert outbox.start_sending(taken, {"text": "карточка"})
        assert not outbox.start_sending(taken)  # already taken
        assert outbox.enqueue_refresh(CHAT, "r1", 3.0)  # a change while the edit is under way: a new job
        outbox.resume(taken, "не дошло")  # the older one comes back: folded into the newer
        assert [row[4] for row in outbox.jobs() if row[3] == "r1" and row[2] == CHAT] == ["done", "pending"]
        assert outbox.jobs("done")[0][7] == "folded into a newer refresh"


def test_a_send_cut_off_is_found_with_what_was_sent(tmp_path):
    with Outbox(tmp_path / "outbox.sqlite") as outbox:
        outbox.enqueue_card(CHAT, "r1", "a1", 1.0)
        outbox.enqueue_card(CHAT, "r2", "a2", 1.0)
        first, second = outbox.due(10.0)
        assert outbox.known_top(CHAT) is None
        outbox.start_sending(first, {"text": "<b>Карточка</b> r1", "reply_markup": "{}"})
        outbox.mark_sent(first, 41, 11.0, remember="card")
        outbox.remember_message(CHAT, 44, "r9", "notice", 12.0)
        assert outbox.known_top(CHAT) == 44 and outbox.known_top(CHAT + 1) is None
        outbox.start_sending(second, {"text": "Карточка «r2»"})
        (cut,) = outbox.interrupted()
        assert (cut.job.id, cut.after, cut.payload) == (second.id, 44, {"text": "Карточка «r2»"})
        assert outbox.counts() == {"sent": 1, "sending": 1} and outbox.due(100.0) == []
        outbox.resume(second, "не дошло до Telegram")
        assert outbox.interrupted() == [] and [j.id for j in outbox.due(100.0)] == [second.id]
        outbox.start_sending(second)
        assert outbox.interrupted()[0].payload is None


def test_sent_cards_are_remembered_for_edits_and_replies(tmp_path):
    with Outbox(tmp_path / "outbox.sqlite") as outbox:
        outbox.enqueue_card(CHAT, "r1", "a1", 1.0)
        outbox.enqueue_notice(CHAT, "уведомление", 1.0, risk_id="r1")
        outbox.enqueue_notice(CHAT, "без риска", 1.0)
        card, notice, loose = outbox.due(10.0)
        assert outbox.pending_card("r1", CHAT) and not outbox.pending_card("r1", CHAT + 1)
        assert not outbox.pending_card("r2", CHAT)
        outbox.mark_sent(card, 100, 20.0, remember="card")
        assert not outbox.pending_card("r1", CHAT)
        outbox.mark_sent(notice, 101, 21.0, remember="notice", note="с пометкой")
        outbox.mark_sent(loose, 102, 22.0, remember="notice")  # no risk: nothing to remember
        assert outbox.card_of("r1", CHAT) == 100 and outbox.card_of("r1", CHAT + 1) is None
        assert outbox.message_of(CHAT, 101) == ("r1", "notice") and outbox.message_of(CHAT, 102) is None
        assert outbox.risk_of_message(CHAT, 100) == "r1" and outbox.risk_of_message(CHAT, 999) is None
        assert outbox.is_known(CHAT, 102) and outbox.is_known(CHAT, 101) and not outbox.is_known(CHAT, 103)
        assert not outbox.is_known(CHAT + 1, 100)
        rows = {row[0]: row for row in outbox.jobs("sent")}
        assert [(r[1], r[5], r[6], r[7]) for r in rows.values()] == [
            ("card", 1, 100, None), ("notice", 1, 101, "с пометкой"), ("notice", 1, 102, None)]
        outbox.remember_message(CHAT, 150, "r1", "card", 30.0)  # the card posted again: the new one counts
        outbox.remember_message(CHAT, 120, "r1", "card", 30.0)
        outbox.remember_message(CHAT, 160, "r1", "prompt", 40.0)
        assert outbox.card_of("r1", CHAT) == 150
        assert outbox.message_of(CHAT, 160) == ("r1", "prompt")


def test_send_times_feed_the_rate_limiter_for_an_hour(tmp_path):
    with Outbox(tmp_path / "outbox.sqlite") as outbox:
        for i in range(3):
            outbox.enqueue_notice(CHAT, f"n{i}", 0.0)
        first, second, third = outbox.due(1.0)
        outbox.mark_sent(first, 1, 1000.0)
        outbox.note_call(CHAT, 1500.0)  # a probe counts too
        outbox.note_call(CHAT + 1, 1500.0)
        assert outbox.sends_since(CHAT, 1000.0) == [1000.0, 1500.0]
        assert outbox.sends_since(CHAT, 1000.5) == [1500.0]
        outbox.mark_sent(second, 2, 4600.0)  # 3,600 s after the first: the first is still kept
        assert outbox.sends_since(CHAT, 0.0) == [1000.0, 1500.0, 4600.0]
        outbox.mark_sent(third, 3, 4600.5)
        assert outbox.sends_since(CHAT, 0.0) == [1500.0, 4600.0, 4600.5]


def test_done_and_failed_jobs_leave_the_queue_with_their_reason(tmp_path):
    with Outbox(tmp_path / "outbox.sqlite") as outbox:
        outbox.enqueue_refresh(CHAT, "r1", 0.0)
        outbox.enqueue_notice(CHAT, "<b", 0.0)
        refresh, notice = outbox.due(1.0)
        outbox.mark_done(refresh, 5.0, "карточка не отправлялась")
        outbox.fail(notice, 6.0, "Bad Request: can't parse entities " + "x" * 600)
        assert outbox.due(10.0) == [] and outbox.next_due() is None
        assert outbox.counts() == {"done": 1, "failed": 1}
        assert outbox.jobs("done")[0][5:] == (0, None, "карточка не отправлялась")
        failed = outbox.jobs("failed")[0]
        assert failed[5] == 1 and len(failed[7]) == 500 and failed[7].startswith("Bad Request")
        assert [row[4] for row in outbox.jobs()] == ["done", "failed"]


def test_processed_updates_are_remembered_for_the_last_two_thousand(tmp_path):
    path = tmp_path / "outbox.sqlite"
    with Outbox(path) as outbox:
        assert not outbox.seen_update(7)
        outbox.mark_update(7, 1.0)
        outbox.mark_update(7, 2.0)
        assert outbox.seen_update(7) and not outbox.seen_update(8)
        outbox.mark_update(8, 2.0)
        outbox.mark_update(2006, 3.0)  # 7 … 2006: 2,000 ids, all kept
        assert outbox.seen_update(7) and outbox.seen_update(8)
        outbox.mark_update(2007, 4.0)  # the oldest falls out
        assert not outbox.seen_update(7) and outbox.seen_update(8) and outbox.seen_update(2007)
        created = outbox.created
    with Outbox(path) as again:  # the creation time survives reopening (reconcile counts from it)
        assert again.created == created and again.seen_update(2006)


def test_the_outbox_lives_beside_the_store_unless_configured(tmp_path):
    import collectors  # noqa: F401  (registers the platforms)
    from alerts.outbox import outbox_path
    from core.config import load_config
    from testing.configs import write_config

    settings = load_config(write_config(tmp_path, []))
    assert outbox_path(settings) == tmp_path / "outbox.sqlite"
    chosen = load_config(write_config(tmp_path, [], alerts={"outbox": str(tmp_path / "chat" / "q.sqlite")}))
    assert outbox_path(chosen) == tmp_path / "chat" / "q.sqlite"
    with Outbox(tmp_path / "deep" / "er" / "outbox.sqlite") as outbox:  # its folder is made
        assert outbox.counts() == {}


def test_a_failed_write_leaves_the_outbox_usable_and_readers_never_wait(tmp_path):
    with Outbox(tmp_path / "outbox.sqlite") as outbox:
        outbox.enqueue_notice(CHAT, "первое", 1.0)
        (job,) = outbox.due(10.0)
        try:
            outbox.defer(job, 100.0, None)  # type: ignore[arg-type]  # fails inside the transaction
        except TypeError:
            pass
        else:
            raise AssertionError("a deferral without a reason was accepted")
        assert outbox.enqueue_notice(CHAT, "следующее", 2.0)  # rolled back, not left half-open
        assert [j.text for j in outbox.due(10.0)] == ["первое", "следующее"]
        assert not outbox.enqueue_notice(None, "без чата", 3.0)  # type: ignore[arg-type]  # never queued
        # write-ahead log: the bot reads while a scan process writes
        assert outbox._query("PRAGMA journal_mode") == [("wal",)]


def test_a_plain_notice_asks_for_no_reply(tmp_path):
    with Outbox(tmp_path / "outbox.sqlite") as outbox:
        outbox.enqueue_notice(CHAT, "Сводка за день", 1.0)
        (job,) = outbox.due(10.0)
        assert (job.kind, job.force_reply, job.reply_to, job.risk_id, job.purpose) == (
            "notice", False, None, None, None)


def test_the_bot_thread_can_use_the_outbox_the_scan_opened(tmp_path):
    """The scan and the bot's delivery loop share one Outbox object across threads."""
    outbox = Outbox(tmp_path / "outbox.sqlite")
    errors: list[BaseException] = []

    def enqueue() -> None:
        try:
            fill(outbox, 2, prefix="t")
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            errors.append(exc)

    worker = threading.Thread(target=enqueue)
    worker.start()
    worker.join()
    assert errors == [] and [row[3] for row in outbox.jobs("pending")] == ["t000", "t001"]


def test_a_locked_outbox_waits_only_as_long_as_asked(tmp_path):
    """``busy_timeout`` is how long a writer waits for another process's write lock."""
    path = tmp_path / "outbox.sqlite"
    Outbox(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process is writing
    impatient = Outbox.__new__(Outbox)
    started = time.monotonic()
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            impatient.__init__(path, busy_timeout=0.2)
        waited = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert 0.15 <= waited < 4  # sqlite's own default would wait 5 s
    patient = Outbox(path, busy_timeout=30)
    assert fill(patient, 1) == ["r000"]
