"""What people actually post: a photo of a pothole with no words is a post like any other, with its
comments; attachments come with their type and address."""
from __future__ import annotations

import json
from pathlib import Path

from collectors.vk.client import ReplayVkClient
from collectors.vk.collector import VkCollector
from collectors.vk.config import VkSource
from collectors.vk.mapping import attachments_of

OWNER = -217000009
NOW = 1_795_100_000


def wall(tmp_path: Path) -> Path:
    """A wall of 250 posts; post 120 is a photo only, under it 40 angry comments."""
    items = [{"id": n, "owner_id": OWNER, "from_id": 60_000_000 + n, "date": NOW - 3600 - n * 60,
              "text": f"Объявление номер {n}", "comments": {"count": 0}} for n in range(250, 0, -1)]
    photo = next(i for i in items if i["id"] == 120)
    photo.update(text="", comments={"count": 40}, attachments=[{"type": "photo", "photo": {
        "id": 1, "owner_id": OWNER, "sizes": [{"type": "m", "url": "https://sun.userapi.com/small.jpg", "width": 130,
                                               "height": 97},
                                              {"type": "w", "url": "https://sun.userapi.com/big.jpg", "width": 1280,
                                               "height": 960}]}}])
    comments = [{"id": 1000 + k, "from_id": 70_000_000 + k, "date": NOW - 3000 + k,
                 "text": f"Безобразие, яма на Советской уже месяц! ({k})"} for k in range(40)]
    pages = [{"method": "wall.get", "params": {"owner_id": OWNER, "offset": offset},
              "response": {"count": 250, "items": items[offset:offset + 100]}} for offset in (0, 100, 200)]
    calls = [{"method": "groups.getById", "params": {"group_id": "yama_pestovo"},
              "response": {"groups": [{"id": -OWNER, "name": "Ямы Пестово", "members_count": 900}]}},
             *pages,
             {"method": "wall.getComments", "params": {"owner_id": OWNER, "post_id": 120, "offset": 0},
              "response": {"count": 40, "items": comments}}]
    path = tmp_path / "wall.json"
    path.write_text(json.dumps({"calls": calls}, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_photo_only_post_is_stored_with_its_comments(tmp_path):
    source = VkSource(key="yama", platform="vk", name="Ямы Пестово", owner="yama_pestovo", replay=wall(tmp_path),
                      recheck_hours=0)
    batch = VkCollector(source, ReplayVkClient(source.replay), clock=lambda: NOW).collect(None)
    posts = {p.native_id: p for p in batch.posts}
    photo = posts[f"{OWNER}_120"]
    assert photo.text == "" and photo.engagement.comments == 40
    assert [(a.type, a.url) for a in photo.attachments] == [("photo", "https://sun.userapi.com/big.jpg")]
    assert photo.display_text == "[фото]"
    under = [p for p in batch.posts if p.parent_id == photo.id]
    assert len(under) == 40 and all("яма" in p.text for p in under)
    assert len([p for p in batch.posts if not p.is_comment]) == 250
    assert not any("no text" in problem for problem in batch.problems) and batch.skipped == 0
    assert batch.raw[photo.id].payload["attachments"][0]["type"] == "photo"  # the raw item keeps it too


def test_attachment_kinds():
    item = {"attachments": [
        {"type": "video", "video": {"id": 5, "owner_id": -1, "title": "Ремонт моста"}},
        {"type": "doc", "doc": {"url": "https://vk.com/doc1_2", "title": "график.pdf"}},
        {"type": "link", "link": {"url": "https://pestovo-adm.example/n/1", "title": "Новость"}},
        {"type": "audio", "audio": {"artist": "Хор", "title": "Песня"}},
        {"type": "graffiti", "graffiti": {}}, "junk", {"no": "type"}],
        "copy_history": [{"attachments": [{"type": "photo", "photo": {"sizes": []}}]}]}
    assert [(a.type, a.url, a.title) for a in attachments_of(item)] == [
        ("video", "https://vk.com/video-1_5", "Ремонт моста"), ("doc", "https://vk.com/doc1_2", "график.pdf"),
        ("link", "https://pestovo-adm.example/n/1", "Новость"), ("audio", None, "Хор — Песня"),
        ("other", None, None), ("photo", None, None)]
