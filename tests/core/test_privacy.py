"""Author pseudonyms: in posts, and wherever a platform's payload holds a citizen's id."""
from __future__ import annotations

import copy

from core.domain import Platform, RawItem
from core.privacy import Pseudonymizer, id_text

VK_FIELDS = ("from_id", "signer_id", "copy_history.owner_id")
PAYLOAD = {
    "id": 210, "owner_id": -217000001, "from_id": 51234001, "signer_id": 0, "text": "Нет воды",
    "copy_history": [{"owner_id": 51234002, "from_id": 51234002, "text": "репост"}],
    "thread": {"items": [{"id": 211, "from_id": 51234003, "likes": {"count": 2}}]},
    "authors": [{"name": "Иван Петров"}, {"name": "Анна"}],
}


def item(payload: dict) -> RawItem:
    return RawItem(post_id="p1", platform=Platform.vk, source="pestovo", kind="post", mapper=1,
                   context={"reach": 5400, "owner": -217000001}, payload=payload)


def test_author_ids_are_pseudonymised_at_any_depth_with_the_posts_pseudonym():
    names = Pseudonymizer(b"salt")
    original = copy.deepcopy(PAYLOAD)
    raw = names.raw(item(PAYLOAD), VK_FIELDS + ("authors.name",))
    payload = raw.payload
    assert payload["from_id"] == names.author("51234001") and payload["from_id"].startswith("anon-")
    assert payload["copy_history"][0]["owner_id"] == payload["copy_history"][0]["from_id"] == names.author("51234002")
    assert payload["thread"]["items"][0]["from_id"] == names.author("51234003")
    assert [a["name"] for a in payload["authors"]] == [names.author("Иван Петров"), names.author("Анна")]
    assert payload["signer_id"] == 0  # empty: the mapping treats it as absent
    assert payload["owner_id"] == -217000001 and payload["thread"]["items"][0]["likes"] == {"count": 2}
    assert raw.context == {"reach": 5400, "owner": -217000001}
    assert PAYLOAD == original  # the item given is not changed
    assert names.raw(raw, VK_FIELDS) == raw  # a pseudonym stays as it is
    for citizen in ("51234001", "51234002", "51234003", "Иван Петров"):
        assert citizen not in raw.model_dump_json()


def test_nothing_changes_without_a_key_or_without_fields():
    assert Pseudonymizer(None).raw(item(PAYLOAD), VK_FIELDS).payload == PAYLOAD
    assert Pseudonymizer(b"salt").raw(item(PAYLOAD), ()).payload == PAYLOAD


def test_another_key_gives_other_pseudonyms():
    one = Pseudonymizer(b"one").raw(item(PAYLOAD), VK_FIELDS).payload["from_id"]
    two = Pseudonymizer(b"two").raw(item(PAYLOAD), VK_FIELDS).payload["from_id"]
    assert one != two and one.startswith("anon-") and two.startswith("anon-")


def test_pseudonyms_are_keyed_hmac_not_a_plain_hash():
    """Anyone can hash VK ids; only the key holder can link a pseudonym back to one."""
    import hashlib

    vk_id = "51234001"
    assert Pseudonymizer(b"salt").author(vk_id) == "anon-fad3af89bd891bfb"  # HMAC-SHA256 with the key, 16 hex
    assert Pseudonymizer(b"pepper").author(vk_id) == "anon-583523c4816dab67"
    plain = {hashlib.sha256(vk_id.encode()).hexdigest()[:16], hashlib.sha256(b"salt" + vk_id.encode()).hexdigest()[:16],
             hashlib.sha256(vk_id.encode() + b"salt").hexdigest()[:16], hashlib.sha1(vk_id.encode()).hexdigest()[:16]}
    assert Pseudonymizer(b"salt").author(vk_id).removeprefix("anon-") not in plain


def test_an_id_is_a_non_empty_string_or_a_non_zero_integer():
    """The one rule the mappers read authors by and raw items are pseudonymised by."""
    assert [id_text(v) for v in (51234001, -217000001, "user:7", "a1b2")] == ["51234001", "-217000001", "user:7",
                                                                             "a1b2"]
    assert [id_text(v) for v in (None, 0, "", True, False, [1], {"id": 1}, 1.5)] == [None] * 8
    names = Pseudonymizer(b"salt")
    raw = RawItem(post_id="p", platform=Platform.vk, source="s", kind="post", mapper=1,
                  payload={"from_id": [1], "signer_id": 0, "user_id": 7})
    assert names.raw(raw, ["from_id", "signer_id", "user_id"]).payload == {
        "from_id": [names.author("1")], "signer_id": 0, "user_id": names.author("7")}
