"""The official pages' figures (``reports.official``) and the daily list of unanswered questions
(``pipeline.official`` → ``alerts.official``) on a small store written here, with pinned values."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from core.config import load_config
from core.domain import Analysis, Platform, Post, RiskAssessment, Sentiment, TopicScore, post_id
from pipeline.official import notify_unanswered
from reports.official import official_activity, page_line, page_row
from reports.period import Period
from store import open_store
from testing.configs import write_config

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
WEEK = Period(NOW - timedelta(days=7), NOW, "rolling", "7 дней")
OWNER = -220011407


def _at(hours: float) -> datetime:
    return NOW - timedelta(hours=hours)


def _post(native: str, text: str, hours: float, parent: str | None = None, by_owner: bool = False) -> Post:
    root = post_id(Platform.vk, "adm_vk", f"{OWNER}_1")
    return Post(platform=Platform.vk, source="adm_vk", native_id=native, text=text, published_at=_at(hours),
                url=f"https://vk.com/wall{OWNER}_1?reply={native}" if parent else f"https://vk.com/wall{native}",
                parent_id=parent, thread_id=root if parent else None, by_owner=by_owner, reach=900)


def _analysis(post: Post, appeal: str | None) -> Analysis:
    return Analysis(post_id=post.id, sentiment=Sentiment(label="negative" if appeal == "complaint" else "neutral",
                                                         score=0.8),
                    topic=TopicScore(code="other", confidence=0.5), block="social",
                    risk=RiskAssessment(score=0.1, level="none"), appeal=appeal)


@pytest.fixture
def page(tmp_path):
    """An official VK page: 3 posts this week (1 last month), 4 questions and 1 complaint under them,
    2 answered by the page (one in a reply to a reply), 1 deleted, 1 a resident's thanks."""
    path = write_config(tmp_path, [
        {"key": "adm_vk", "platform": "vk", "name": "Администрация Пестовского округа", "owner": "adm", "official": True},
        {"key": "chat_vk", "platform": "vk", "name": "Подслушано", "owner": "chat"}])
    settings = load_config(path)
    root = post_id(Platform.vk, "adm_vk", f"{OWNER}_1")
    posts = [_post(f"{OWNER}_1", "График вывоза мусора на неделю", 100), _post(f"{OWNER}_2", "Приём главы", 50),
             _post(f"{OWNER}_3", "Итоги опроса", 10), _post(f"{OWNER}_0", "Старое", 24 * 40)]
    q1 = _post("q1", "Когда вывезут мусор на Советской?", 90, root)
    a1 = _post("a1", "Завтра до обеда, машина уже в пути", 87, q1.id, by_owner=True)  # 3 h later
    q2 = _post("q2", "Подскажите, где получить справку?", 60, root)
    r2 = _post("r2", "Тоже интересно", 59, q2.id)
    a2 = _post("a2", "В МФЦ на Боровичской, 10", 50, r2.id, by_owner=True)  # 10 h, further down the chain
    q3 = _post("q3", "Почему не работает освещение на Вокзальной?", 30, root)  # unanswered, 30 h old
    c1 = _post("c1", "Опять грязь на остановке, безобразие", 26, root)  # unanswered complaint, 26 h old
    q4 = _post("q4", "Будет ли вода завтра?", 5, root)  # too young to be late
    gone = _post("q5", "А что с дорогой?", 40, root).model_copy(update={"deleted_at": _at(39)})
    thanks = _post("t1", "Спасибо за информацию", 80, root)
    appeals = {q1.id: "question", q2.id: "question", q3.id: "question", c1.id: "complaint", q4.id: "question",
               gone.id: "question"}
    elsewhere = Post(platform=Platform.vk, source="chat_vk", native_id="9", text="Когда дадут свет?",
                     published_at=_at(40), parent_id="x", reach=10)
    items = [(p, _analysis(p, appeals.get(p.id))) for p in [*posts, q1, a1, q2, r2, a2, q3, c1, q4, gone, thanks,
                                                             elsewhere]]
    with open_store(settings.store, str.split) as db:
        db.upsert_posts(items)
    return settings, {"q3": q3, "c1": c1}


def test_figures_of_an_official_page(page):
    settings, _ = page
    with open_store(settings.store, str.split) as db:
        activity = official_activity(db, settings, WEEK, NOW)
    [adm] = activity.pages  # only the official page
    assert (adm.posts, adm.per_week, adm.questions, adm.complaints) == (3, 3.0, 5, 1)
    assert [a.post.native_id for a in adm.answered] == ["q1", "q2"]
    assert adm.median_hours == 6.5  # 3 h and 10 h
    assert [a.post.native_id for a in adm.unanswered] == ["q3", "c1"]  # the deleted q5 and the young q4 are not
    assert adm.in_time == 2 and len(adm.due) == 5  # q1, q2 in time; q3, c1, q5 due and late
    # answered 2/6 ×0.5, in time 2/5 ×0.3, activity 3/7 ×0.2
    assert adm.score == 37.2 and adm.rank == 1  # 100 × (0.5 × 0.333 + 0.3 × 0.4 + 0.2 × 0.429)
    assert page_row(adm) == ["1", "Администрация Пестовского округа", "3", "3,0", "5", "1", "33% (2/6)", "6,5", "2",
                             "37,2"]
    assert page_line(adm) == ("Администрация Пестовского округа: публикаций 3 (3,0 в неделю); вопросов 5, жалоб 1; "
                              "отвечено 33% (2/6), медиана ответа 6,5 ч; без ответа дольше 24 ч: 2")


def test_unanswered_questions_go_to_the_alert_chat_once_a_day(page, tmp_path):
    settings, appeals = page
    from alerts.sinks import FileSink

    sink = FileSink(tmp_path / "chat.txt")
    with open_store(settings.store, str.split) as db:
        _, sent = notify_unanswered(db, settings, NOW, [sink])
        _, again = notify_unanswered(db, settings, NOW + timedelta(hours=3), [sink])
        _, next_day = notify_unanswered(db, settings, NOW + timedelta(days=1), [sink])
    assert (sent, again, next_day) == (True, False, True)
    text = (tmp_path / "chat.txt").read_text(encoding="utf-8")
    first = text.split("=== ")[1]
    assert "official-unanswered:2026-11-20" in first
    assert "📭 Госпаблики: без ответа дольше 24 ч — 2 обращения" in first
    assert ("• Администрация Пестовского округа · вопрос · 19.11 09:00 (30 ч): «Почему не работает освещение на "
            "Вокзальной?»\n  https://vk.com/wall-220011407_1?reply=q3") in first
    assert "жалоба · 19.11 13:00 (26 ч): «Опять грязь на остановке, безобразие»" in first
    assert json.loads((settings.data_dir / "official_unanswered.json").read_text()) == {"sent": "2026-11-21"}
