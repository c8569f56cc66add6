"""The answer record's pure parts, pinned case by case (mutation testing found them loosely tested):
which platform a link belongs to, which links a message holds, what counts as a link, and the
answer text without the command and the spacing."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from alerts.workflow import checked_link, extract_links, parse_answer, platform_of

AT = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("url, platform", [
    ("https://vk.com/wall-1_2", "VK"), ("https://m.vk.com/wall-1_2", "VK"), ("https://www.vk.com/x", "VK"),
    ("https://VK.RU/x", "VK"), ("http://vkontakte.ru/x", "VK"), ("https://t.me/pestovo/5", "Telegram"),
    ("https://telegram.me/x", "Telegram"), ("https://telegram.org/x", "Telegram"), ("https://ok.ru/group/1", "Одноклассники"),
    ("https://m.ok.ru/group/1", "Одноклассники"), ("https://odnoklassniki.ru/x", "Одноклассники"),
    ("https://pestovo.ru/news/1", "сайт/СМИ"), ("https://vk.com.evil.example/x", "сайт/СМИ"),
    ("https://mvk.com/x", "сайт/СМИ"), ("не ссылка", "сайт/СМИ"),
])
def test_platform_of_a_link(url, platform):
    assert platform_of(url) == platform


def test_links_are_found_completed_and_kept_once_in_order():
    text = "Ответ: vk.com/wall-1_2, https://t.me/pestovo/5. И снова https://vk.com/wall-1_2 (см.)"
    assert extract_links(text) == ["https://vk.com/wall-1_2", "https://t.me/pestovo/5"]
    assert extract_links("") == [] and extract_links(None) == []
    assert extract_links("HTTP://Pestovo.ru/a") == ["HTTP://Pestovo.ru/a"]


@pytest.mark.parametrize("value, expected", [
    ("vk.com/wall-1_2", "https://vk.com/wall-1_2"), (" https://t.me/x/1 ", "https://t.me/x/1"),
    ("http://pestovo.ru/a", "http://pestovo.ru/a"),
])
def test_checked_link_accepts_addresses(value, expected):
    assert checked_link(value) == expected


@pytest.mark.parametrize("value", ["javascript:alert(1)", "ftp://pestovo.ru/a", "localhost", "https://pes tovo.ru",
                                   "https://пример/а", "не ссылка", "mailto:a@pestovo.ru",
                                   "https://vk.com@evil.example/wall-1_2"])
def test_checked_link_refuses_anything_else(value):
    with pytest.raises(ValueError, match="не ссылка"):
        checked_link(value)


def test_an_answer_keeps_its_text_and_derives_platforms():
    answer = parse_answer("/answer@mcu_bot   Водопровод  в Лаптево\n\n  починен   https://vk.com/wall-1_2",
                          "Анна", AT, extra_links=["t.me/pestovo/5", " "], ref="tg:1:2")
    assert answer.text == "Водопровод в Лаптево\nпочинен https://vk.com/wall-1_2"
    assert answer.links == ["https://vk.com/wall-1_2", "https://t.me/pestovo/5"]
    assert answer.platforms == ["VK", "Telegram"]
    assert (answer.actor, answer.at, answer.ref) == ("Анна", AT, "tg:1:2")
    with pytest.raises(ValueError, match="хотя бы одна ссылка"):
        parse_answer("Водопровод починен", "Анна", AT)
    with pytest.raises(ValueError, match="нужен текст ответа"):
        parse_answer("/answer https://vk.com/wall-1_2 —", "Анна", AT)


def test_checked_link_edges():
    assert checked_link("https://пестово.рф/новости/1") == "https://пестово.рф/новости/1"  # a Cyrillic domain
    assert checked_link("pestovo-adm.example/n/1?a=1") == "https://pestovo-adm.example/n/1?a=1"
    for value in ("https://pestovo", "https://pestovo.ru/a b", "https://pestovo.ru\t/a"):
        with pytest.raises(ValueError) as error:
            checked_link(value)
        assert str(error.value).startswith(f"«{value.strip()}» — не ссылка: нужен адрес публикации вида "
                                           "https://vk.com/wall-1_2")
