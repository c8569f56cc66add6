"""Which sink has which alert: the record that lets every sink catch up after a crash.

A scan records an alert in the store, then hands it to each sink. A scan killed between the two
leaves an alert no sink has seen, and the next scan does not alert again (the store already
holds it). The ledger — a small SQLite file in the data folder, beside the outbox — notes each
sink that took each alert; :func:`reconcile_sinks` (run by every scan before it alerts, and by
``mcu bot`` at start) gives each sink the recorded alerts it lacks.

A sink is known by its ``name`` (``console``, ``file:/abs/alerts.txt``, ``telegram:<chat>``).
A sink is owed only the alerts recorded since it first appeared in the ledger (less a few
minutes for clocks), so a new file sink or a new ledger is not flooded with old alerts.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Iterable

from core.config import Settings
from core.domain import Alert

log = logging.getLogger(__name__)
SLACK = 600.0  # seconds: the clocks of scan workers may differ a little
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS sinks (sink TEXT PRIMARY KEY, since REAL NOT NULL)",
    """CREATE TABLE IF NOT EXISTS delivered (sink TEXT NOT NULL, alert_id TEXT NOT NULL, at REAL NOT NULL,
        PRIMARY KEY (sink, alert_id))""",
)


def ledger_path(settings: Settings) -> Path:
    return settings.data_dir / "alert-sinks.sqlite"


def sink_name(sink) -> str:
    """The sink's identity in the ledger (its ``name``, else its class)."""
    return getattr(sink, "name", None) or type(sink).__name__


class SinkLedger:
    def __init__(self, path: Path, busy_timeout: float = 30.0):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        for statement in SCHEMA:
            self._conn.execute(statement)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> "SinkLedger":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def since(self, sink: str, now: float) -> float:
        """When the sink first appeared (now, the first time it is asked about)."""
        with self._lock:
            self._conn.execute("INSERT OR IGNORE INTO sinks (sink, since) VALUES (?, ?)", (sink, now))
            return self._conn.execute("SELECT since FROM sinks WHERE sink = ?", (sink,)).fetchone()[0]

    def mark(self, sink: str, alert_id: str, now: float) -> None:
        with self._lock:
            self._conn.execute("INSERT OR IGNORE INTO delivered (sink, alert_id, at) VALUES (?, ?, ?)",
                               (sink, alert_id, now))

    def has(self, sink: str, alert_id: str) -> bool:
        with self._lock:
            return self._conn.execute("SELECT 1 FROM delivered WHERE sink = ? AND alert_id = ?",
                                      (sink, alert_id)).fetchone() is not None


def deliver(alert: Alert, sinks: Iterable, ledger: SinkLedger | None) -> int:
    """Hand a recorded alert to each sink, noting each one that took it; returns how many did.
    A sink's failure is logged and leaves the alert owed to it (the next reconcile retries)."""
    took = 0
    for sink in sinks:
        try:
            sink.send(alert)
        except OSError as exc:  # a sink failure must not lose the recorded alert
            log.error("alert %s: sink %s failed: %s", alert.id, type(sink).__name__, exc)
            continue
        took += 1
        if ledger is not None:
            ledger.mark(sink_name(sink), alert.id, time.time())
    return took


def reconcile_sinks(alerts: Iterable[Alert], sinks: list, ledger: SinkLedger, now: datetime | None = None) -> int:
    """Give every sink the recorded alerts it is owed and lacks (oldest first); returns how many
    deliveries were made up."""
    at = (now.timestamp() if now else time.time())
    since = {sink_name(sink): ledger.since(sink_name(sink), at) for sink in sinks}
    made_up = 0
    for alert in sorted(alerts, key=lambda a: (a.created_at, a.id)):
        owed = [sink for sink in sinks if alert.created_at.timestamp() >= since[sink_name(sink)] - SLACK
                and not ledger.has(sink_name(sink), alert.id)]
        if owed:
            log.warning("alert %s was recorded but not delivered to %s; delivering now", alert.id,
                        ", ".join(sink_name(s) for s in owed))
            made_up += deliver(alert, owed, ledger)
    return made_up
