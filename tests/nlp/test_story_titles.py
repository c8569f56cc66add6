"""A story's title: the first post's text on one line, at most 120 characters, cut with «…»."""
from __future__ import annotations

from datetime import datetime, timezone

from core.domain import Attachment, Post
from nlp.stories import TITLE_LENGTH, title_of

AT = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


def post(text: str, **extra) -> Post:
    return Post(platform="vk", source="s", native_id="1", text=text, published_at=AT, **extra)


def test_the_title_is_one_line_without_runs_of_spaces():
    assert title_of(post("  Нет\n\nводы   в\tЛаптево  ")) == "Нет воды в Лаптево"
    assert title_of(post("", attachments=[Attachment(type="photo")])) == "[фото]"


def test_a_long_text_is_cut_at_the_limit_with_an_ellipsis():
    exact = "а" * TITLE_LENGTH
    assert TITLE_LENGTH == 120 and title_of(post(exact)) == exact
    long = "слово " * 40  # 240 characters; the cut falls after «слово» ×20 = 119 characters
    assert title_of(post(long)) == ("слово " * 20).rstrip() + "…"
    assert title_of(post("б" * 200)) == "б" * 119 + "…"
    spaced = "вокзал " * 30  # 119 = 17 × 7: the cut ends on a space, which is dropped before «…»
    assert title_of(post(spaced)) == ("вокзал " * 17).rstrip() + "…"
