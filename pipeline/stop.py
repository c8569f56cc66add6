"""Stopping a scan at a safe point: SIGTERM (or Ctrl+C) sets :data:`STOP`; the scan finishes the
write in progress, moves no watermark it has not earned, and stops before the next source.
What was not read is read by the next scan (the watermarks say where to start)."""
from __future__ import annotations

import logging
import signal
import threading

log = logging.getLogger(__name__)
STOP = threading.Event()


class StopRequested(Exception):
    """A stop was asked for; raised at the next safe point."""


def check_stop(where: str) -> None:
    if STOP.is_set():
        raise StopRequested(where)


def install_stop_handlers() -> None:
    """SIGTERM and SIGINT ask the scan to stop at its next safe point (a second signal is the default)."""

    def ask(signum, frame) -> None:
        if STOP.is_set():
            signal.signal(signum, signal.SIG_DFL)
            signal.raise_signal(signum)
            return
        log.warning("получен сигнал %s: остановка после текущей записи", signal.Signals(signum).name)
        STOP.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, ask)
