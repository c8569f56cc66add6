"""The rules that tell residents' questions and complaints (``nlp.questions``), pinned case by case."""
from __future__ import annotations

import pytest

from core.domain import Platform, Post
from nlp.questions import appeal_of, is_question

QUESTIONS = [
    "Когда вывезут мусор на Советской?",
    "Подскажите, пожалуйста, куда обращаться по поводу ямы у школы",
    "Будет ли вода в Лаптево завтра",
    "Скажите, автобус на Устье сегодня пойдёт",
    "Почему третий день нет света на Вокзальной",
    "Свет опять отключили. А когда дадут?!",
    "Сколько ещё ждать ремонта моста",
    "Кто-нибудь знает, работает ли МФЦ в субботу",
]
NOT_QUESTIONS = [
    "Спасибо за информацию!",
    "Дорогу отремонтировали, молодцы",
    "Когда-то здесь был парк",  # «когда» not asking
    "Ну и что тут скажешь?",  # rhetorical
    "",
]


@pytest.mark.parametrize("text", QUESTIONS)
def test_questions(text):
    assert is_question(text)
    assert appeal_of(text, "negative") == "question"  # a complaining question waits for an answer too


@pytest.mark.parametrize("text", NOT_QUESTIONS)
def test_not_questions(text):
    assert not is_question(text)


def test_complaints_come_from_the_problem_cues():
    assert appeal_of("Опять грязь на остановке, безобразие", "negative") == "complaint"
    assert appeal_of("Прорвало трубу у дома 5", "neutral", triggered=True) == "complaint"
    assert appeal_of("Дорогу отремонтировали, молодцы", "positive") is None
    assert appeal_of("Приём граждан в среду", "neutral") is None
    assert appeal_of("   ", "negative") is None


def test_the_analyzer_marks_residents_appeals_and_never_the_pages_own_replies(analyzer):
    def comment(native: str, text: str, by_owner: bool = False) -> Post:
        from datetime import datetime, timezone

        return Post(platform=Platform.vk, source="adm", native_id=native, text=text, parent_id="root",
                    published_at=datetime(2026, 11, 20, tzinfo=timezone.utc), by_owner=by_owner)

    posts = [comment("1", "Когда починят фонарь у школы?"), comment("2", "Фонарь починят завтра?", by_owner=True),
             comment("3", "Нет воды третий день, прорвало трубу, безобразие"), comment("4", "Спасибо!")]
    assert [a.appeal for a in analyzer.analyze(posts)] == ["question", None, "complaint", None]
