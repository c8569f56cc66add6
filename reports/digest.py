"""The daily digest: the last 24 hours (or the time since the previous digest) in the district.

:func:`daily_digest` counts it from the store into a :class:`Digest`; :func:`digest_lines`
writes it as Russian lines, which :func:`render_digest` joins as plain text (the CLI, the
file) and :func:`render_digest_html` as Telegram HTML (``/digest``, the alert chat), so both
say the same thing.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from core.config import Settings
from core.domain import LEVEL_MARK, LEVEL_ORDER, OUTCOME_RU, RISK_STATUS_RU, Risk, RiskStatus
from core.store import SearchQuery, Store, open_risks
from core.text import excerpt, h, local, trim_html, zone
from reports.official import OfficialActivity, page_line, recent_activity
from reports.appeal_problems import ProblemMatcher
from reports.appeal_summary import AppealSummary, appeal_lines, appeal_summary
from reports.owners import owner_of
from reports.polls import PollNote, period_polls
from reports.period import Period, rolling
from reports.sla import Deadlines, RiskSla, evaluate, stage_text

DAY = timedelta(hours=24)
LEVELS = ("critical", "high", "medium")
LEVEL_RU_MANY = {"critical": "критических", "high": "высоких", "medium": "средних"}
TOP = 5
MAX_OPEN = 10
REMINDER_ACTIONS = frozenset({"remind_take_soon", "remind_take_overdue", "remind_answer_soon", "remind_answer_overdue"})


@dataclass
class OpenRisk:
    risk: Risk
    owner: str
    sla: RiskSla
    topic: str


@dataclass
class GrownStory:
    title: str
    added: int
    total: int
    places: list[str]


@dataclass
class AnswerNote:
    risk: Risk
    at: datetime
    platforms: list[str]
    links: int
    verdict: str | None


@dataclass
class Digest:
    period: Period
    municipality: str
    timezone: str
    posts: int = 0
    negative: int = 0
    previous_posts: int = 0
    previous_negative: int = 0
    topics: list[tuple[str, int]] = field(default_factory=list)
    places: list[tuple[str, int]] = field(default_factory=list)
    new_by_level: Counter = field(default_factory=Counter)
    new_by_block: list[tuple[str, int]] = field(default_factory=list)
    new_by_department: list[tuple[str, int]] = field(default_factory=list)
    alerts: int = 0
    steps: Counter = field(default_factory=Counter)
    open: list[OpenRisk] = field(default_factory=list)
    grown: list[GrownStory] = field(default_factory=list)
    answers: list[AnswerNote] = field(default_factory=list)
    polls: list[PollNote] = field(default_factory=list)
    official: OfficialActivity | None = None
    appeals: AppealSummary | None = None

    @property
    def day(self) -> date:
        return self.period.until.astimezone(zone(self.timezone)).date()

    @property
    def new_total(self) -> int:
        return sum(self.new_by_level.values())

    @property
    def overdue(self) -> list[OpenRisk]:
        return [item for item in self.open if item.sla.overdue]

    @staticmethod
    def share(part: int, whole: int) -> float:
        return part / whole if whole else 0.0


def _labelled(counts: Counter, labels: dict[str, str]) -> list[tuple[str, int]]:
    return [(labels.get(code, code), n) for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def _grown(store: Store, since: datetime, until: datetime) -> list[GrownStory]:
    """Stories with new posts in the window, the most grown first (counted by the store)."""
    added = store.aggregate("story", SearchQuery(since=since, until=until))
    grown = []
    if added:
        total = store.aggregate("story", SearchQuery(until=until))
        grown = [GrownStory(excerpt(story.title, 90), added[story.id], total.get(story.id, 0), story.places[:3])
                 for story in store.recent_stories(since) if added.get(story.id)]
    return sorted(grown, key=lambda g: (-g.added, -g.total, g.title))[:TOP]


def daily_digest(store: Store, settings: Settings, now: datetime, period: timedelta = DAY,
                 since: datetime | None = None, matcher: ProblemMatcher | None = None) -> Digest:
    """The window ``period`` up to ``now`` (or ``since``…``now``, the time since the previous
    digest): posts and their tone against the window before, topics and places, new risks by
    level, block and department, open and overdue risks with their owners, grown stories,
    published answers and their verdicts, appeals (``matcher``: ``reports.appeal_summary``)."""
    window = rolling(now - since if since else period, now, settings.timezone)
    start, end = window.since, window.until
    query, before = SearchQuery(since=start, until=end), SearchQuery(since=start - window.length, until=start)
    topics = {t.code: t.label for t in settings.rubricator.topics}
    blocks = {b.code: b.label for b in settings.rubricator.blocks}
    departments = {d.code: d.label for d in settings.rubricator.departments}
    digest = Digest(
        period=window, municipality=settings.municipality, timezone=settings.timezone,
        posts=store.count(query), negative=store.aggregate("sentiment", query).get("negative", 0),
        previous_posts=store.count(before), previous_negative=store.aggregate("sentiment", before).get("negative", 0),
        topics=[(topics.get(c, c), n) for c, n in store.aggregate("topic", query).items() if c != "other"][:TOP],
        places=list(store.aggregate("place", query).items())[:TOP],
        alerts=sum(1 for a in store.list_alerts() if start <= a.created_at < end),
        grown=_grown(store, start, end),
        polls=period_polls(store, settings, start, end),
        official=recent_activity(store, settings, now) if settings.official_sources else None,
    )
    risks = store.list_risks()
    fresh = [r for r in risks if start <= r.created_at < end]
    digest.new_by_level = Counter(r.level for r in fresh)
    digest.new_by_block = _labelled(Counter(r.block for r in fresh), blocks)
    digest.new_by_department = _labelled(Counter(r.department for r in fresh if r.department), departments)
    for risk in risks:
        for step in risk.history:
            if start <= step.at < end and step.action not in REMINDER_ACTIONS:
                digest.steps[step.action] += 1
        for answer in risk.answers:
            if start <= answer.at < end:
                verdict = (f"{OUTCOME_RU[risk.verdict.outcome]} — {risk.verdict.reason}"
                           if risk.verdict and risk.verdict.at >= answer.at else None)
                digest.answers.append(AnswerNote(risk, answer.at, answer.platforms, len(answer.links), verdict))
    digest.answers.sort(key=lambda a: a.at)
    still_open = open_risks(store)
    slas = evaluate(store, settings, still_open, now, Deadlines(settings))
    digest.open = [OpenRisk(r, owner_of(r, settings), slas[r.id], topics.get(r.topic, r.topic)) for r in still_open]
    digest.open.sort(key=lambda item: (not item.sla.overdue, -LEVEL_ORDER[item.risk.level], item.sla.start))
    digest.appeals = appeal_summary(store, settings, window, now, matcher=matcher)
    return digest


def _percent(share: float) -> str:
    return f"{round(share * 100)}%"


def _trend(d: Digest) -> str:
    now, before = d.share(d.negative, d.posts), d.share(d.previous_negative, d.previous_posts)
    if not d.previous_posts:
        return "за предыдущий такой же период публикаций нет"
    points = round((now - before) * 100)
    arrow = "↑" if points > 0 else ("↓" if points < 0 else "→")
    return (f"за предыдущий такой же период: {d.previous_posts}, негативных {d.previous_negative} "
            f"({_percent(before)}); доля негатива {arrow} {abs(points)} п.п.")


def _counts(pairs: list[tuple[str, int]]) -> str:
    return ", ".join(f"{label} — {n}" for label, n in pairs)


def digest_lines(d: Digest) -> list[tuple[str, bool]]:
    """The digest as (line, is_heading) pairs: one text for every renderer."""
    tz = d.timezone
    lines: list[tuple[str, bool]] = [
        (f"Сводка МЦУ · {d.municipality} · {d.day:%d.%m.%Y}", True),
        (f"Период: {local(d.period.since, tz, '%d.%m.%Y %H:%M')} — {local(d.period.until, tz, '%d.%m.%Y %H:%M')}",
         False),
        (f"Публикаций: {d.posts}, из них негативных: {d.negative} ({_percent(d.share(d.negative, d.posts))})", False),
        (f"Тональность: {_trend(d)}", False),
    ]
    if d.topics:
        lines.append((f"Главные темы: {_counts(d.topics)}", False))
    if d.places:
        lines.append((f"Главные места: {_counts(d.places)}", False))
    new = ", ".join(f"{LEVEL_RU_MANY[lvl]} {d.new_by_level[lvl]}" for lvl in LEVELS if d.new_by_level.get(lvl))
    lines += [("", False), (f"Новых рисков: {d.new_total}" + (f" ({new})" if new else ""), True)]
    if d.new_by_block:
        lines.append((f"  по блокам: {_counts(d.new_by_block)}", False))
    if d.new_by_department:
        lines.append((f"  по территориальным отделам: {_counts(d.new_by_department)}", False))
    lines.append((f"Алертов: {d.alerts}" + (f"; действий по рискам: {sum(d.steps.values())}" if d.steps else ""),
                  False))
    lines += [("", False), (f"Открытых рисков: {len(d.open)}, из них просрочено: {len(d.overdue)}", True)]
    for item in d.open[:MAX_OPEN]:
        r, stage = item.risk, item.sla.next_open
        deadline = f" · {stage_text(stage)}" if stage else ""
        place = ", ".join(r.places[:2]) or "место не определено"
        lines.append((f"  {LEVEL_MARK[r.level]} {r.label} · {item.topic} · {place} · {RISK_STATUS_RU[r.status]}"
                      f"{deadline} · {item.owner}", False))
    if len(d.open) > MAX_OPEN:
        lines.append((f"  … и ещё {len(d.open) - MAX_OPEN} (mcu risk list)", False))
    if d.grown:
        lines += [("", False), ("Истории, которые выросли:", True)]
        lines += [(f"  • «{g.title}» +{g.added} (всего {g.total})" + (f" · {', '.join(g.places)}" if g.places else ""),
                   False) for g in d.grown]
    lines += poll_lines(d.polls)
    if d.official is not None:
        lines += official_lines(d.official)
    lines += [("", False), (f"Опубликованных ответов: {len(d.answers)}", True)]
    for note in d.answers:
        verdict = note.verdict or ("ожидает оценки реакции" if note.risk.status in (
            RiskStatus.answer_published, RiskStatus.watching) else RISK_STATUS_RU[note.risk.status])
        lines.append((f"  • {note.risk.label} · {local(note.at, tz)} · {', '.join(note.platforms)} · "
                      f"ссылок {note.links} · вердикт: {verdict}", False))
    if d.appeals is not None and not d.appeals.empty:
        lines += [("", False), *appeal_lines(d.appeals)]
    return lines


def poll_lines(polls: list[PollNote]) -> list[tuple[str, bool]]:
    if not polls:
        return []
    lines = [("", False), (f"Опросы за период: {len(polls)}", True)]
    for note in polls:
        lines.append((f"  • «{note.question}» · {note.source}{note.state} · {note.results}", False))
        if note.url:
            lines.append((f"    {note.url}", False))
    return lines


def official_lines(activity: OfficialActivity) -> list[tuple[str, bool]]:
    days = round(activity.period.length.total_seconds() / 86400)
    lines = [("", False), (f"Госпаблики за {days} дн.:", True)]
    lines += [(f"  • {page_line(page)}", False) for page in activity.pages]
    waiting = activity.unanswered
    if waiting:
        lines.append((f"  Без ответа дольше {activity.limit_hours:g} ч: {len(waiting)}", False))
        lines += [(f"    {a.post.url or a.post.id}", False) for a in waiting[:TOP]]
        if len(waiting) > TOP:
            lines.append((f"    … и ещё {len(waiting) - TOP} (mcu official)", False))
    return lines


def render_digest(digest: Digest) -> str:
    """The digest as plain Russian text (the CLI and the day file)."""
    return "\n".join(text for text, _ in digest_lines(digest)) + "\n"


def render_digest_html(digest: Digest, now: datetime | None = None) -> str:
    """The same lines as Telegram HTML, headings in bold, cut to one message."""
    return trim_html("\n".join(f"<b>{h(text)}</b>" if heading and text else h(text)
                               for text, heading in digest_lines(digest)))


def write_digest(text: str, day: date, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{day:%Y-%m-%d}.txt"
    path.write_text(text, encoding="utf-8")
    return path
