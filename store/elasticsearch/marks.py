"""Posts found deleted on their platform, on the Elasticsearch store: the document stays (it is
evidence) and gains ``deleted_at``."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime


class DeletedMarksMixin:
    """``mark_deleted`` of ``ElasticsearchStore``."""

    def mark_deleted(self, post_ids: Iterable[str], at: datetime) -> int:
        wanted = sorted(set(post_ids))
        if not wanted:
            return 0
        names = self.ready()
        stored = self._find_posts(names, wanted)
        changed = {}
        for pid, found in stored.items():
            post, analysis = found.pair
            if post.deleted_at is None:
                changed[pid] = (post.model_copy(update={"deleted_at": at}), analysis, found.raw)
        if changed:
            self._write_posts(names, changed, stored)
        return len(changed)
