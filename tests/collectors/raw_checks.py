"""What every platform's batch must carry: one raw item per post that maps back to that post."""
from __future__ import annotations

import json
from collections import Counter

from collectors.base import Batch, mapping_for, remap
from core.domain import RawItem


def check_raw(batch: Batch, source=None) -> Counter:
    """Assert the batch's raw items cover exactly its posts, carry the platform's mapper version,
    survive a JSON round trip (as stored), and re-map to the very posts; the kinds seen."""
    assert batch.posts, "a batch without posts checks nothing"
    assert set(batch.raw) == {post.id for post in batch.posts}
    kinds: Counter = Counter()
    for post in batch.posts:
        raw = batch.raw[post.id]
        assert (raw.post_id, raw.platform, raw.source) == (post.id, post.platform, post.source)
        assert raw.mapper == mapping_for(post.platform).version
        stored = RawItem.model_validate_json(json.dumps(json.loads(raw.model_dump_json())))
        assert stored == raw, f"{post.id}: the raw item is not plain JSON"
        assert remap(stored, source) == post, f"{post.native_id}: remap gives another post"
        kinds[raw.kind] += 1
    return kinds
