"""Appeal deadlines, «Решаемые» shares and the appeal rating, recomputed from the store with
the public holidays counted directly (``holidays``), never through ``reports``."""
from __future__ import annotations

import shutil
import subprocess
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import pytest

from core.appeals import Appeal, AppealAnalysis, AppealQuery
from core.config import load_config
from reports.appeal_deadlines import AppealDeadlines, open_deadlines
from reports.appeal_stats import appeal_rating, appeal_stats
from reports.appeal_summary import appeal_lines, appeal_summary
from reports.appeals_analysis import SOLVABLE_TOPICS
from reports.period import Period
from store import open_store
from testing.configs import write_config
from tests.reports.recompute import MSK, _RU, deadline as working_hours_deadline

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)  # a Friday, 12:00 in Moscow
POS, PORTAL, IM = "Платформа обратной связи", "Портал", "Инцидент Менеджмент"


def working_days_deadline(start: datetime, days: int) -> datetime:
    """The end (17:00 Moscow) of the ``days``-th working day after the day of ``start``."""
    day = start.astimezone(MSK).date()
    while days:
        day += timedelta(days=1)
        days -= _RU.is_working_day(day)
    return datetime.combine(day, time(17, 0), tzinfo=MSK)


def make(number: str, *, received: datetime, channel: str, department: str | None = None, responsible: str = "",
         answered_at: datetime | None = None, kind: str | None = None, rating: float | None = None,
         topic: str = "roads") -> Appeal:
    return Appeal(source="pos", number=number, created_at=received, first_seen=NOW, channel=channel, text="текст",
                  responsible=responsible, state="answered" if answered_at or kind else "open",
                  answer="ответ" if kind else "", answered_at=answered_at, rating=rating,
                  analysis=AppealAnalysis(topic=topic, block="infrastructure", department=department,
                                          answer_kind=kind))  # fmt: skip


def _at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=MSK).astimezone(timezone.utc)


APPEALS = [
    # ПОС, 10 working days; 4 November is a public holiday
    make("1", received=_at(2, 10), channel=POS, department="laptevsky"),  # due 17.11 17:00: overdue
    make("2", received=_at(9, 10), channel=POS, department="laptevsky"),  # due 23.11 17:00: 3 days 5 h, open
    make("3", received=_at(3, 10), channel=POS, department="laptevsky", answered_at=_at(16, 12), kind="solved",
         rating=5),  # due 18.11 17:00 (the holiday skipped): on time
    make("4", received=_at(2, 10), channel=POS, department="laptevsky", answered_at=_at(18, 9), kind="explained",
         rating=2),  # due 17.11: late
    # written appeals, 30 calendar days
    make("5", received=_at(10, 10), channel=PORTAL, responsible="МУП Водоканал"),  # due 10.12: open
    make("6", received=_at(1, 10), channel=PORTAL, responsible="МУП Водоканал", answered_at=_at(12, 10),
         kind="explained", topic="utilities"),
    make("7", received=_at(5, 10), channel=PORTAL, responsible="МУП Водоканал", answered_at=_at(6, 10),
         kind="not_confirmed", topic="utilities"),
    make("8", received=_at(6, 10), channel=PORTAL, responsible="МУП Водоканал", answered_at=_at(9, 10),
         kind="explained", topic="utilities", rating=3),
    # «Инцидент Менеджмент», 8 working hours
    make("9", received=_at(19, 16), channel=IM),  # 1 h on the 19th, 7 on the 20th: due 15:00, soon
    make("10", received=_at(18, 16), channel=IM, department="bykovsky"),  # due 19.11 15:00: overdue
    make("11", received=_at(19, 16), channel=IM, department="bykovsky", kind="formal", answered_at=_at(20, 11)),
]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    folder: Path = tmp_path_factory.mktemp("appeal-reports")
    settings = load_config(write_config(folder, []))
    store = open_store(settings.store, str.split)
    store.upsert_appeals(APPEALS)
    yield settings, store
    store.close()


def test_deadlines_per_channel(loaded) -> None:
    settings, store = loaded
    deadlines = AppealDeadlines(settings)
    stored = {a.number: a for a in store.search_appeals(AppealQuery(limit=None))}
    for number, appeal in stored.items():
        rule = settings.appeals.deadline_of(appeal.channel)
        expected = (appeal.received_at + timedelta(days=rule.days) if rule.days else
                    working_days_deadline(appeal.received_at, rule.working_days) if rule.working_days else
                    working_hours_deadline(appeal.received_at, rule.working_hours))
        assert deadlines.due(appeal) == expected, number
    assert deadlines.due(stored["1"]) == _at(17, 17)
    assert deadlines.due(stored["3"]) == _at(18, 17)  # 4 November does not count
    assert deadlines.due(stored["10"]) == _at(19, 15)


def test_overdue_and_due_soon_per_unit_recomputed(loaded) -> None:
    settings, store = loaded
    due = AppealDeadlines(settings).due
    expected: dict[str, dict[str, int]] = {}
    labels = {d.code: d.label for d in settings.rubricator.departments}
    for appeal in store.search_appeals(AppealQuery(state="open", limit=None)):
        unit = labels.get(appeal.analysis.department or "", "") or appeal.responsible or "не определено"
        state = ("overdue" if NOW > due(appeal) else
                 "due_soon" if due(appeal) - NOW <= timedelta(days=settings.appeals.due_soon_days) else "open")
        expected.setdefault(unit, {"overdue": 0, "due_soon": 0, "open": 0})[state] += 1
    units = open_deadlines(store, settings, NOW)
    got = {u.unit: {k: u.states[k] for k in ("overdue", "due_soon", "open")} for u in units}
    assert got == expected == {
        "Лаптевский территориальный отдел": {"overdue": 1, "due_soon": 0, "open": 1},
        "Быковский территориальный отдел": {"overdue": 1, "due_soon": 0, "open": 0},
        "МУП Водоканал": {"overdue": 0, "due_soon": 0, "open": 1},
        "не определено": {"overdue": 0, "due_soon": 1, "open": 0},
    }
    assert [(u.unit, [d.appeal.number for d in u.overdue]) for u in units[:2]] == [
        ("Быковский территориальный отдел", ["10"]), ("Лаптевский территориальный отдел", ["1"])]


def test_reshaemye_shares_recomputed(loaded) -> None:
    settings, store = loaded
    stats = appeal_stats(store, settings)
    by_topic: dict[str, list[int]] = {}
    for appeal in store.search_appeals(AppealQuery(limit=None)):
        kind = appeal.analysis.answer_kind
        if kind is not None and appeal.analysis.topic in SOLVABLE_TOPICS:
            counts = by_topic.setdefault(appeal.analysis.topic, [0, 0, 0])
            counts[0] += 1
            counts[1] += kind == "solved"
            counts[2] += kind == "explained"
    got = {r.topic: [r.answered, r.solved, r.explained] for r in stats.solvable_by_topic}
    assert got == by_topic == {"roads": [3, 1, 1], "utilities": [3, 0, 2]}
    assert [r.topic for r in stats.explaining_topics] == []  # fewer than 10 answers per topic
    assert stats.total == 11 and dict(stats.by_answer_kind) == {"разъяснение": 3, "решено": 1,
                                                                "факты не подтвердились": 1, "отписка": 1}


def test_the_rating_recomputed(loaded) -> None:
    settings, store = loaded
    period = Period(_at(1, 0), _at(21, 0), "rolling", "ноябрь")
    units = {u.unit: u for u in appeal_rating(store, settings, period, NOW)}
    laptevsky = units["Лаптевский территориальный отдел"]
    # answers due: 3 on time, 4 late, 1 overdue now → 1/3 on time; «Решаемые» (roads) 1 solved of 2; ratings 5, 2
    on_time, solved, satisfaction = 1 / 3, 1 / 2, ((5 + 2) / 2 - 1) / 4
    assert (laptevsky.received, laptevsky.answers_due, laptevsky.on_time, laptevsky.overdue_now) == (4, 3, 1, 1)
    assert laptevsky.score == round(100 * (0.4 * on_time + 0.3 * solved + 0.3 * satisfaction), 1) == 47.1
    vodokanal = units["МУП Водоканал"]  # 6, 7, 8 answered in 30 days; 5 open and not yet due
    assert (vodokanal.answers_due, vodokanal.on_time, vodokanal.kinds["explained"]) == (3, 3, 2)
    assert vodokanal.score == round(100 * (0.4 * 1 + 0.3 * 0 + 0.3 * 0.5) / 1.0, 1) == 55.0
    assert [u.rank for u in appeal_rating(store, settings, period, NOW)][:2] == [1, 2]
    assert units["Быковский территориальный отдел"].rank is None  # 2 appeals: not ranked


def test_the_report_section(loaded) -> None:
    settings, store = loaded
    period = Period(_at(1, 0), _at(21, 0), "rolling", "ноябрь")
    lines = [text for text, _ in appeal_lines(appeal_summary(store, settings, period, NOW))]
    assert lines[0] == "Обращения граждан: 11 (предыдущий такой же период — 0)"
    assert "  сроки: сейчас просрочено 2, скоро срок 1; ответ в срок по обращениям периода — 62% (5/8)" in lines
    assert "  «Решаемые» решены: 17% (1/6); разъяснения вместо решения: 50% (3/6)" in lines
    assert "  удовлетворённость ответами: 58% (3); по оценкам — 3; средняя оценка 3,3 из 5" in lines


def test_the_report_files_carry_the_appeal_rating(loaded) -> None:
    import io

    import openpyxl

    from reports.report import build_report
    from reports.report_pdf import render_pdf
    from reports.report_xlsx import render_xlsx

    settings, store = loaded
    report = build_report(store, settings, Period(_at(1, 0), _at(21, 0), "rolling", "ноябрь"), NOW)
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(report)))
    rows = list(book["Рейтинг по обращениям"].iter_rows(values_only=True))
    assert rows[0][:3] == ("место", "подразделение", "обращений")
    assert [r[:3] for r in rows[1:]] == [("1", "МУП Водоканал", "4"), ("2", "Лаптевский территориальный отдел", "4"),
                                         ("вне рейтинга", "Быковский территориальный отдел", "2"),
                                         ("вне рейтинга", "не определено", "1")]
    assert next(book["Обращения"].iter_rows(min_row=2, values_only=True))[0] == \
        "Обращения граждан: 11 (предыдущий такой же период — 0)"
    pdf = render_pdf(report, [])
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext"):  # poppler-utils, which make test installs
        text = " ".join(subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True,
                                       timeout=120).stdout.decode("utf-8").split())
        assert ("удовлетворённость ×0,3 (оценка заявителя, иначе повторное обращение или негатив в соцсетях после "
                "ответа; доли без данных не учитываются)") in text  # not the rating alone any more
