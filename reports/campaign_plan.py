"""The weekly campaigns post: the calendar's campaigns (``config/campaigns.yaml``) merged with the
seasonal threats found in the store's history (``reports.seasonality``), and a message plan —
what to publish, by when and where. The list of threats exports to CSV or XLSX: the decree's
«перечень потенциальных информационных угроз, имеющих сезонный/ежегодный характер»."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from core.config import Settings
from core.store import SearchQuery, Store
from core.text import local, zone
from reports.campaigns import Campaign, count_topics, due_campaigns
from reports.seasonality import SeasonalThreat, detect_seasonal

LEAD_DAYS = 3  # publish this many days before the expected peak


@dataclass
class PlanItem:
    publish_by: date
    title: str
    what: str
    channels: list[str]
    origin: str
    """«календарь» or «история»"""


@dataclass
class CampaignsWeek:
    monday: date
    weeks: int
    due: list[Campaign]
    counts: dict[str, int]
    threats: list[SeasonalThreat]
    confirmed: dict[str, list[SeasonalThreat]] = field(default_factory=dict)
    """campaign code → the threats on its topics (the history confirms the calendar)"""
    plan: list[PlanItem] = field(default_factory=list)

    @property
    def new_threats(self) -> list[SeasonalThreat]:
        """Threats no calendar campaign of the week covers."""
        covered = {id(t) for threats in self.confirmed.values() for t in threats}
        return [t for t in self.threats if id(t) not in covered]


def _channels(store: Store, topics: list[str], since: datetime, until: datetime, names: dict[str, str]) -> list[str]:
    counts: dict[str, int] = {}
    for topic in topics:
        for source, n in store.aggregate("source", SearchQuery(topic=topic, since=since, until=until)).items():
            counts[source] = counts.get(source, 0) + n
    return [names.get(key, key) for key, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:3]]


def build_week(store: Store, settings: Settings, calendar: list[Campaign], today: date, weeks: int = 4) -> CampaignsWeek:
    tz = zone(settings.timezone)
    monday = today - timedelta(days=today.weekday())
    start = datetime.combine(monday, time(0), tzinfo=tz)
    due = due_campaigns(calendar, today)
    counts = count_topics(store, sorted({t for c in due for t in c.topics}), start - timedelta(days=7), start)
    week = CampaignsWeek(monday, weeks, due, counts, detect_seasonal(store, settings, monday, weeks))
    names = {s.key: s.name for s in settings.sources}
    for campaign in due:
        week.confirmed[campaign.code] = [t for t in week.threats if t.kind == "topic" and t.code in campaign.topics]
        channels = _channels(store, campaign.topics, start - timedelta(days=28), start, names)
        week.plan.append(PlanItem(monday, campaign.title, campaign.reminder.strip(), channels, "календарь"))
    for threat in week.new_threats:
        publish_by = max(monday, (threat.expected or monday) - timedelta(days=LEAD_DAYS))
        what = (f"Заранее разъяснить по теме «{threat.label}»: что будет сделано, сроки, куда обращаться"
                if threat.kind == "topic" else
                f"Заранее рассказать жителям ({threat.label}) о работах и о том, куда обращаться")
        week.plan.append(PlanItem(publish_by, threat.label, what, threat.sources, "история"))
    week.plan.sort(key=lambda item: (item.publish_by, item.origin, item.title))
    return week


def _num(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def _evidence_line(threat: SeasonalThreat) -> str:
    """«2025: 14 публ. за 4 нед. (в неделю 3,5 против 0,8 обычно, ×2,5), негатив 60% (обычно 20%)»."""
    parts = []
    for year in sorted(threat.rising_years, key=lambda y: y.year):
        weeks = round((year.until - year.since) / timedelta(weeks=1))
        part = (f"{year.year}: {year.posts} публ. за {weeks} нед. (в неделю {_num(year.weekly)} против "
                f"{_num(year.baseline_weekly)} обычно, ×{_num(year.ratio)})")
        if year.negativity_rose:
            part += f", негатив {round(100 * year.negative_share)}% (обычно {round(100 * year.baseline_negative_share)}%)"
        parts.append(part)
    return "; ".join(parts)


def render_week(week: CampaignsWeek, settings: Settings) -> str:
    """The Russian post for the alert chat."""
    labels = {t.code: t.label for t in settings.rubricator.topics}
    sunday = week.monday + timedelta(days=6)
    lines = [f"Превентивные кампании на неделю {week.monday:%d.%m}–{sunday:%d.%m.%Y} · {settings.municipality}"]
    if week.due:
        lines += ["", "По календарю сезонных тем:"]
    for campaign in week.due:
        lines += [f"• {campaign.title}" + (f" ({campaign.season})" if campaign.season else ""),
                  f"  Что сделать: {campaign.reminder.strip()}"]
        if campaign.topics:
            lines.append("  Публикаций по темам за прошлую неделю: "
                         + ", ".join(f"{labels.get(t, t)} — {week.counts.get(t, 0)}" for t in campaign.topics))
        for threat in week.confirmed.get(campaign.code, []):
            lines.append(f"  Подтверждено историей («{threat.label}»): {_evidence_line(threat)}")
    fresh = week.new_threats
    if fresh:
        lines += ["", f"По истории публикаций (те же {week.weeks} нед. прошлых лет):"]
    for threat in fresh:
        kind = "Тема" if threat.kind == "topic" else "Место"
        lines.append(f"• {kind} «{threat.label}»: рост в {len(threat.rising_years)} из {threat.checked} "
                     f"г. — {_evidence_line(threat)}")
        if threat.expected:
            lines.append(f"  Ожидаемый пик: неделя с {threat.expected:%d.%m}")
        for example in threat.examples[:2]:
            when = local(example.published, settings.timezone, "%d.%m.%Y")
            lines.append(f"  Пример: «{example.text}» ({example.source}, {when})" + (f" {example.url}" if example.url else ""))
    if not week.due and not fresh:
        lines += ["", "Сезонных тем на эту неделю нет ни в календаре, ни в истории публикаций."]
    if week.plan:
        lines += ["", "План сообщений:"]
        lines += [f"  до {item.publish_by:%d.%m} — {item.title}: {item.what}"
                  + (f" · площадки: {', '.join(item.channels)}" if item.channels else "") for item in week.plan]
    return "\n".join(lines) + "\n"


EXPORT_COLUMNS = ["вид", "название", "код", "лет с ростом", "лет с данными", "ожидаемый пик", "показатели по годам",
                  "где обсуждали", "пример", "ссылка"]


def threat_rows(threats: list[SeasonalThreat], tz: str) -> list[list[str]]:
    rows = []
    for threat in threats:
        example = threat.examples[0] if threat.examples else None
        rows.append(["тема" if threat.kind == "topic" else "место", threat.label, threat.code,
                     str(len(threat.rising_years)), str(threat.checked),
                     f"{threat.expected:%d.%m.%Y}" if threat.expected else "", _evidence_line(threat),
                     ", ".join(threat.sources), example.text if example else "", (example.url or "") if example else ""])
    return rows


def export_threats(threats: list[SeasonalThreat], path: Path, tz: str) -> Path:
    """The list of potential seasonal threats as CSV (UTF-8 with BOM, for Excel) or XLSX, by the suffix."""
    rows = threat_rows(threats, tz)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = "Сезонные угрозы"
        sheet.append(EXPORT_COLUMNS)
        for row in rows:
            sheet.append(row)
        book.save(path)
    elif path.suffix.lower() == ".csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(EXPORT_COLUMNS)
        writer.writerows(rows)
        path.write_text("\ufeff" + buffer.getvalue(), encoding="utf-8")
    else:
        raise ValueError(f"{path}: ожидается файл .csv или .xlsx")
    return path
