"""The per-account request budget: a pace per minute and a cap per run (per process)."""
from __future__ import annotations

import logging
import time
from collections import deque
from typing import Callable

from collectors.telegram.errors import BudgetExhausted

log = logging.getLogger(__name__)
WINDOW = 60.0


class RequestBudget:
    """``take()`` before every API request: it sleeps to keep the pace and raises when the run's cap is used."""

    def __init__(self, per_minute: int, per_run: int, clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep):
        self.per_minute, self.per_run = per_minute, per_run
        self.used = 0
        self._clock, self._sleep = clock, sleep
        self._recent: deque[float] = deque()

    @property
    def left(self) -> int:
        return max(0, self.per_run - self.used)

    def take(self) -> None:
        if self.used >= self.per_run:
            raise BudgetExhausted(f"{self.used} запросов за запуск (лимит requests_per_run)")
        now = self._clock()
        self._forget(now)
        if len(self._recent) >= self.per_minute:
            wait = self._recent[0] + WINDOW - now
            if wait > 0:
                log.info("telegram: pacing, %.1f s until the next request", wait)
                self._sleep(wait)
            now = self._clock()
            self._forget(now)
        self._recent.append(now)
        self.used += 1

    def _forget(self, now: float) -> None:
        while self._recent and self._recent[0] <= now - WINDOW:
            self._recent.popleft()
