"""Alerts: risk cards for stories that cross the threshold, sent to the configured sinks, and the
decree's risk workflow (``workflow``), reaction tracking (``reactions``) and the alert chat
(``outbox``; the Telegram bot itself lives in ``alerts.telegram``)."""
from alerts.card import render_card
from alerts.engine import raise_alerts
from alerts.reactions import track_reactions
from alerts.sinks import AlertSink, ConsoleSink, FileSink, TelegramSink, build_sinks

__all__ = ["AlertSink", "ConsoleSink", "FileSink", "TelegramSink", "build_sinks", "raise_alerts", "render_card",
           "track_reactions"]
