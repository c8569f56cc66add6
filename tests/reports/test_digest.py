"""The digest covers the last 24 hours (not «today so far»), and every number in it is counted
again here from the store's records."""
from __future__ import annotations

import html
import re
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from core.domain import RISK_STATUS_RU
from core.store import SearchQuery
from reports.digest import daily_digest, render_digest, render_digest_html
from tests.reports.conftest import DIGEST_AT, RAISED
from tests.reports.recompute import overdue_now

MSK = ZoneInfo("Europe/Moscow")


def everything(db):
    return [(h.post, h.analysis) for h in db.search(SearchQuery(limit=100_000))]


def morning(day_after_last_post: datetime) -> datetime:
    """08:30 Moscow time on the day after ``day_after_last_post``'s local date."""
    local = day_after_last_post.astimezone(MSK)
    return datetime(local.year, local.month, local.day, 8, 30, tzinfo=MSK) + timedelta(days=1)


def test_the_morning_digest_covers_the_last_24_hours_not_the_morning_so_far(worked):
    settings = worked.settings()
    with worked.store() as db:
        posts = everything(db)
        last = max(p.published_at for p, _ in posts)
        now = morning(last)
        digest = daily_digest(db, settings, now)
    window = [(p, a) for p, a in posts if now - timedelta(hours=24) <= p.published_at < now]
    since_midnight = [p for p, _ in posts if now.replace(hour=0, minute=0) <= p.published_at < now]
    assert len(window) > 0 and len(since_midnight) < len(window)  # the bug: «today so far» was (nearly) empty
    text = render_digest(digest)
    negative = sum(1 for _, a in window if a.sentiment.label == "negative")
    assert f"Публикаций: {len(window)}, из них негативных: {negative} (" in text
    assert f"Период: {(now - timedelta(hours=24)).astimezone(MSK):%d.%m.%Y %H:%M} — {now.astimezone(MSK):%d.%m.%Y %H:%M}" in text


def test_every_number_is_recounted_from_the_store(worked):
    settings = worked.settings()
    now = DIGEST_AT
    since = now - timedelta(hours=24)
    with worked.store() as db:
        posts = everything(db)
        risks = db.list_risks()
        stories = {r.id: db.get_story(r.story_id) for r in risks}
        alerts = db.list_alerts()
        digest = daily_digest(db, settings, now)
    text = render_digest(digest)
    window = [(p, a) for p, a in posts if since <= p.published_at < now]
    before = [(p, a) for p, a in posts if since - timedelta(hours=24) <= p.published_at < since]
    negative = sum(a.sentiment.label == "negative" for _, a in window)
    assert f"Публикаций: {len(window)}, из них негативных: {negative} ({round(100 * negative / len(window))}%)" in text
    before_negative = sum(a.sentiment.label == "negative" for _, a in before)
    assert f"за предыдущий такой же период: {len(before)}, негативных {before_negative}" in text

    labels = {t.code: t.label for t in settings.rubricator.topics}
    topics = Counter(a.topic.code for _, a in window if a.topic.code != "other")
    shown_topics = re.search(r"^Главные темы: (.*)$", text, re.M).group(1)
    for code, n in topics.most_common(2):
        assert f"{labels[code]} — {n}" in shown_topics
    places = Counter(name for _, a in window for name in {t.name for t in a.toponyms})
    shown_places = re.search(r"^Главные места: (.*)$", text, re.M).group(1)
    for name, n in places.most_common(2):
        assert f"{name} — {n}" in shown_places

    fresh = [r for r in risks if since <= r.created_at < now]
    assert RAISED >= since and len(fresh) == len(risks)  # the scan raised them all within the window
    levels = Counter(r.level for r in fresh)
    assert f"Новых рисков: {len(fresh)} (" in text
    for level, word in (("critical", "критических"), ("high", "высоких"), ("medium", "средних")):
        if levels[level]:
            assert f"{word} {levels[level]}" in text
    blocks = Counter(r.block for r in fresh)
    block_labels = {b.code: b.label for b in settings.rubricator.blocks}
    for code, n in blocks.items():
        assert f"{block_labels[code]} — {n}" in text
    departments = Counter(r.department for r in fresh if r.department)
    department_labels = {d.code: d.label for d in settings.rubricator.departments}
    for code, n in departments.items():
        assert f"{department_labels[code]} — {n}" in text
    assert f"Алертов: {sum(1 for a in alerts if since <= a.created_at < now)}" in text

    open_ = [r for r in risks if r.is_open]
    overdue = [r for r in open_ if overdue_now(r, stories[r.id].first_seen, now)]
    assert f"Открытых рисков: {len(open_)}, из них просрочено: {len(overdue)}" in text
    assert 0 < len(overdue) < len(open_)
    listed = re.findall(r"^  \S+ (№\d+) · .* · ([^·]+) · (ответ|взятие в работу): (просрочен|осталось)", text, re.M)
    for label, status, _, state in listed:
        risk = next(r for r in risks if r.label == label)
        assert status.strip() == RISK_STATUS_RU[risk.status]
        assert (state == "просрочен") == (risk in overdue)
    assert {label for label, *_ in listed} <= {r.label for r in open_}

    answers = [(r, a) for r in risks for a in r.answers if since <= a.at < now]
    assert f"Опубликованных ответов: {len(answers)}" in text and answers
    for risk, answer in answers:
        assert f"• {risk.label} · {answer.at.astimezone(MSK):%d.%m %H:%M} · {', '.join(answer.platforms)} · ссылок " \
               f"{len(answer.links)} · вердикт: ожидает оценки реакции" in text


def test_grown_stories_are_recounted_from_the_stories_posts(worked):
    """«Истории, которые выросли»: a story's posts in the window (+N) and up to its end (всего)."""
    now = DIGEST_AT
    since = now - timedelta(hours=24)
    with worked.store() as db:
        published = {p.id: p.published_at for p, _ in everything(db)}
        stories = db.recent_stories(since)
        digest = daily_digest(db, worked.settings(), now)
    expected = []
    for story in stories:
        added = sum(since <= published[i] < now for i in story.post_ids if i in published)
        if added:
            expected.append((-added, -sum(published[i] < now for i in story.post_ids if i in published), story))
    assert len(expected) >= 3
    text = render_digest(digest)
    lines = re.findall(r"^  • «.*» \+(\d+) \(всего (\d+)\)", text, re.M)
    assert lines == [(str(-added), str(-total)) for added, total, _ in sorted(expected, key=lambda e: e[:2])][:len(lines)]
    assert len(lines) == min(len(expected), 5)

def test_cli_and_bot_say_the_same(worked):
    """``mcu digest`` prints render_digest; ``/digest`` posts render_digest_html: the same lines."""
    with worked.store() as db:
        digest = daily_digest(db, worked.settings(), DIGEST_AT)
    plain = render_digest(digest)
    shown = html.unescape(re.sub(r"<[^>]+>", "", render_digest_html(digest)))
    assert shown + "\n" == plain
    assert "<b>Открытых рисков:" in render_digest_html(digest)
