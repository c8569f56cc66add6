"""The card: Russian, every user text escaped for Telegram HTML, broken Unicode made safe,
within Telegram's length limit, with the buttons the risk's status allows."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from alerts.card import card_facts, render_card
from alerts.sinks import FileSink
from alerts.telegram.render import ACTIONS, BUTTONS, keyboard, link, render_html, visible_length
from alerts.workflow import extract_links, parse_answer, platform_of
from core.config import load_config
from core.domain import (Alert, Analysis, Answer, Post, ReactionEvidence, Risk, RiskReason, RiskStatus, Sentiment,
                        Story, TopicScore, Verdict, RiskAssessment)
from tests.alerts.fake_bot_api import parse_html

ROOT = Path(__file__).resolve().parents[2]
AT = datetime(2026, 11, 19, 9, 30, tzinfo=timezone.utc)
NASTY = 'Вода <b>не</b> тег & «кавычки» "двойные" \'одинарные\' <script>alert(1)</script> \ud83d конец \x07'


@pytest.fixture(scope="module")
def settings():
    return load_config(ROOT / "config/demo.yaml")


def make(text: str = NASTY, url: str = "https://vk.com/wall-1_2?a=1&b=<2>", status=RiskStatus.in_work) -> tuple:
    post = Post(platform="vk", source="pestovo_online", native_id="-1_2", url=url, text=text, published_at=AT,
                reach=12437)
    analysis = Analysis(post_id=post.id, sentiment=Sentiment(label="negative", score=0.9),
                        topic=TopicScore(code="utilities", confidence=0.9), block="rural", department="laptevsky",
                        risk=RiskAssessment(score=0.8, level="critical"))
    story = Story(id="s1", title=text[:40], first_post_id=post.id, first_seen=AT, last_seen=AT, post_ids=[post.id],
                  sources=["pestovo_online", "<злой & источник>"])
    evidence = ReactionEvidence(since=AT, answer_posts=1, comments=7, negative=5, positive=1, likes=3,
                                last_activity=AT)
    risk = Risk(id="r" * 20, story_id="s1", number=7, status=status, level="critical", score=0.81, topic="utilities",
                block="rural", department="laptevsky", places=["Лаптево <д.>"], created_at=AT, updated_at=AT,
                reasons=[RiskReason(component="negativity", value=0.3, detail="негатив <& \udcff>")],
                assignee='Анна <Дежурная> & "Ко"', answers=[Answer(text=NASTY, platforms=["VK"],
                links=["https://vk.com/wall-9_9", "javascript:alert(1)"], actor="x", at=AT)],
                verdict=Verdict(outcome="reescalated", reason="после ответа 5 новых <негативных> & злых", at=AT,
                                evidence=evidence))
    return risk, story, [(post, analysis)]


def test_html_card_is_valid_telegram_html_and_shows_the_raw_text(settings):
    risk, story, items = make()
    text = render_html(card_facts(risk, story, items, settings))
    visible = parse_html(text)  # raises like Telegram's «can't parse entities»
    assert "<b>не</b> тег & «кавычки»" in visible and "<script>alert(1)</script>" in visible
    assert "\ufffd" in visible and "\ud83d" not in text and "\x07" not in text
    assert 'Анна <Дежурная> & "Ко"' in visible and "<злой & источник>" in visible
    assert "КРИТИЧЕСКИЙ риск №7" in visible and "Лаптевский территориальный отдел" in visible
    assert "снова в работе" in visible and "после ответа 5 новых <негативных>" in visible
    text.encode("utf-8")  # sendable as it is
    assert 'href="javascript' not in text and "javascript:alert(1)" in visible  # only http(s) become links
    assert '<a href="https://vk.com/wall-1_2?a=1&amp;b=&lt;2&gt;">' in text


def test_plain_card_survives_a_file_sink(settings, tmp_path):
    risk, story, items = make()
    plain = render_card(risk, story, items, settings)
    assert "\ufffd" in plain and "<script>" in plain and "Почему риск" in plain
    sink = FileSink(tmp_path / "alerts.txt")
    sink.send(Alert(id="a1", risk_id=risk.id, story_id="s1", level="critical", text=plain + " \udcff", created_at=AT))
    assert "<script>" in (tmp_path / "alerts.txt").read_text(encoding="utf-8")


def test_long_content_stays_within_one_message(settings):
    risk, story, items = make(text="длинный текст " * 2000)
    risk.reasons = [RiskReason(component="x", value=1, detail="причина " * 200) for _ in range(20)]
    risk.answers = [Answer(text="ответ " * 3000, platforms=["VK"], actor="x", at=AT,
                           links=[f"https://vk.com/wall-1_{i}" for i in range(50)])]
    text = render_html(card_facts(risk, story, items, settings))
    assert visible_length(text) <= 4096
    assert len(parse_html(text)) <= 4096


@pytest.mark.parametrize("status", list(RiskStatus))
def test_buttons_follow_the_status(status):
    risk, _, _ = make(status=status)
    markup = keyboard(risk)
    texts = [b.text for row in markup.inline_keyboard for b in row]
    assert texts == [BUTTONS[a] for a in ACTIONS[status]]
    assert all(len(b.callback_data.encode()) <= 64 for row in markup.inline_keyboard for b in row)
    if status == RiskStatus.new:
        assert texts == ["Взять в работу", "Не риск", "Ответ опубликован", "Эскалировать"]


def test_links_and_platforms_of_an_answer():
    text = ("Разъяснение опубликовано: vk.com/wall-220011407_3318, https://t.me/pestovo_novosti/3900 и "
            "на сайте https://pestovo-adm.example/news/voda-laptevo. (см. также www.ok.ru/group/1/topic/2)")
    links = extract_links(text)
    assert links == ["https://vk.com/wall-220011407_3318", "https://t.me/pestovo_novosti/3900",
                     "https://pestovo-adm.example/news/voda-laptevo", "https://www.ok.ru/group/1/topic/2"]
    assert [platform_of(u) for u in links] == ["VK", "Telegram", "сайт/СМИ", "Одноклассники"]
    answer = parse_answer("/answer " + text, "Анна", AT, ["https://pestovo-vesti.example/a"], ref="tg:1:2")
    assert answer.platforms == ["VK", "Telegram", "сайт/СМИ", "Одноклассники"]
    assert answer.text == text  # as written, without the command
    with pytest.raises(ValueError, match="ссылка"):
        parse_answer("ответ без ссылок", "Анна", AT)
    with pytest.raises(ValueError, match="текст ответа"):
        parse_answer("https://vk.com/wall-1_2", "Анна", AT)


def test_link_shows_host_and_path():
    assert link("https://www.pestovo-adm.example/news/1/") == \
        '<a href="https://www.pestovo-adm.example/news/1/">pestovo-adm.example/news/1</a>'
    assert link("ftp://x/<y>") == "ftp://x/&lt;y&gt;"


def test_times_are_local(settings):
    risk, story, items = make()
    risk.answers[0].at = datetime(2026, 11, 19, 21, 5, tzinfo=timezone.utc) + timedelta(0)
    text = parse_html(render_html(card_facts(risk, story, items, settings)))
    assert "20.11 00:05" in text  # Europe/Moscow, UTC+3
