"""``mcu bot`` tells the truth about the Bot API: a refused token stops it with a Russian message
and a non-zero code, an unreachable API is waited for (the bot delivers once it appears), and
``--once`` says how many went out and how many are still queued."""
from __future__ import annotations

import socket
import threading
import time

from typer.testing import CliRunner

from cli.app import app
from store import open_store
from testing.alert_chat import CHAT
from testing.fakes.telegram_bot import FakeBotApi

runner = CliRunner()
REFUSED = "Telegram отклонил токен бота (401 Unauthorized): проверьте MCU_BOT_TOKEN"


def mcu(demo, *args: str, env: dict | None = None):
    return runner.invoke(app, [*args, "-c", str(demo.config)], env={"COLUMNS": "200", **(env or {})})


def alert_count(demo) -> int:
    with open_store(demo.settings().store, str.split) as db:
        return len(db.list_alerts())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_refused_token_stops_the_bot_with_a_clear_message(demo, api, bot_env):
    demo.use_api(api.url)
    wrong = {"MCU_BOT_TOKEN": "987654321:REVOKED-token_abcdef"}
    result = mcu(demo, "bot", env=wrong)
    assert result.exit_code == 1, result.output
    assert REFUSED in result.output and "Traceback" not in result.output
    assert [(c.method, c.status) for c in api.calls] == [("getMe", 401)]  # stopped: no retries, no polling

    once = mcu(demo, "bot", "--once", env=wrong)
    assert once.exit_code == 1 and REFUSED in once.output
    assert api.ok_calls("sendMessage") == []


def test_the_bot_waits_for_an_unreachable_api_and_delivers_when_it_appears(demo, bot_env, run_bot_thread):
    port = free_port()
    demo.use_api(f"http://127.0.0.1:{port}")
    alerts = alert_count(demo)
    bot = run_bot_thread(demo.settings())
    time.sleep(2.5)  # nothing listens: connection refused, retried with back-off
    assert bot._thread.is_alive() and bot.error is None
    assert bot.outbox.counts() == {"pending": alerts}
    late = FakeBotApi(port=port).start()
    try:
        late.wait_for(lambda: len(late.ok_calls("sendMessage")) == alerts, timeout=30, what="every card delivered")
        late.wait_for(lambda: bot.outbox.counts() == {"sent": alerts}, what="the outbox records them")
        assert bot._thread.is_alive()
        bot.stop()
    finally:
        late.stop()


def test_once_reports_what_went_out_and_what_is_still_queued(demo, api, bot_env):
    def slow_chat(data: dict) -> None:
        for sink in data["alerts"]["sinks"]:
            if sink["type"] == "telegram":
                sink["api_server"] = api.url
                sink["rate_per_minute"] = 2  # the next two wait a minute, past --once
    demo.edit(slow_chat)
    alerts = alert_count(demo)
    assert alerts == 35
    partial = mcu(demo, "bot", "--once")
    assert partial.exit_code == 1, partial.output
    assert "Доставлено 2; в очереди осталось 33" in partial.output
    assert "Не доставлено: 33 сообщения ждут очереди" in partial.output
    assert "Доставлено;" not in partial.output
    assert len(api.ok_calls("sendMessage")) == 2


def test_once_with_the_api_down_delivers_nothing_and_says_so(demo, bot_env):
    demo.use_api(f"http://127.0.0.1:{free_port()}")
    result = mcu(demo, "bot", "--once")
    assert result.exit_code == 1, result.output
    assert "Доставлено 0; в очереди осталось 35" in result.output
    assert "Доставка прервана: Bot API недоступен (TelegramNetworkError" in result.output


def test_once_delivers_everything_and_exits_zero(demo, api, bot_env):
    demo.use_api(api.url)
    result = mcu(demo, "bot", "--once")
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("Доставлено 35; в очереди осталось 0")
    assert len({int(c.params["chat_id"]) for c in api.ok_calls("sendMessage")} - {CHAT}) == 0
