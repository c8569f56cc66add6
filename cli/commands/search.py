"""``mcu search`` (stored posts by words, period, topic, place, source, tone) and ``mcu alerts``
(the latest alert cards)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from cli import filters
from cli.options import ConfigOption, StoreOption, console, load_settings, parse_since


def register(app: typer.Typer) -> None:
    app.command("search")(search)
    app.command("alerts")(alerts)


def search(
    query: str = typer.Argument("", metavar="ЗАПРОС", help="Слова для поиска (в любой форме: «дорогу» найдёт «дороги»)."),
    since: Optional[str] = typer.Option(None, "--since", help="За период: 7d, 24h или дата."),
    topic: Optional[str] = typer.Option(None, "--topic", help="Тема: «Дороги», «ЖКХ» или код (roads, utilities)."),
    place: Optional[str] = typer.Option(None, "--place", help="Населённый пункт или объект."),
    source: Optional[str] = typer.Option(None, "--source", help="Источник: название или ключ."),
    platform: Optional[str] = typer.Option(None, "--platform", help="Платформа: ВКонтакте (vk), Telegram, "
                                                                    "новости (rss)."),
    sentiment: Optional[str] = typer.Option(None, "--sentiment", help="Тональность: негатив, нейтрально, позитив."),
    block: Optional[str] = typer.Option(None, "--block", help="Блок МЦУ: «Сельские территории», «Социальная "
                                                              "политика» или код."),
    department: Optional[str] = typer.Option(None, "--department", help="Территориальный отдел: «Быковский», "
                                                                        "«Лаптевский» или код."),
    relevance: bool = typer.Option(False, "--by-relevance", help="Сначала самые подходящие к запросу "
                                                                 "(по умолчанию — сначала новые)."),
    limit: int = typer.Option(20, "--limit", "-n", min=1, max=1000),
    as_json: bool = typer.Option(False, "--json", help="Вывести JSON Lines вместо таблицы."),
    config: Optional[Path] = ConfigOption,
    store: Optional[str] = StoreOption,
) -> None:
    """Поиск публикаций в хранилище."""
    from cli.display import print_hits
    from core.store import SearchQuery
    from nlp import Analyzer
    from store import open_store

    settings = load_settings(config, store)
    topic = filters.choose(topic, filters.topics(settings), "--topic")
    source = filters.choose(source, filters.sources(settings), "--source")
    platform = filters.choose(platform, filters.PLATFORM_RU, "--platform")
    sentiment = filters.choose(sentiment, filters.SENTIMENT_RU, "--sentiment")
    block = filters.choose(block, filters.blocks(settings), "--block")
    department = filters.choose(department, filters.departments(settings), "--department")
    analyzer = Analyzer.from_settings(settings)
    place_name = analyzer.canonical_place(place) if place else None
    q = SearchQuery(text=query, since=parse_since(since), topic=topic, place=place_name, source=source,
                    platform=platform, sentiment=sentiment, block=block, department=department,
                    order="relevance" if relevance else "date", limit=limit)
    with open_store(settings.store, analyzer.lemmatize, data_dir=settings.data_dir) as db:
        hits = db.search(q)
    if as_json:
        for hit in hits:
            console.print_json(json.dumps({"post": hit.post.model_dump(mode="json"),
                                           "analysis": hit.analysis.model_dump(mode="json", exclude={"lemmas"})
                                           if hit.analysis else None, "score": hit.score}, ensure_ascii=False),
                               indent=None)
        return
    print_hits(console, hits, settings, query)


def alerts(config: Optional[Path] = ConfigOption, store: Optional[str] = StoreOption,
           last: int = typer.Option(10, "--last", "-n", help="Сколько последних алертов показать.")) -> None:
    """Показать последние алерты."""
    from alerts import ConsoleSink
    from pipeline.wiring import opened_store

    settings = load_settings(config, store)
    with opened_store(settings) as db:
        recorded = db.list_alerts()[-last:]
    if not recorded:
        console.print("Алертов пока нет.")
    sink = ConsoleSink(console)
    for alert in recorded:
        sink.send(alert)
