"""The VK watermark: what the collector remembers between scans, as compact JSON.

``{"date": 1764400000}`` (the newest wall post read) is the whole watermark of the
first versions and is still accepted. Newer fields:

- ``recent``: posts young enough to be re-read, ``{"-555_30": [date, signature, comments, last_comment]}``;
  a changed signature re-stores the post, more comments fetch the new ones;
- ``search``: per query, the date of the newest post found;
- ``skipped``: objects already reported as inaccessible (reported once), ``{"wall": 30}``;
- ``reported``: fingerprints of the last scan's problems, so a bad item that stays in the
  re-read window is reported once (``collectors.base.report_once``).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from collectors.base import CollectorError


@dataclass
class RecentPost:
    date: int
    signature: str
    comments: int
    last_comment: int | None  # highest comment id stored; None when it was never tracked

    def dump(self) -> list:
        return [self.date, self.signature, self.comments, self.last_comment]


@dataclass
class VkState:
    date: int = 0
    recent: dict[str, RecentPost] = field(default_factory=dict)
    search: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    reported: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, watermark: str | None, source: str) -> "VkState":
        if not watermark:
            return cls()
        try:
            raw = json.loads(watermark)
            state = cls(date=int(raw.get("date", 0)))
            for ref, (date, sig, comments, last) in (raw.get("recent") or {}).items():
                state.recent[str(ref)] = RecentPost(int(date), str(sig), int(comments),
                                                    None if last is None else int(last))
            state.search = {str(q): int(d) for q, d in (raw.get("search") or {}).items()}
            state.skipped = {str(k): int(c) for k, c in (raw.get("skipped") or {}).items()}
            state.reported = [str(m) for m in raw.get("reported") or []]
        except (ValueError, TypeError, AttributeError) as exc:
            raise CollectorError(f"{source}: stored watermark is not a VK watermark ({exc}); "
                                 f"run the scan with --full to start over") from None
        return state

    def dump(self) -> str:
        raw: dict = {"date": self.date}
        if self.recent:
            raw["recent"] = {ref: post.dump() for ref, post in sorted(self.recent.items())}
        if self.search:
            raw["search"] = dict(sorted(self.search.items()))
        if self.skipped:
            raw["skipped"] = dict(sorted(self.skipped.items()))
        if self.reported:
            raw["reported"] = self.reported
        return json.dumps(raw, ensure_ascii=False, separators=(",", ":"))
