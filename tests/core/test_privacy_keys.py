"""Pseudonyms are keyed (HMAC-SHA256 with the local salt), per author, and the salt is kept in a
private file; the payload walk reaches ids under objects and in lists. Pinned values: a plain
hash of the VK id, or one pseudonym for everybody, would fail here."""
from __future__ import annotations

import stat

from core.domain import Platform, Post
from core.privacy import Pseudonymizer, load_salt
from tests.core.test_privacy import item

SALT = b"pestovo-salt"


def test_the_pseudonym_is_the_keyed_hash_of_the_author():
    names = Pseudonymizer(SALT)
    # hmac.new(b"pestovo-salt", b"51234001", sha256).hexdigest()[:16]; sha256(b"51234001") starts 1ddae018
    assert names.author("51234001") == "anon-50d3449cadf23a50"
    assert names.author("51234002") != names.author("51234001")
    assert names.author("anon-50d3449cadf23a50") == "anon-50d3449cadf23a50"
    assert names.author(None) is None
    assert Pseudonymizer(None).author("51234001") == "51234001"


def test_a_post_gets_its_authors_pseudonym():
    post = Post(platform=Platform.vk, source="s", native_id="1_1", author="51234001", text="т",
                published_at="2026-11-20T10:00:00Z")
    assert Pseudonymizer(SALT).apply(post).author == "anon-50d3449cadf23a50"
    assert Pseudonymizer(SALT).apply(post.model_copy(update={"author": None})).author is None


def test_ids_under_objects_and_in_lists_are_replaced_and_other_values_kept():
    names = Pseudonymizer(SALT)
    payload = {"from_id": {"_": "PeerUser", "user_id": 51234001}, "user_id": [51234001, 0, "x"],
               "signer_id": 1.5, "created_by": {"id": 7}, "reply_to_user": True}
    raw = names.raw(item(payload), ("from_id.user_id", "user_id", "signer_id", "created_by", "reply_to_user"))
    assert raw.payload == {"from_id": {"_": "PeerUser", "user_id": "anon-50d3449cadf23a50"},
                           "user_id": ["anon-50d3449cadf23a50", 0, names.author("x")],
                           "signer_id": 1.5, "created_by": {"id": 7}, "reply_to_user": True}


def test_a_dotted_path_goes_through_an_object():
    names = Pseudonymizer(SALT)
    raw = names.raw(item({"from_id": {"peer": 51234001}, "peer": 7}), ("from_id.peer",))
    assert raw.payload == {"from_id": {"peer": "anon-50d3449cadf23a50"}, "peer": 7}


def test_the_salt_file_is_created_once_private_and_read_back(tmp_path):
    key = tmp_path / "deep" / "keys" / "pseudonym.key"
    assert load_salt(key, configured=b"from-the-environment") == b"from-the-environment"
    assert not key.exists()
    salt = load_salt(key)
    assert len(salt) == 64 and int(salt, 16) >= 0
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert load_salt(key) == salt
    key.write_bytes(b"kept-salt\n")
    assert load_salt(key) == b"kept-salt"
    beside = key.with_name("second.key")  # its folder exists already
    assert len(load_salt(beside)) == 64 and load_salt(beside) != salt
