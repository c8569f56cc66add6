"""What every page of the web workplace shares: the settings, the store, the accounts and
sessions, the clock, the Russian labels of codes, and the sinks that refresh alert-chat cards."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from alerts.sinks import AlertSink, notify_refresh, telegram_sinks
from alerts.workflow import Outcome
from core.config import ConfigError, Settings
from core.store import Store
from core.domain import Risk
from reports.sla import Deadlines, RiskSla, risk_starts
from web.accounts import Accounts
from web.localdb import LocalDb, web_db_path
from web.sessions import LoginThrottle, Sessions

log = logging.getLogger(__name__)

PLATFORM_RU = {"vk": "VK", "telegram": "Telegram", "rss": "Сайты и СМИ (RSS)"}
SENTIMENT_RU = {"negative": "негатив", "neutral": "нейтрально", "positive": "позитив"}


@dataclass(frozen=True)
class Labels:
    """Russian names of the codes the store keeps (topics, blocks, departments, sources)."""

    topics: dict[str, str]
    blocks: dict[str, str]
    departments: dict[str, str]
    sources: dict[str, str]
    platforms: dict[str, str] = field(default_factory=lambda: dict(PLATFORM_RU))
    sentiments: dict[str, str] = field(default_factory=lambda: dict(SENTIMENT_RU))

    @classmethod
    def of(cls, settings: Settings) -> "Labels":
        rubricator = settings.rubricator
        return cls(topics={t.code: t.label for t in rubricator.topics},
                   blocks={b.code: b.label for b in rubricator.blocks},
                   departments={d.code: d.label for d in rubricator.departments},
                   sources={s.key: s.name for s in settings.sources})

    def of_field(self, name: str) -> dict[str, str]:
        """Labels of a search facet's values (places are their own names)."""
        return {"topic": self.topics, "block": self.blocks, "department": self.departments, "source": self.sources,
                "platform": self.platforms, "sentiment": self.sentiments}.get(name, {})


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class WebContext:
    settings: Settings
    store: Store
    db: LocalDb
    accounts: Accounts
    sessions: Sessions
    throttle: LoginThrottle
    labels: Labels
    now: Callable[[], datetime] = utc_now
    sinks: Callable[[], list[AlertSink]] | None = None
    cache: dict = field(default_factory=dict)
    """Things loaded once on first use (the gazetteer of the map, the working calendar)."""

    @classmethod
    def build(cls, settings: Settings, store: Store, now: Callable[[], datetime] = utc_now) -> "WebContext":
        web = settings.web
        db = LocalDb(web_db_path(settings.data_dir))
        return cls(settings=settings, store=store, db=db, accounts=Accounts(db, web.users),
                   sessions=Sessions(db, web.session_hours),
                   throttle=LoginThrottle(db, web.login_attempts, web.login_window_minutes * 60),
                   labels=Labels.of(settings), now=now)

    def deadlines(self) -> Deadlines:
        """The config's deadlines and working calendar, built once."""
        if "deadlines" not in self.cache:
            self.cache["deadlines"] = Deadlines(self.settings)
        return self.cache["deadlines"]

    def slas(self, risks: list[Risk], now: datetime) -> dict[str, RiskSla]:
        """Risk id → its deadlines at ``now`` (``reports.sla``). A risk recorded before
        ``Risk.first_seen`` existed starts at its story's first publication, looked up once per
        process rather than on every refresh of the list."""
        starts = self.cache.setdefault("starts", {})
        starts.update(risk_starts(self.store, [r for r in risks if r.first_seen is None and r.id not in starts]))
        deadlines = self.deadlines()
        return {r.id: deadlines.of(r, r.first_seen or starts[r.id], now) for r in risks}

    def epoch(self) -> float:
        return self.now().timestamp()

    def refresh_chat(self, outcome: Outcome) -> None:
        """An action taken in the web refreshes the risk's card in the alert chat, as ``mcu risk`` does."""
        if not outcome.changed:
            return
        try:
            sinks = self.sinks() if self.sinks is not None else telegram_sinks(self.settings)
        except ConfigError as exc:
            log.warning("risk %s: the alert chat card is not refreshed: %s", outcome.risk.id, exc)
            return
        notify_refresh(sinks, outcome.risk, outcome.notice)

    def close(self) -> None:
        self.db.close()
