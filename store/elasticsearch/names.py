"""Index and alias names of one store: ``{prefix}-{kind}`` aliases over versioned indices.

=================  ===================================  ===========================
kind               indices                              read through the alias
=================  ===================================  ===========================
posts              ``mcu-posts-v1-2026.11`` (monthly)   ``mcu-posts``
stories            ``mcu-stories-v1``                   ``mcu-stories``
risks              ``mcu-risks-v1``                     ``mcu-risks``
alerts             ``mcu-alerts-v1``                    ``mcu-alerts``
meta               ``mcu-meta`` (not versioned)         (none)
=================  ===================================  ===========================

A post is written to the index of its month (UTC) of ``published_at``: the same post
always lands in the same index, so re-indexing it is an overwrite, not a copy.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

from core.domain import utc
from core.store import StoreError

PREFIX_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_MONTHLY = re.compile(r"^(?P<base>.+)-v(?P<version>\d+)-(?P<year>\d{4})\.(?P<month>\d{2})$")
_SINGLE = re.compile(r"^(?P<base>.+)-v(?P<version>\d+)$")


def check_prefix(prefix: str) -> str:
    if not PREFIX_PATTERN.match(prefix):
        raise StoreError(
            f"elasticsearch prefix {prefix!r}: expected 1-40 characters of a-z, 0-9, '-' or '_',"
            " starting with a letter or digit"
        )
    return prefix


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """The first instant of the month and of the next one, in UTC."""
    start = datetime(year, month, 1, tzinfo=timezone.utc)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=timezone.utc)
    return start, end


@dataclass(frozen=True)
class IndexNames:
    prefix: str
    version: int

    def __post_init__(self) -> None:
        check_prefix(self.prefix)

    def alias(self, kind: str) -> str:
        return f"{self.prefix}-{kind}"

    @property
    def meta(self) -> str:
        return f"{self.prefix}-meta"

    def single(self, kind: str, version: int | None = None) -> str:
        """The one index of stories, risks or alerts at ``version`` (default: ours)."""
        return f"{self.prefix}-{kind}-v{self.version if version is None else version}"

    def posts_month(self, when: datetime, version: int | None = None) -> str:
        at = utc(when)
        return f"{self.prefix}-posts-v{self.version if version is None else version}-{at:%Y.%m}"

    def posts_pattern(self, version: int | str = "*") -> str:
        return f"{self.prefix}-posts-v{version}-*"

    def parse(self, index: str) -> tuple[str, int, tuple[int, int] | None] | None:
        """``(kind, version, (year, month) or None)`` for one of our indices, else None."""
        for pattern in (_MONTHLY, _SINGLE):
            match = pattern.match(index)
            if match and match["base"].startswith(self.prefix + "-"):
                kind = match["base"][len(self.prefix) + 1 :]
                month = (int(match["year"]), int(match["month"])) if pattern is _MONTHLY else None
                return kind, int(match["version"]), month
        return None

    def month_end(self, index: str) -> datetime | None:
        """The end (exclusive) of the month a monthly posts index holds."""
        parsed = self.parse(index)
        if parsed is None or parsed[2] is None:
            return None
        return month_bounds(*parsed[2])[1]
