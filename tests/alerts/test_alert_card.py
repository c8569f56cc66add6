"""The card: one builder, two formats (plain text and Telegram HTML) with the same wording; Russian,
every user text escaped for Telegram HTML, broken Unicode and control characters made safe,
within Telegram's length limit, with the buttons the risk's status allows."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from alerts.card import HTML, PLAIN, card_facts, card_text, details_text, link, render_card
from alerts.sinks import FileSink
from alerts.telegram.render import ACTIONS, BUTTONS, keyboard, render_html
from core.text import visible_length
from alerts.workflow import extract_links, parse_answer, platform_of
from core.config import load_config
from core.domain import (Alert, Analysis, Answer, Post, ReactionEvidence, Risk, RiskReason, RiskStatus, Sentiment,
                        RiskTransition, Story, TopicScore, Verdict, RiskAssessment)
from testing.fakes.telegram_bot import parse_html

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


PLAIN_CARD = """\
🔴 КРИТИЧЕСКИЙ риск №7 · ЖКХ: вода, тепло, свет
Блок: Сельские территории
Место: Лаптево <д.> (Лаптевский территориальный отдел)

«Вода <b>не</b> тег & «кавычки» "двойные" 'одинарные' <script>alert(1)</script> \ufffd конец»

Распространение: 1 публикация (постов 1, комментариев 0) в 2 источниках: Пестово Онлайн, <злой & источник>
Охват источников: 12\u202f437
Почему риск (оценка 0.81):
• негатив <& \ufffd>
Ссылки:
  https://vk.com/wall-1_2?a=1&b=<2>
Ответственные: Заведующий организационным отделом, руководитель блока «Сельские территории»; \
Глава Лаптевского территориального отдела; Заведующий отделом жилищно-коммунального хозяйства, руководитель блока

Статус: в работе · в работе у Анна <Дежурная> & "Ко"
Ответ (19.11 12:30; VK): «Вода <b>не</b> тег & «кавычки» "двойные" 'одинарные' <script>alert(1)</script> \ufffd конец»
  https://vk.com/wall-9_9
  javascript:alert(1)
Реакция: под ответом 7 комментариев (негативных 5, позитивных 1), отметок «нравится» 3, репостов 0; \
новых публикаций в истории 0
Вердикт (19.11 12:30): снова в работе — после ответа 5 новых <негативных> & злых"""

HTML_CARD = """\
🔴 <b>КРИТИЧЕСКИЙ риск №7</b> · ЖКХ: вода, тепло, свет
<b>Блок:</b> Сельские территории
<b>Место:</b> Лаптево &lt;д.&gt; (Лаптевский территориальный отдел)

<blockquote>Вода &lt;b&gt;не&lt;/b&gt; тег &amp; «кавычки» &quot;двойные&quot; &#x27;одинарные&#x27; \
&lt;script&gt;alert(1)&lt;/script&gt; \ufffd конец</blockquote>

<b>Распространение:</b> 1 публикация (постов 1, комментариев 0) в 2 источниках: Пестово Онлайн, \
&lt;злой &amp; источник&gt;
<b>Охват источников:</b> 12\u202f437
<b>Почему риск</b> (оценка 0.81):
• негатив &lt;&amp; \ufffd&gt;
<b>Ссылки:</b>
  <a href="https://vk.com/wall-1_2?a=1&amp;b=&lt;2&gt;">vk.com/wall-1_2</a>
<b>Ответственные:</b> Заведующий организационным отделом, руководитель блока «Сельские территории»; \
Глава Лаптевского территориального отдела; Заведующий отделом жилищно-коммунального хозяйства, руководитель блока

<b>Статус:</b> в работе · в работе у Анна &lt;Дежурная&gt; &amp; &quot;Ко&quot;
<b>Ответ</b> (19.11 12:30; VK): «Вода &lt;b&gt;не&lt;/b&gt; тег &amp; «кавычки» &quot;двойные&quot; &#x27;одинарные&#x27; \
&lt;script&gt;alert(1)&lt;/script&gt; \ufffd конец»
  <a href="https://vk.com/wall-9_9">vk.com/wall-9_9</a>
  javascript:alert(1)
<b>Реакция:</b> под ответом 7 комментариев (негативных 5, позитивных 1), отметок «нравится» 3, репостов 0; \
новых публикаций в истории 0
<b>Вердикт</b> (19.11 12:30): <b>снова в работе</b> — после ответа 5 новых &lt;негативных&gt; &amp; злых"""


def test_one_risk_in_both_formats(settings):
    risk, story, items = make()
    facts = card_facts(risk, story, items, settings)
    assert card_text(facts, PLAIN) == PLAIN_CARD
    assert card_text(facts, HTML) == HTML_CARD
    assert render_card(risk, story, items, settings) == PLAIN_CARD + "\nРиск " + "r" * 20


def test_both_formats_say_the_same_but_for_the_quote_and_the_links(settings):
    risk, story, items = make()
    facts = card_facts(risk, story, items, settings)
    plain, visible = card_text(facts, PLAIN).split("\n"), parse_html(card_text(facts, HTML)).split("\n")
    assert len(plain) == len(visible)
    differing = [(p, v) for p, v in zip(plain, visible) if p != v]
    assert differing == [
        (f"«{facts.excerpt}»", facts.excerpt),  # «…» in plain text, a blockquote in Telegram
        ("  https://vk.com/wall-1_2?a=1&b=<2>", "  vk.com/wall-1_2"),  # the whole address, or a link
        ("  https://vk.com/wall-9_9", "  vk.com/wall-9_9"),
    ]


def test_plain_text_is_readable_whatever_users_type(settings):
    risk, story, items = make(text="Авария\x00 на\x1b[31m улице \ud800 <b>Мира</b> & «Ко»\x7f")
    risk.assignee = "Иван\x08 \udc80 <Петров>"
    plain = render_card(risk, story, items, settings)
    assert "«Авария на[31m улице \ufffd <b>Мира</b> & «Ко»»" in plain
    assert "в работе у Иван \ufffd <Петров>" in plain
    assert not [c for c in plain if ord(c) < 32 and c != "\n"] and "\x7f" not in plain
    plain.encode("utf-8")  # no lone surrogate left
    html = render_html(card_facts(risk, story, items, settings))
    assert "<blockquote>Авария на[31m улице \ufffd &lt;b&gt;Мира&lt;/b&gt; &amp; «Ко»</blockquote>" in html
    assert "Авария на[31m улице \ufffd <b>Мира</b> & «Ко»" in parse_html(html)


def test_details_carry_the_history_in_both_formats(settings):
    risk, story, items = make()
    risk.history = [
        RiskTransition(status=RiskStatus.in_work, actor='Анна <Дежурная> & "Ко"', at=AT, action="take",
                       note="проверено <b>&</b>\x1b[31m", previous=RiskStatus.new),
        RiskTransition(status=RiskStatus.in_work, actor="бот", at=AT, action="odd<action>"),
    ]
    facts = card_facts(risk, story, items, settings)
    html = details_text(facts, HTML)
    assert html.endswith("\n\n<b>История</b> (последние 2):\n"
                         "19.11 12:30 · взят в работу · Анна &lt;Дежурная&gt; &amp; &quot;Ко&quot; — "
                         "проверено &lt;b&gt;&amp;&lt;/b&gt;[31m\n"
                         "19.11 12:30 · odd&lt;action&gt; · бот\n"
                         "<code>rrrrrrrrrrrrrrrrrrrr</code>")
    assert html.startswith(card_text(facts, HTML, compact=True) + "\n\n")
    parse_html(html)
    plain = details_text(facts, PLAIN, steps=1)
    assert plain.endswith("\n\nИстория (последние 1):\n19.11 12:30 · odd<action> · бот\nrrrrrrrrrrrrrrrrrrrr")
    risk.history = []
    assert details_text(card_facts(risk, story, items, settings), PLAIN).endswith(
        "История (последние 0):\nпока нет\nrrrrrrrrrrrrrrrrrrrr")


def test_compact_card_keeps_two_reasons_two_links_and_a_short_quote(settings):
    risk, story, items = make(text="длинный текст " * 2000)
    risk.reasons = [RiskReason(component=f"r{i}", value=1 - i / 10, detail=f"причина {i}") for i in range(3)]
    risk.answers[0].links = [f"https://vk.com/wall-9_{i}" for i in range(4)]
    facts = card_facts(risk, story, items, settings)
    full, compact = card_text(facts, HTML), card_text(facts, HTML, compact=True)
    assert full != compact and "• причина 2" in full and "vk.com/wall-9_3" in full
    visible = parse_html(compact)
    assert "• причина 1" in visible and "• причина 2" not in visible
    assert "vk.com/wall-9_1" in visible and "vk.com/wall-9_2" not in visible
    quote = compact.split("<blockquote>")[1].split("</blockquote>")[0]
    assert len(quote) <= 140 and quote.endswith("…")
    risk.reasons = [RiskReason(component=f"r{i}", value=1, detail=f"причина {i} " + "длинная " * 30) for i in range(3)]
    risk.answers[0].links = [f"ftp://files.example/{i}/" + "x" * 1000 for i in range(5)]  # shown in full
    facts = card_facts(risk, story, items, settings)
    html = card_text(facts, HTML)  # too long in full: compact by itself
    assert html == card_text(facts, HTML, compact=True) and visible_length(html) <= 4096
    plain = card_text(facts, PLAIN)  # plain text has no length limit: the full card
    assert len(plain) > 5000 and "• причина 2" in plain and "ftp://files.example/4/x" in plain


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
