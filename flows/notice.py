"""Posting a message that is not a risk card (a digest, a seasonal reminder) to the alert sinks.

The sinks know alerts (``send``) and risk changes (``refresh``). A sink that grows a
``notify(text, key, html=None)`` method is used as is; until then the known sinks are
served here: the console prints, the file appends, the Telegram sink queues a notice
in the alert chat's outbox (``mcu bot`` delivers it). ``key`` makes a repeat a no-op
in the outbox.
"""
from __future__ import annotations

import html as html_lib
import logging
import time
from datetime import datetime, timezone

log = logging.getLogger(__name__)


def post_notice(sinks: list, text: str, key: str, html: str | None = None,
                skip: tuple[str, ...] = ()) -> int:
    """Send ``text`` to every sink but those whose class is named in ``skip``; returns how many took it."""
    sent = 0
    for sink in sinks:
        kind = type(sink).__name__
        if kind in skip:
            continue
        try:
            notify = getattr(sink, "notify", None)
            if notify is not None:
                notify(text, key=key, html=html)
            elif kind == "TelegramSink":
                sink.outbox.enqueue_notice(sink.chat_id, html or html_lib.escape(text, quote=False), time.time(),
                                           key=key)
            elif kind == "FileSink":
                sink.path.parent.mkdir(parents=True, exist_ok=True)
                stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
                with sink.path.open("a", encoding="utf-8") as handle:
                    handle.write(f"=== {stamp} · {key}\n{text}\n\n")
            elif kind == "ConsoleSink":
                sink.console.print(text, markup=False, highlight=False)
            else:
                log.warning("notice %s: sink %s cannot take notices, skipped", key, kind)
                continue
        except OSError as exc:  # one sink's trouble must not stop the others
            log.error("notice %s: sink %s failed: %s", key, kind, exc)
            continue
        sent += 1
    return sent
