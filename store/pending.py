"""Stories awaiting the alert step, for a backend that keeps them beside its watermarks.

The Elasticsearch store (and its spooling wrapper, so that the list survives an outage like a
watermark) keeps them as one record under a reserved key; SQLite has a table of its own.
"""
from __future__ import annotations

import json

PENDING_KEY = "_alerts.pending_stories"
"""Reserved watermark key: no source key can take it (source keys start with a letter or digit)."""


class PendingStoriesInWatermarks:
    """``add_pending_stories``/``pending_stories``/``remove_pending_stories`` over
    ``get_watermark``/``set_watermark``; for one writer at a time (the scan holds the store lock)."""

    def pending_stories(self) -> set[str]:
        return set(json.loads(self.get_watermark(PENDING_KEY) or "[]"))

    def add_pending_stories(self, story_ids: set[str]) -> None:
        pending = self.pending_stories()
        if not set(story_ids) <= pending:
            self.set_watermark(PENDING_KEY, json.dumps(sorted(pending | set(story_ids))))

    def remove_pending_stories(self, story_ids: set[str]) -> None:
        pending = self.pending_stories()
        if pending & set(story_ids):
            self.set_watermark(PENDING_KEY, json.dumps(sorted(pending - set(story_ids))))
