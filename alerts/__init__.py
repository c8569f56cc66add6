"""Alerts: risk cards for stories that cross the threshold, sent to the configured sinks."""
from alerts.card import render_card
from alerts.engine import raise_alerts
from alerts.sinks import AlertSink, ConsoleSink, FileSink, build_sinks

__all__ = ["AlertSink", "ConsoleSink", "FileSink", "build_sinks", "raise_alerts", "render_card"]
