"""Fuzzing the card renderers with whatever users, sources and staff can type.

Invariants: the HTML card and the ``/risk N`` details are valid Telegram HTML (parsed with
``html.parser``: only the tags Telegram allows, balanced, no bare ``&`` or ``<``) within 4,096
visible characters; the plain card is UTF-8 text without control characters; neither raises.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alerts.card import HTML, PLAIN, card_facts, card_text, details_text, render_card
from core.config import load_config
from core.domain import (Analysis, Answer, ReactionEvidence, Risk, RiskAssessment, RiskReason, RiskStatus,
                         RiskTransition, Post, Sentiment, Story, TopicScore, Verdict)
from core.text import LIMIT, visible_length
from testing import strategies as s
from testing.fakes.telegram_bot import parse_html

pytestmark = pytest.mark.fuzz
ROOT = Path(__file__).resolve().parents[2]
SETTINGS = load_config(ROOT / "config/demo.yaml")
AT = datetime(2026, 11, 19, 9, 30, tzinfo=timezone.utc)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
names = s.texts | s.long_texts
"""Names, places, sources, actors, of any length (the card bounds each)."""
urls = st.one_of(st.just("https://vk.com/wall-1_2?a=1&b=<2>"), st.just("javascript:alert(1)"),
                 s.texts.map(lambda t: f"https://pestovo.ru/{t}"), s.texts)


@st.composite
def risks(draw):
    texts = draw(st.lists(s.long_texts, min_size=1, max_size=4))
    posts = [Post(platform="vk", source=draw(st.sampled_from(["pestovo_online", "laptevo_village", "<злой & ист>"])),
                  native_id=f"-1_{i}", url=draw(st.none() | urls), text=text, published_at=AT,
                  reach=draw(st.integers(0, 10**7)), parent_id=None if i == 0 or draw(st.booleans()) else "p0")
             for i, text in enumerate(texts)]
    items = [(post, Analysis(post_id=post.id, sentiment=Sentiment(label="negative", score=0.9),
                             topic=TopicScore(code="utilities", confidence=0.9), block="rural",
                             risk=RiskAssessment(score=0.8, level="high"))) for post in posts]
    story = Story(id="s1", title=draw(s.texts), first_post_id=posts[0].id, first_seen=AT, last_seen=AT,
                  post_ids=[p.id for p in posts], sources=draw(st.lists(names, max_size=40)))
    evidence = ReactionEvidence(since=AT, answer_posts=draw(st.integers(0, 3)), comments=draw(st.integers(0, 10**5)),
                                negative=3, positive=1, last_activity=AT)
    risk = Risk(
        id="r" * 20, story_id="s1", number=draw(st.integers(0, 10**6)), status=draw(st.sampled_from(list(RiskStatus))),
        level=draw(st.sampled_from(["medium", "high", "critical"])), score=draw(st.floats(0, 1)),
        topic=draw(st.sampled_from(["utilities", "roads", "no-such-topic"])), block=draw(st.sampled_from(["rural", "x"])),
        department=draw(st.sampled_from([None, "laptevsky"])), places=draw(st.lists(names, max_size=30)),
        created_at=AT, updated_at=AT, escalated=draw(st.booleans()), assignee=draw(st.none() | names),
        reasons=[RiskReason(component="x", value=draw(st.floats(0, 1)), detail=d)
                 for d in draw(st.lists(s.long_texts, max_size=6))],
        answers=[Answer(text=t, platforms=draw(st.lists(names, max_size=30)), links=draw(st.lists(urls, max_size=8)),
                        actor=draw(names), at=AT) for t in draw(st.lists(s.long_texts, max_size=2))],
        verdict=draw(st.none() | st.builds(lambda reason: Verdict(outcome="reescalated", reason=reason,
                                                                  evidence=evidence, at=AT), names)),
        history=[RiskTransition(status="in_work", actor=a, at=AT, note=n, action=draw(st.sampled_from(["take", "<x&>"])))
                 for a, n in draw(st.lists(st.tuples(names, s.long_texts), max_size=15))],
    )
    return risk, story, items


def check_telegram_html(text: str) -> str:
    visible = parse_html(text)  # html.parser: allowed tags only, balanced, no bare «&», «<» or «>»
    assert visible_length(text) <= LIMIT and len(visible) <= LIMIT
    text.encode("utf-8")
    return visible


@given(risks())
def test_html_card_and_details_are_valid_telegram_html_within_the_limit(case):
    risk, story, items = case
    facts = card_facts(risk, story, items, SETTINGS)
    visible = check_telegram_html(card_text(facts, HTML))
    assert f"риск {risk.label}" in visible
    details = check_telegram_html(details_text(facts, HTML))
    assert risk.id in details


@given(risks())
def test_plain_card_is_clean_utf8_text(case):
    risk, story, items = case
    plain = render_card(risk, story, items, SETTINGS)
    plain.encode("utf-8")
    assert not CONTROL.search(plain.replace("\n", "").replace("\t", ""))
    assert plain.endswith(f"Риск {risk.id}")
    assert card_text(card_facts(risk, story, items, SETTINGS), PLAIN) in plain


def test_a_card_with_an_unbounded_verdict_reason_and_400_sources_still_fits():
    post = Post(platform="vk", source="pestovo_online", native_id="-1_1", text="Нет воды", published_at=AT)
    story = Story(id="s1", title="Нет воды", first_post_id=post.id, first_seen=AT, last_seen=AT, post_ids=[post.id],
                  sources=[f"источник {i}" for i in range(400)])
    evidence = ReactionEvidence(since=AT, last_activity=AT)
    risk = Risk(id="r" * 20, story_id="s1", level="high", score=0.7, topic="utilities", block="rural", created_at=AT,
                updated_at=AT, verdict=Verdict(outcome="reescalated", reason="вода " * 1200, evidence=evidence, at=AT))
    facts = card_facts(risk, story, [(post, None)], SETTINGS)
    visible = check_telegram_html(card_text(facts, HTML))
    assert "в 400 источниках: источник 0, источник 1, источник 2, источник 3, источник 4, источник 5, источник 6, " \
           "источник 7, источник 8, источник 9 и ещё 390" in visible  # the full card fits once both are bounded
    verdict = next(line for line in visible.splitlines() if line.startswith("Вердикт"))
    assert verdict.endswith("вода вода…") and len(verdict) < 460
    plain = render_card(risk, story, [(post, None)], SETTINGS)
    assert "источник 9 и ещё 390" in plain and "вода " * 100 not in plain
