"""The period's polls (decree, section 2.2.5: the results of votes) for the digest and the reports."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.config import Settings
from core.store import SearchQuery, Store
from core.text import excerpt

LIMIT = 20  # polls shown per period


@dataclass
class PollNote:
    question: str
    source: str
    url: str | None
    published_at: datetime
    voters: int | None
    results: str
    closed: bool

    @property
    def state(self) -> str:
        """« · завершён, 64 голосовавших» after the source name."""
        parts = ["завершён" if self.closed else ""]
        if self.voters is not None:
            parts.append(f"голосовавших {self.voters}")
        shown = ", ".join(p for p in parts if p)
        return f" · {shown}" if shown else ""


def period_polls(store: Store, settings: Settings, since: datetime, until: datetime) -> list[PollNote]:
    """Polls published in ``[since, until)``, newest first, with their results as last read."""
    names = {s.key: s.name for s in settings.sources}
    hits = store.search(SearchQuery(since=since, until=until, polls=True, order="date", limit=LIMIT))
    return [PollNote(excerpt(h.post.poll.question, 150), names.get(h.post.source, h.post.source), h.post.url,
                     h.post.published_at, h.post.poll.voters, h.post.poll.results_ru() or "варианты не указаны",
                     h.post.poll.closed)
            for h in hits if h.post.poll is not None]
