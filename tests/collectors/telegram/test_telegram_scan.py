"""The scan over live Telegram sources: a deferred chat keeps its watermark and the others go on."""
from __future__ import annotations

import json


from collectors.telegram.account import install_account
from core.config import load_config
from pipeline.pipeline import Pipeline
from pipeline.run import run_scan
from testing.fakes.telegram_client import flood
from tests.collectors.telegram.conftest import LIVE_SOURCES, telegram_config


def test_deferred_chat_keeps_its_watermark_and_the_others_go_on(tmp_path, monkeypatch, fake, clock, new_account):
    settings = load_config(telegram_config(tmp_path, LIVE_SOURCES, monkeypatch))
    install_account(settings, new_account(fake))
    fake.fail("GetRepliesRequest", flood(1800))  # the channel's comments are flood-limited for half an hour
    pipeline = Pipeline.open(settings)
    try:
        first = run_scan(pipeline)
        reports = {r.key: r for r in first.sources}
        assert "ChatDeferred" in reports["pestovo_live"].error and "1800" in reports["pestovo_live"].error
        assert pipeline.store.get_watermark("pestovo_live") is None  # untouched: everything is read again
        assert reports["town"].error is None and reports["town"].new == 3
        assert json.loads(pipeline.store.get_watermark("town"))["min_id"] == 304

        clock.now += 1801  # the next run after the wait
        install_account(settings, new_account(fake))
        second = {r.key: r for r in run_scan(pipeline).sources}
        assert second["pestovo_live"].error is None and second["pestovo_live"].new == 9
        assert second["town"].fetched == 0
        assert json.loads(pipeline.store.get_watermark("pestovo_live"))["min_id"] == 205
    finally:
        pipeline.close()
