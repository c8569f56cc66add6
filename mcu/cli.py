"""The ``mcu`` command: Typer commands that call the same plain functions the flows call.

Messages for МЦУ staff are in Russian; option help is short and bilingual where it helps.
"""
from __future__ import annotations

import json
import logging
import os
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from mcu.commands import register_all
from mcu.config import ConfigError, load_config

# Prefect reads its settings at import: keep it quiet and offline before any flow is imported.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

app = typer.Typer(help="mcu-monitor: мониторинг информационных рисков для МЦУ.", no_args_is_help=True,
                  rich_markup_mode="rich")
console = Console()
err = Console(stderr=True)
DEFAULT_CONFIG = Path(os.environ.get("MCU_CONFIG", "config/demo.yaml"))
ConfigOption = typer.Option(DEFAULT_CONFIG, "--config", "-c", help="YAML-конфигурация (env MCU_CONFIG).")
StoreOption = typer.Option(None, "--store", help="Хранилище: sqlite:///путь или elasticsearch://host:9200.")


def _fail(message: str) -> typer.Exit:
    err.print(f"[bold red]Ошибка:[/] {message}", highlight=False)
    return typer.Exit(code=2)


def _settings(config: Path, store: str | None = None):
    try:
        return load_config(config, store)
    except ConfigError as exc:
        raise _fail(str(exc)) from None


def parse_since(value: str | None, now: datetime | None = None) -> datetime | None:
    """``7d``, ``12h``, ``30m`` or an ISO date."""
    if not value:
        return None
    now = now or datetime.now(timezone.utc)
    match = re.fullmatch(r"(\d+)\s*([dhm])", value.strip())
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        return now - timedelta(**{{"d": "days", "h": "hours", "m": "minutes"}[unit]: amount})
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"«{value}»: ожидается 7d, 12h, 30m или дата ГГГГ-ММ-ДД") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Подробный журнал.")) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@app.command()
def scan(
    config: Path = ConfigOption,
    store: Optional[str] = StoreOption,
    full: bool = typer.Option(False, "--full", help="Игнорировать отметки (watermarks) и перечитать всё."),
    source: list[str] = typer.Option([], "--source", "-s", help="Только этот источник (можно несколько)."),
) -> None:
    """Сбор → анализ → запись → алерты по всем источникам конфигурации."""
    from mcu.display import ScanDisplay, print_summary

    settings = _settings(config, store)
    unknown = [key for key in source if key not in {s.key for s in settings.sources}]
    if unknown:
        raise _fail(f"{config}: нет источников {unknown}; есть: {[s.key for s in settings.sources]}")
    import flows.scan as scan_flow

    keys = source or [s.key for s in settings.sources if s.enabled]
    with ScanDisplay(console, keys) as display:
        scan_flow.observer = display
        report = scan_flow.scan(config=str(config), store=store, full=full, sources=keys)
    print_summary(console, report)
    if report.failed and len(report.failed) == len(report.sources):
        raise typer.Exit(code=1)


@app.command()
def search(
    query: str = typer.Argument("", help="Слова для поиска (в любой форме: «дорогу» найдёт «дороги»)."),
    since: Optional[str] = typer.Option(None, "--since", help="За период: 7d, 24h или дата."),
    topic: Optional[str] = typer.Option(None, "--topic", help="Код темы рубрикатора, например utilities."),
    place: Optional[str] = typer.Option(None, "--place", help="Населённый пункт или объект."),
    source: Optional[str] = typer.Option(None, "--source", help="Ключ источника."),
    platform: Optional[str] = typer.Option(None, "--platform", help="vk, telegram или rss."),
    sentiment: Optional[str] = typer.Option(None, "--sentiment", help="negative, neutral или positive."),
    limit: int = typer.Option(20, "--limit", "-n", min=1, max=1000),
    as_json: bool = typer.Option(False, "--json", help="Вывести JSON Lines вместо таблицы."),
    config: Path = ConfigOption,
    store: Optional[str] = StoreOption,
) -> None:
    """Поиск публикаций в хранилище."""
    from mcu.display import print_hits
    from nlp import Analyzer
    from store import SearchQuery, open_store

    settings = _settings(config, store)
    if topic and topic not in {t.code for t in settings.rubricator.topics}:
        raise _fail(f"--topic: неизвестная тема «{topic}»; есть: {', '.join(t.code for t in settings.rubricator.topics)}")
    analyzer = Analyzer.from_settings(settings)
    place_name = analyzer.canonical_place(place) if place else None
    q = SearchQuery(text=query, since=parse_since(since), topic=topic, place=place_name, source=source,
                    platform=platform, sentiment=sentiment, limit=limit)
    with open_store(settings.store, analyzer.lemmatize) as db:
        hits = db.search(q)
    if as_json:
        for hit in hits:
            console.print_json(json.dumps({"post": hit.post.model_dump(mode="json"),
                                           "analysis": hit.analysis.model_dump(mode="json", exclude={"lemmas"})
                                           if hit.analysis else None, "score": hit.score}, ensure_ascii=False),
                               indent=None)
        return
    print_hits(console, hits, settings, query)


@app.command()
def alerts(config: Path = ConfigOption, store: Optional[str] = StoreOption,
           last: int = typer.Option(10, "--last", "-n", help="Сколько последних алертов показать.")) -> None:
    """Показать последние алерты."""
    from alerts import ConsoleSink
    from nlp import Analyzer
    from store import open_store

    settings = _settings(config, store)
    with open_store(settings.store, Analyzer.from_settings(settings).lemmatize) as db:
        recorded = db.list_alerts()[-last:]
    if not recorded:
        console.print("Алертов пока нет.")
    sink = ConsoleSink(console)
    for alert in recorded:
        sink.send(alert)


@app.command()
def demo(
    out: Path = typer.Option(Path("data/demo"), "--out", help="Куда записать демо-источники."),
    config: Path = typer.Option(Path("config/demo.yaml"), "--config", "-c"),
    anchor: Optional[str] = typer.Option(None, "--anchor", help="Конец двухнедельного окна (ISO); по умолчанию — сейчас."),
) -> None:
    """Записать демо-данные Пестовского округа (VK JSON, дампы Telegram, RSS/Atom) и просканировать их."""
    from demo.render import render

    moment = datetime.fromisoformat(anchor) if anchor else datetime.now(timezone.utc).replace(minute=0, second=0,
                                                                                            microsecond=0)
    files = render(out, moment)
    console.print(f"Демо-источники: {len(files)} файлов в [bold]{out}[/] (окно две недели до {moment:%d.%m.%Y %H:%M} UTC)")
    scan(config=config, store=None, full=False, source=[])
    settings = _settings(config)
    db_path = settings.store.removeprefix("sqlite:///")
    console.print(f"\nХранилище: [bold]{db_path}[/]. Попробуйте:")
    for line in (
        'mcu search "вода Лаптево" --since 7d --topic utilities',
        'mcu search "дорогу" --since 14d',
        "mcu search --place Пестово --sentiment negative --json",
        "mcu alerts",
        "mcu risk list        # открытые риски; дальше: mcu risk take N, mcu risk answer N ...",
        "mcu scan            # повторный запуск: ни новых постов, ни повторных алертов",
        f"datasette {db_path}   # просмотр базы в браузере (pip install datasette)",
    ):
        console.print(f"  [cyan].venv/bin/{line}[/]" if not line.startswith("datasette") else f"  [cyan]{line}[/]")


@app.command("config")
def check_config(config: Path = ConfigOption) -> None:
    """Проверить конфигурацию и показать источники."""
    settings = _settings(config)
    table = Table(title=f"{settings.municipality}: источники")
    for column in ("ключ", "платформа", "название", "адрес", "включён"):
        table.add_column(column)
    for s in settings.sources:
        address = getattr(s, "owner", None) or getattr(s, "chat", None) or getattr(s, "url", "")
        table.add_row(s.key, s.platform, s.name, str(s.replay or address), "да" if s.enabled else "нет")
    console.print(table)
    console.print(f"Хранилище: {settings.store} · тем: {len(settings.rubricator.topics)} · "
                  f"блоков: {len(settings.rubricator.blocks)} · газеттир: {settings.resolve(settings.gazetteer)}")


register_all(app)

if __name__ == "__main__":  # pragma: no cover
    app()
