"""Posts Elasticsearch refused for good (say, a term too long for a keyword field): each is kept in
the meta index (``kind=dead_letter``, the document unindexed) with the reason, and the rest of
the bulk stands. ``mcu index dead-letters`` lists them."""
from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

from core.store import DeadLetter
from store.elasticsearch import documents as docs

log = logging.getLogger(__name__)
Json = dict


class DeadLettersMixin:
    """``dead_letters`` and the handler ``_dead_letter`` that ``upsert_posts`` passes to the bulk."""

    def _dead_letter(self, refused: list[tuple[Json, Json]]) -> None:
        now = datetime.now(timezone.utc)
        meta = self.ready().meta
        for action, failure in refused:
            document = action.get("_source") or {}
            error = failure.get("error") or {}
            reason = f"HTTP {failure.get('status')}: {error.get('type', '?')}: {error.get('reason', error)}"
            reason = reason if len(reason) <= 300 else reason[:299] + "…"  # ES quotes the whole field
            post_id = str(action.get("_id") or failure.get("_id"))
            log.error("elasticsearch %s: post %s refused, kept as a dead letter: %s", self.prefix, post_id, reason)
            self._io.index(meta, f"dead_letter:{post_id}", {
                "kind": "dead_letter", "source": document.get("source", ""), "updated_at": docs.timestamp(now),
                "value": json.dumps({"post_id": post_id, "reason": reason, "document": document},
                                    ensure_ascii=False),
            })  # fmt: skip

    def dead_letters(self) -> list[DeadLetter]:
        self._io.refresh()
        hits = self._io.search_all(self.ready().meta, {"term": {"kind": "dead_letter"}}, [{"updated_at": "asc"}])
        letters = []
        for hit in hits:
            value = json.loads(hit["_source"]["value"])
            letters.append(DeadLetter(post_id=value["post_id"], source=hit["_source"].get("source", ""),
                                      reason=value["reason"], document=value.get("document") or {},
                                      at=datetime.fromisoformat(hit["_source"]["updated_at"].replace("Z", "+00:00"))))
        return letters
