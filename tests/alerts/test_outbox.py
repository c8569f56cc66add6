"""The alert outbox against the fake Bot API: the chat's rate limit, 429 storms, outages and
restarts, with every alert delivered exactly once."""
from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone

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
