"""The OK watermark: what the collector remembers between scans, as compact JSON.

``{"created": 1795100000000, "recent": {"<topic>": [created_ms, signature, comments, last_comment_ms]},
"skipped": {"group": 300}, "reported": [...]}``: the newest topic read (milliseconds, as OK gives
them), the topics young enough to be re-read (a changed signature re-stores the topic, more
comments fetch the new ones, newer than ``last_comment_ms``), objects reported as inaccessible
(reported once), and fingerprints of the last scan's problems (``collectors.base.report_once``).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from collectors.base import CollectorError


@dataclass
class RecentTopic:
    created: int
    signature: str
    comments: int
    last_comment: int  # milliseconds of the newest comment stored; 0: none yet

    def dump(self) -> list:
        return [self.created, self.signature, self.comments, self.last_comment]


@dataclass
class OkState:
    created: int = 0
    recent: dict[str, RecentTopic] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    reported: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, watermark: str | None, source: str) -> "OkState":
        if not watermark:
            return cls()
        try:
            raw = json.loads(watermark)
            state = cls(created=int(raw.get("created", 0)))
            for ref, (created, sig, comments, last) in (raw.get("recent") or {}).items():
                state.recent[str(ref)] = RecentTopic(int(created), str(sig), int(comments), int(last))
            state.skipped = {str(k): int(c) for k, c in (raw.get("skipped") or {}).items()}
            state.reported = [str(m) for m in raw.get("reported") or []]
        except (ValueError, TypeError, AttributeError) as exc:
            raise CollectorError(f"{source}: stored watermark is not an OK watermark ({exc}); "
                                 f"run the scan with --full to start over") from None
        return state

    def dump(self) -> str:
        raw: dict = {"created": self.created}
        if self.recent:
            raw["recent"] = {ref: topic.dump() for ref, topic in sorted(self.recent.items())}
        if self.skipped:
            raw["skipped"] = dict(sorted(self.skipped.items()))
        if self.reported:
            raw["reported"] = self.reported
        return json.dumps(raw, ensure_ascii=False, separators=(",", ":"))
