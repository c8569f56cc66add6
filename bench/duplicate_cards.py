"""How often a killed sender makes a duplicate card: a kill loop against the fake Bot API.

    .venv/bin/python bench/duplicate_cards.py [--cards 600] [--kills 200] [--delay 0.05] [--seed 14] [--json FILE]

The fake Bot API (``testing.fakes.telegram_bot``) runs here and answers every call ``--delay``
seconds after doing it, as a slow network would: a sender killed in that time has sent a card
without knowing it. An outbox gets ``--cards`` cards; a sender process (``Delivery`` passes until
the outbox is empty, as ``mcu bot`` runs them) is started and killed with SIGKILL at a random
moment once it has begun to send, ``--kills`` times; then one last sender finishes the queue.
Senders are forked from this process with everything imported (a cold start of aiogram takes
seconds here), and each opens its own outbox connection and Bot API session, as a restart does.
Counted at the end, from the chat itself: cards shown twice or more (duplicates) and cards
never shown (lost). Run twice with the same kill times: with the look-up of interrupted sends
(``alerts.telegram.delivery.Delivery._find_sent``) and without it (the old behaviour).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing
import os
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CHAT = -1001234567890


def render(risk_id: str):
    from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

    button = InlineKeyboardButton(text="Взять в работу", callback_data=f"risk:take:{risk_id}")
    return f"<b>Карточка риска</b> {risk_id}", InlineKeyboardMarkup(inline_keyboard=[[button]])


def sender(outbox_path: str, api_url: str, recover: bool) -> None:
    """The child: deliver until nothing is pending or sending."""
    from pydantic import SecretStr

    from alerts.outbox import Outbox
    from alerts.telegram.config import BotConfig, make_bot
    from alerts.telegram.delivery import Delivery
    from testing.fakes.telegram_bot import TOKEN

    config = BotConfig(token=SecretStr(TOKEN), api_server=api_url, chat_id=CHAT, chats=frozenset({CHAT}),
                       members=frozenset(), rate_per_minute=60, polling_timeout=1)

    async def run() -> None:
        outbox = Outbox(Path(outbox_path))
        bot = make_bot(config)
        delivery = Delivery(outbox, bot, render, rate_per_minute=10**6, recover=recover)
        try:
            while set(outbox.counts()) & {"pending", "sending"}:
                wait = await delivery.run_once()
                await asyncio.sleep(0.01 if wait is None else min(max(wait, 0.01), 0.5))
        finally:
            await bot.session.close()
            outbox.close()

    asyncio.run(run())


def kill_loop(cards: int, kills: int, delay: float, seed: int, recover: bool) -> dict:
    import alerts.telegram.delivery  # noqa: F401 - imported once, before the senders are forked
    from alerts.outbox import Outbox
    from testing.fakes.telegram_bot import FakeBotApi

    rng = random.Random(seed)
    api = FakeBotApi(answer_delay=delay).start()
    folder = Path(tempfile.mkdtemp(prefix="dup-cards-"))
    path = folder / "outbox.sqlite"
    with Outbox(path) as outbox:
        for i in range(cards):
            outbox.enqueue_card(CHAT, f"c{i:04d}", f"alert-c{i:04d}", time.time())
    fork = multiprocessing.get_context("fork")
    done_kills = 0
    try:
        while done_kills < kills:
            before = len(api.calls)
            child = fork.Process(target=sender, args=(str(path), api.url, recover), daemon=True)
            child.start()
            while len(api.calls) == before and child.is_alive():  # until it sends
                time.sleep(0.002)
            if not child.is_alive():
                break  # the queue is empty
            time.sleep(rng.uniform(0, 6 * delay))
            os.kill(child.pid, signal.SIGKILL)
            child.join()
            done_kills += 1
        last = fork.Process(target=sender, args=(str(path), api.url, recover))
        last.start()  # the last sender finishes the queue
        last.join(600)
        shown = Counter(m["plain"].split()[-1] for m in api.messages.values())
        with Outbox(path) as outbox:
            found = sum(1 for row in outbox.jobs("sent") if (row[7] or "").startswith("found after an interrupted"))
            counts = outbox.counts()
    finally:
        api.stop()
    return {
        "recovery": recover, "cards": cards, "kills": done_kills, "answer_delay_s": delay, "seed": seed,
        "duplicates": sum(n - 1 for n in shown.values() if n > 1),
        "cards_shown_twice_or_more": sum(1 for n in shown.values() if n > 1),
        "duplicated": sorted(card for card, n in shown.items() if n > 1),
        "lost": cards - len(shown), "found_after_interrupted_send": found, "outbox": counts,
        "send_calls": sum(1 for c in api.calls if c.method == "sendMessage"),
        "probe_calls": sum(1 for c in api.calls if c.method == "editMessageText"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=600)
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--delay", type=float, default=0.05, help="seconds the fake API waits before answering")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # the senders' warnings about each interruption are expected
    results = [kill_loop(args.cards, args.kills, args.delay, args.seed, recover) for recover in (True, False)]
    for result in results:
        mode = "with the look-up" if result["recovery"] else "without (old)  "
        print(f"{mode}: {result['kills']} kills, {result['cards']} cards: duplicates {result['duplicates']}, "
              f"lost {result['lost']}, found after an interrupted send {result['found_after_interrupted_send']}, "
              f"sendMessage calls {result['send_calls']}, look-up edits {result['probe_calls']}")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
