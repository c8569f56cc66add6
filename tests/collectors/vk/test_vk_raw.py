"""Raw items of a live VK read (vk_api against the local stand-in): wall posts, comments and
threads, and search results from other walls, each re-mapping to its post."""
from __future__ import annotations

from collectors.vk.collector import VkCollector, live_client
from tests.collectors.raw_checks import check_raw
from tests.collectors.vk.conftest import NOW

OWNER = -217000001


def test_wall_comments_and_search_results_carry_raw_items(vk_settings):
    settings = vk_settings(search=["Пестово"])
    source = settings.sources[0]
    batch = VkCollector(source, live_client(source, settings), clock=lambda: NOW).collect(None)
    kinds = check_raw(batch, source)
    assert kinds["comment"] == 14 and kinds["post"] == len(batch.posts) - 14
    found = [p for p in batch.posts if not p.native_id.startswith(f"{OWNER}_")]
    assert found, "the search recording has posts of other walls"
    for post in found:  # a search result keeps the audience of its own wall, not this source's
        assert batch.raw[post.id].context == {"reach": post.reach}
    reply = batch.raw[next(p.id for p in batch.posts if p.native_id == f"{OWNER}_210_c224")]
    assert reply.context == {"owner": OWNER, "post": 210, "reach": 5400}  # from the long thread
