"""The alert chat for tests, as a pytest plugin (``pytest_plugins`` in ``tests/conftest.py``).

The demo district is scanned once per session (real collectors, NLP, SQLite store, alerts into
the alert chat's outbox); the ``demo`` fixture gives every test its own copy of that folder.
``api`` is the fake Telegram Bot API on 127.0.0.1 (``testing.fakes.telegram_bot``), and
``run_bot_thread`` runs the real bot against it through aiogram's configurable API server.
"""
from __future__ import annotations

import asyncio
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from core.config import Settings, load_config
from core.domain import Risk
from pipeline.pipeline import Pipeline
from pipeline.run import run_scan
from testing.configs import demo_config
from testing.fakes.telegram_bot import TOKEN, FakeBotApi

CHAT = -1001234567890
MEMBER = {"id": 5550001, "is_bot": False, "first_name": "Анна", "last_name": "Дежурная"}
STRANGER = {"id": 6660002, "is_bot": False, "first_name": "Посторонний"}


def with_chat(data: dict) -> None:
    """The Telegram sink on the fake chat, at the highest rate the config allows: the demo raises
    about 30 alerts since the problem signal (issue 12), and at the default 20 a minute the last
    cards would wait a minute (the rate limit itself is tested in tests/alerts/test_outbox.py)."""
    data["alerts"]["sinks"].append({"type": "telegram", "chat_id": CHAT, "members": [MEMBER["id"]],
                                    "api_server": "http://127.0.0.1:9", "polling_timeout": 1,
                                    "rate_per_minute": 60})


def close_pipeline(pipeline: Pipeline) -> None:
    """The pipeline and its sinks' outboxes closed, so that a copy of the folder is consistent."""
    pipeline.close()
    for sink in pipeline.sinks:
        if hasattr(sink, "outbox"):
            sink.outbox.close()


@pytest.fixture(scope="session")
def scanned_folder(tmp_path_factory) -> Path:
    """The demo scanned once with the alert chat configured: alerts wait in the outbox."""
    folder = tmp_path_factory.mktemp("demo-scan")
    pipeline = Pipeline.open(load_config(demo_config(folder, with_chat)))
    try:
        run_scan(pipeline)
    finally:
        close_pipeline(pipeline)
    return folder


@dataclass
class Demo:
    folder: Path
    config: Path

    def settings(self) -> Settings:
        return load_config(self.config)

    def edit(self, change) -> None:
        data = yaml.safe_load(self.config.read_text(encoding="utf-8"))
        change(data)
        self.config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    def add_answer_source(self, recording: Path) -> None:
        """The administration's VK page, replayed from a recorded answer with its comments."""
        def add(data: dict) -> None:
            data["sources"].append({"key": "adm_vk", "platform": "vk", "name": "Администрация округа ВКонтакте",
                                    "owner": "pestovo_adm_vk", "replay": str(recording)})
        self.edit(add)

    def use_api(self, url: str) -> None:
        def point(data: dict) -> None:
            for sink in data["alerts"]["sinks"]:
                if sink["type"] == "telegram":
                    sink["api_server"] = url
        self.edit(point)

    def scan_source(self, key: str) -> None:
        pipeline = Pipeline.open(self.settings())
        try:
            pipeline.scan_source(key)
            pipeline.raise_alerts()
        finally:
            close_pipeline(pipeline)

    def risk_about(self, store, place: str, topic: str) -> Risk:
        found = [r for r in store.list_risks() if place in r.places and r.topic == topic]
        assert found, f"no risk about {place}/{topic}: {[(r.places, r.topic) for r in store.list_risks()]}"
        return found[0]


@pytest.fixture
def demo(scanned_folder: Path, tmp_path: Path) -> Demo:
    """A private copy of the scanned demo: store, outbox and config."""
    folder = tmp_path / "demo"
    shutil.copytree(scanned_folder, folder)
    config = folder / "mcu.yaml"
    text = config.read_text(encoding="utf-8").replace(str(scanned_folder), str(folder))
    config.write_text(text, encoding="utf-8")
    return Demo(folder, config)


@pytest.fixture
def bot_env(monkeypatch):
    monkeypatch.setenv("MCU_BOT_TOKEN", TOKEN)
    monkeypatch.delenv("MCU_BOT_CHAT_ID", raising=False)
    monkeypatch.delenv("MCU_BOT_MEMBERS", raising=False)
    monkeypatch.delenv("MCU_BOT_CHATS", raising=False)


@pytest.fixture
def api():
    server = FakeBotApi().start()
    yield server
    server.stop()


class BotThread:
    """``run_bot`` in its own thread and event loop, as ``mcu bot`` runs it, until :meth:`stop`."""

    def __init__(self, settings: Settings, clock=None):
        from alerts.outbox import Outbox, outbox_path
        from alerts.telegram.bot import BotContext
        from alerts.telegram.config import bot_config
        from store import open_store

        self.settings = settings
        self.store = open_store(settings.store, lambda text: text.lower().split())
        self.outbox = Outbox(outbox_path(settings))
        self.config = bot_config(settings)
        from cli.commands.bot import digest_of

        self.ctx = BotContext(self.store, settings, self.outbox, self.config, digest=digest_of(self.store, settings))
        if clock:
            self.ctx.clock = clock
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._main, daemon=True, name="bot")
        self.error: BaseException | None = None

    def _main(self) -> None:
        from alerts.telegram.bot import run_bot
        from alerts.telegram.config import make_bot

        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            await run_bot(self.ctx, make_bot(self.config), stop=self._stop, handle_signals=False)

        try:
            asyncio.run(main())
        except BaseException as exc:  # surfaced by stop()
            self.error = exc

    def start(self) -> "BotThread":
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(20)
        self.outbox.close()
        self.store.close()
        assert not self._thread.is_alive(), "the bot did not stop"
        if self.error:
            raise self.error


@pytest.fixture
def run_bot_thread():
    started: list[BotThread] = []

    def start(settings: Settings, clock=None) -> BotThread:
        bot = BotThread(settings, clock).start()
        started.append(bot)
        return bot

    yield start
    for bot in started:
        if bot._thread.is_alive():
            bot.stop()
        elif bot.error:  # the bot died early: show why, not only the timeout it caused
            raise bot.error
