"""A person's request under 152-ФЗ on the Elasticsearch store: find their posts, delete posts by
id (search + bulk delete: the node has no ``_delete_by_query``), redact alert cards."""
from __future__ import annotations

from collections.abc import Iterable



class ForgettingMixin:
    """``post_ids_by_author``, ``delete_posts`` and ``redact_alerts`` of ``ElasticsearchStore``."""

    def post_ids_by_author(self, author: str) -> list[str]:
        self._io.refresh()
        hits = self._io.search_all(self.ready().alias("posts"), {"term": {"author": author}}, [{"id": "asc"}])
        return [h["_source"]["id"] for h in hits]

    def delete_posts(self, post_ids: Iterable[str]) -> int:
        wanted = sorted(set(post_ids))
        if not wanted:
            return 0
        self._io.refresh()
        alias = self.ready().alias("posts")
        found = []
        for start in range(0, len(wanted), 1000):
            query = {"terms": {"id": wanted[start:start + 1000]}}
            found += [(h["_index"], h["_id"]) for h in self._io.search_all(alias, query, [{"id": "asc"}])]
        self._io.bulk([{"_op_type": "delete", "_index": i, "_id": d} for i, d in found], "delete_posts",
                      deletes=True)
        return len(found)

    def redact_stories(self, story_ids: Iterable[str], note: str) -> int:
        names = self.ready()
        self._io.refresh()
        changed = 0
        for story_id in sorted(set(story_ids)):
            current = self._io.get(names.alias("stories"), story_id)
            if current is not None:  # written as is: upsert_story would merge the old title back
                self._io.index(names.alias("stories"), story_id, {**current.source, "title": note})
                changed += 1
            for hit in self._io.search_all(names.alias("alerts"), {"term": {"story_id": story_id}}, [{"id": "asc"}]):
                self._io.index(hit["_index"], hit["_id"], {**hit["_source"], "text": note})
                changed += 1
        return changed
