"""VK's limits as the collector keeps them: requests per second per token, calls per method per day.

``RateLimiter`` holds every source that shares a token (threads included) to its requests per
sliding second.
``DailyBudget`` counts calls per token and method in a small JSON file, so separate scans
(and separate processes) of one day share the count; the token itself is never written,
only a fingerprint.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import threading
import time
from collections import deque
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from collectors.base import CollectorError


def token_fingerprint(token: str) -> str:
    """A short, non-reversible name for a token (for budgets and logs)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:12]


class RateLimiter:
    """At most ``rate`` requests in any sliding second (VK counts 3 per second per token), shared by
    threads; for a rate below one, one request per ``1/rate`` seconds.

    The times of the last ``k`` requests are kept; a new one waits until the oldest of them is a
    full window (plus ``margin``) old. The time recorded is when the caller is let through, right
    before it sends; ``margin`` absorbs the moment between that and the server seeing the request,
    so the server never counts more than ``k`` in a second. Callers sleep outside the lock.
    """

    def __init__(self, rate: float, margin: float = 0.15, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.margin = margin
        self._clock, self._sleep = clock, sleep
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()
        self._set_rate(rate)

    def _set_rate(self, rate: float) -> None:
        self.rate = rate
        self.burst = max(1, int(rate + 1e-9))
        self.window = self.burst / rate

    def acquire(self) -> float:
        """Wait for a request slot; returns the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                while len(self._sent) > self.burst:
                    self._sent.popleft()
                if len(self._sent) < self.burst or now - self._sent[0] >= self.window + self.margin - 1e-9:
                    if len(self._sent) == self.burst:
                        self._sent.popleft()
                    self._sent.append(now)
                    return waited
                wait = self.window + self.margin - (now - self._sent[0])
            self._sleep(wait)
            waited += wait

    def slow_to(self, rate: float) -> None:
        with self._lock:
            if rate < self.rate:
                self._set_rate(rate)


_BUCKETS: dict[str, RateLimiter] = {}
_BUCKETS_LOCK = threading.Lock()


def bucket_for(token: str, rate: float) -> RateLimiter:
    """The one bucket of a token in this process; the slowest configured rate wins."""
    key = token_fingerprint(token)
    with _BUCKETS_LOCK:
        bucket = _BUCKETS.get(key)
        if bucket is None:
            bucket = _BUCKETS[key] = RateLimiter(rate)
        else:
            bucket.slow_to(rate)
        return bucket


class BudgetExhausted(CollectorError):
    def __init__(self, method: str, limit: int):
        super().__init__(f"daily budget of {method} used up ({limit} calls)")
        self.method, self.limit = method, limit


_FILE_LOCKS: dict[Path, threading.Lock] = {}


class DailyBudget:
    """Calls per method per day for one token, persisted in ``path`` (JSON, file-locked).

    File: ``{"day": "2026-11-29", "tokens": {"<fingerprint>": {"calls": {...}, "blocked": [...]}}}``.
    The day is the calendar day in ``timezone``; a new day starts from zero.
    """

    def __init__(self, path: Path, token: str, limits: dict[str, int], timezone: str = "Europe/Moscow",
                 now: Callable[[], datetime] | None = None):
        self.path = Path(path)
        self.token_id = token_fingerprint(token)
        self.limits = dict(limits)
        self._tz = ZoneInfo(timezone)
        self._now = now or (lambda: datetime.now(self._tz))
        self._lock = _FILE_LOCKS.setdefault(self.path.resolve(), threading.Lock())

    def charge(self, method: str, calls: int = 1) -> None:
        """Count ``calls`` of ``method``, or raise ``BudgetExhausted`` (and count nothing)."""
        with self._record() as mine:
            used = mine["calls"].get(method, 0)
            limit = self.limits.get(method)
            if method in mine["blocked"] or (limit is not None and used + calls > limit):
                raise BudgetExhausted(method, limit if limit is not None else used)
            mine["calls"][method] = used + calls

    def block(self, method: str) -> None:
        """VK said the method's daily limit is reached (error 29): no more calls today."""
        with self._record() as mine:
            if method not in mine["blocked"]:
                mine["blocked"].append(method)

    def used(self, method: str) -> int:
        with self._record() as mine:
            return mine["calls"].get(method, 0)

    @contextmanager
    def _record(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(self.path.name + ".lock")
        with self._lock, open(lock_path, "a+") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                state = self._load()
                day = self._now().astimezone(self._tz).date().isoformat()
                if state.get("day") != day:
                    state = {"day": day, "tokens": {}}
                mine = state["tokens"].setdefault(self.token_id, {"calls": {}, "blocked": []})
                before = json.dumps(mine, sort_keys=True)
                yield mine
                if json.dumps(mine, sort_keys=True) != before or not self.path.exists():
                    tmp = self.path.with_name(self.path.name + ".tmp")
                    tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
                    os.replace(tmp, self.path)
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    def _load(self) -> dict:
        try:
            state = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):  # a damaged file: start the day's count again rather than stop
            return {}
        if not isinstance(state, dict) or not isinstance(state.get("tokens"), dict):
            return {}
        for mine in state["tokens"].values():
            if not isinstance(mine, dict) or not isinstance(mine.get("calls"), dict) \
                    or not isinstance(mine.get("blocked"), list):
                return {}
        return state
