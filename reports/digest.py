"""The daily digest: what happened today in the district, as plain text and as Telegram HTML."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone

from pathlib import Path

from core.config import Settings
from core.domain import ACTION_RU, LEVEL_MARK, LEVEL_RU, RISK_STATUS_RU, Risk
from core.store import SearchQuery, Store, open_risks
from core.text import age, h, number, trim_html, zone

LEVEL_RU_MANY = {"critical": "критических", "high": "высоких", "medium": "средних"}


@dataclass
class Digest:
    day: date
    posts: int = 0
    negative: int = 0
    topics: list[tuple[str, int]] = field(default_factory=list)
    new_risks: Counter = field(default_factory=Counter)
    alerts: int = 0
    steps: Counter = field(default_factory=Counter)
    open: list[Risk] = field(default_factory=list)


def day_start(now: datetime, tz: str) -> datetime:
    local = now.astimezone(zone(tz))
    return datetime.combine(local.date(), time(0), tzinfo=local.tzinfo).astimezone(timezone.utc)


def daily_digest(store: Store, settings: Settings, now: datetime) -> Digest:
    """Today (in the municipality's time zone) so far: posts, topics, new risks, alerts and the
    workflow steps taken, plus what is still open."""
    since = day_start(now, settings.timezone)
    query = SearchQuery(since=since, until=now)
    labels = {t.code: t.label for t in settings.rubricator.topics}
    topics = store.aggregate("topic", query)
    digest = Digest(
        day=now.astimezone(zone(settings.timezone)).date(),
        posts=store.count(query),
        negative=store.aggregate("sentiment", query).get("negative", 0),
        topics=[(labels.get(code, code), n) for code, n in list(topics.items()) if code != "other"][:5],
        alerts=sum(1 for a in store.list_alerts() if since <= a.created_at <= now),
        open=open_risks(store),
    )
    for risk in store.list_risks():
        if since <= risk.created_at <= now:
            digest.new_risks[risk.level] += 1
        for step in risk.history:
            if since <= step.at <= now:
                digest.steps[step.action] += 1
    return digest


def render_digest(summary: Digest, municipality: str) -> str:
    """The digest as plain Russian text (the alert chat gets the same text)."""
    lines = [f"Сводка МЦУ · {municipality} · {summary.day:%d.%m.%Y}",
             f"Публикаций за сегодня: {summary.posts}, из них негативных: {summary.negative}"]
    if summary.topics:
        lines.append("Главные темы: " + ", ".join(f"{label} — {n}" for label, n in summary.topics))
    new = ", ".join(f"{LEVEL_RU_MANY[level]} {summary.new_risks[level]}"
                    for level in ("critical", "high", "medium") if summary.new_risks.get(level))
    lines.append(f"Новых рисков: {sum(summary.new_risks.values())}" + (f" ({new})" if new else ""))
    lines.append(f"Алертов: {summary.alerts}")
    if summary.steps:
        lines.append("Действий по рискам: " + str(sum(summary.steps.values())))
    lines.append(f"Открытых рисков: {len(summary.open)}")
    for risk in summary.open[:10]:
        lines.append(f"  • {risk.label} · {', '.join(risk.places) or 'место не определено'} · "
                     f"{RISK_STATUS_RU.get(risk.status.value, risk.status.value)}")
    return "\n".join(lines) + "\n"


def render_digest_html(digest: Digest, now: datetime) -> str:
    """``/digest`` in the alert chat: today's summary as Telegram HTML."""
    lines = [f"<b>Сводка за {digest.day:%d.%m.%Y}</b>",
             f"Публикаций: {number(digest.posts)}, из них негативных {number(digest.negative)}"]
    if digest.topics:
        lines.append("Темы: " + h(", ".join(f"{label} — {n}" for label, n in digest.topics)))
    new = ", ".join(f"{LEVEL_RU[lvl].lower()} {digest.new_risks[lvl]}"
                    for lvl in ("critical", "high", "medium") if digest.new_risks.get(lvl))
    lines.append(f"Новых рисков: {sum(digest.new_risks.values())}" + (f" ({new})" if new else ""))
    lines.append(f"Алертов: {digest.alerts}")
    if digest.steps:
        lines.append("Действия: " + ", ".join(f"{ACTION_RU.get(a, a)} — {n}" for a, n in digest.steps.most_common()))
    lines.append(f"Открыто рисков: {len(digest.open)}")
    lines += [f"  {LEVEL_MARK[r.level]} {h(r.label)} · {RISK_STATUS_RU[r.status]} · {age(r.since, now)}"
              for r in digest.open[:10]]
    return trim_html("\n".join(lines))


def write_digest(text: str, day: date, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{day:%Y-%m-%d}.txt"
    path.write_text(text, encoding="utf-8")
    return path
