"""Why a Telegram source stops early: a long flood wait, or the account's request budget."""
from __future__ import annotations

from datetime import datetime, timezone

from collectors.base import CollectorError


class ChatDeferred(CollectorError):
    """The chat is rescheduled to a later run; its watermark is not moved and the others go on.

    ``until`` (unix time) is when Telegram lets the account ask again, if it said so.
    """

    def __init__(self, key: str, reason: str, until: float | None = None):
        when = ""
        if until:
            when = f"; повтор не раньше {datetime.fromtimestamp(until, tz=timezone.utc):%d.%m %H:%M} UTC"
        super().__init__(f"{key}: отложен до следующего запуска: {reason}{when}")
        self.key, self.reason, self.until = key, reason, until

    def __reduce__(self):  # Prefect may pickle a task's exception
        return type(self), (self.key, self.reason, self.until)


class BudgetExhausted(Exception):
    """The account used its request budget for this run."""
