"""Generate ``cli/kibana/mcu.ndjson`` (package data of ``mcu kibana install``), the Kibana 8 saved
objects for МЦУ analysts.

    python deploy/kibana/build.py            # rewrite mcu.ndjson
    python deploy/kibana/build.py --check    # exit 1 if mcu.ndjson is out of date

Objects (stable ids, so ``mcu kibana install`` overwrites them in place):

* data view ``mcu-appeals`` (time field ``received_at``) of citizens' appeals, and the saved
  search «Обращения без ответа»;
* data views ``mcu-posts`` (time field ``published_at``) and ``mcu-risks`` (no time
  field: open risks show whatever the time picker says), with Russian field labels and
  value labels (static lookups; topic, block and department labels are filled from the
  municipality's rubricator by ``mcu kibana install``);
* saved searches «Негатив за сутки», «Упоминания сёл», «Риски в работе»;
* Lens charts: posts over time by sentiment, top topics, top places; a map of toponyms;
* the dashboard «МЦУ: обзор» with all of them (the risks search is the table of open
  risks; its «сюжет» column links to the story's posts in Discover).

Written for Kibana 8.x (``formBased`` Lens state, ``panelRefName`` dashboard panels).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

Json = dict[str, Any]
HERE = Path(__file__).resolve().parent
OUTPUT = HERE.parent.parent / "cli" / "kibana" / "mcu.ndjson"
CORE = "8.8.0"
POSTS, RISKS, APPEALS = "mcu-posts", "mcu-risks", "mcu-appeals"  # data view ids; titles are the aliases (prefix mcu)
CENTER = {"lat": 58.6, "lon": 35.8}  # Пестово; the map fits the data anyway
OPEN_RISKS = 'not status : ("handled" or "not_risk")'

POST_LABELS = {
    "published_at": "Дата публикации", "text": "Текст", "title": "Заголовок", "url": "Ссылка",
    "source": "Источник", "platform": "Площадка", "author": "Автор (псевдоним)",
    "sentiment.label": "Тональность", "sentiment.score": "Уверенность тональности",
    "topic.code": "Тема", "block": "Блок МЦУ", "department": "Территориальный отдел",
    "places": "Места", "location": "Координаты", "toponyms.name": "Топоним", "toponyms.kind": "Тип места",
    "risk.score": "Оценка риска", "risk.level": "Уровень риска", "story_id": "Сюжет",
    "engagement.likes": "Лайки", "engagement.comments": "Комментарии", "engagement.reposts": "Репосты",
    "engagement.views": "Просмотры", "engagement_total": "Вовлечённость", "reach": "Охват источника",
    "is_comment": "Комментарий",
}  # fmt: skip
RISK_LABELS = {
    "number": "№", "level_ru": "Уровень", "score": "Оценка", "topic": "Тема", "block": "Блок МЦУ",
    "department": "Территориальный отдел", "places": "Места", "status_ru": "Статус", "assignee": "Исполнитель",
    "posts": "Публикаций", "escalated": "Эскалирован", "created_at": "Создан", "updated_at": "Обновлён",
    "story_id": "Сюжет",
}  # fmt: skip
APPEAL_LABELS = {
    "received_at": "Поступило", "number": "№ обращения", "source": "Система (источник)", "channel": "Канал",
    "category": "Категория", "subcategory": "Подкатегория", "text": "Текст (обезличен)", "address": "Адрес",
    "district": "Район / поселение", "location": "Координаты", "responsible": "Ответственный орган",
    "deadline": "Срок по выгрузке", "status": "Статус", "state_ru": "Состояние", "answer": "Ответ",
    "answered_at": "Дата ответа", "rating": "Оценка заявителя", "analysis.topic": "Тема",
    "analysis.block": "Блок МЦУ", "analysis.department": "Территориальный отдел", "analysis.places": "Места",
    "answer_kind_ru": "Вид ответа", "analysis.routed_body": "Орган по модели маршрутизации",
}  # fmt: skip
LOOKUPS = {
    "sentiment.label": {"negative": "негатив", "neutral": "нейтрально", "positive": "позитив"},
    "platform": {"vk": "ВКонтакте", "telegram": "Telegram", "rss": "СМИ (RSS)", "ok": "Одноклассники",
                 "site": "Сайты без RSS"},
    "risk.level": {"none": "нет", "medium": "средний", "high": "высокий", "critical": "критический"},
}
RUBRICATOR_LOOKUPS = {POSTS: ("topic.code", "block", "department"), RISKS: ("topic", "block", "department"),
                      APPEALS: ("analysis.topic", "analysis.block", "analysis.department")}
STORY_LINK = (
    "/app/discover#/?_g=(time:(from:now-90d,to:now))"
    "&_a=(index:'" + POSTS + "',query:(language:kuery,query:'story_id:\"{{value}}\"'))"
)


def lookup(entries: dict[str, str]) -> Json:
    return {"id": "static_lookup", "params": {
        "lookupEntries": [{"key": k, "value": v} for k, v in entries.items()], "unknownKeyValue": None}}


def saved_object(kind: str, object_id: str, attributes: Json, references: list[Json], version: str) -> Json:
    return {"id": object_id, "type": kind, "attributes": attributes, "references": references,
            "managed": False, "coreMigrationVersion": CORE, "typeMigrationVersion": version}


def data_view(object_id: str, name: str, time_field: str | None, labels: dict[str, str], formats: Json) -> Json:
    for field in RUBRICATOR_LOOKUPS[object_id]:
        formats[field] = lookup({})  # filled from the rubricator at install time
    attributes = {
        "title": object_id, "name": name, "timeFieldName": time_field,
        "fieldAttrs": json.dumps({f: {"customLabel": label} for f, label in labels.items()}, ensure_ascii=False),
        "fieldFormatMap": json.dumps(formats, ensure_ascii=False), "sourceFilters": "[]", "runtimeFieldMap": "{}",
        "allowNoIndex": True,
    }
    if time_field is None:
        del attributes["timeFieldName"]
    return saved_object("index-pattern", object_id, attributes, [], "8.0.0")


def search_source(query: str) -> str:
    return json.dumps({"query": {"query": query, "language": "kuery"}, "filter": [],
                       "indexRefName": "kibanaSavedObjectMeta.searchSourceJSON.index"}, ensure_ascii=False)


def saved_search(object_id: str, title: str, description: str, view: str, query: str,
                 columns: list[str], sort: list[list[str]]) -> Json:
    attributes = {"title": title, "description": description, "columns": columns, "sort": sort, "grid": {},
                  "hideChart": view == RISKS, "isTextBasedQuery": False,
                  "kibanaSavedObjectMeta": {"searchSourceJSON": search_source(query)}}
    reference = {"name": "kibanaSavedObjectMeta.searchSourceJSON.index", "type": "index-pattern", "id": view}
    return saved_object("search", object_id, attributes, [reference], "8.0.0")


def count_column(label: str = "Публикаций") -> Json:
    return {"label": label, "dataType": "number", "operationType": "count", "sourceField": "___records___",
            "isBucketed": False, "scale": "ratio", "params": {"emptyAsNull": True}}


def terms_column(field: str, label: str, size: int) -> Json:
    return {"label": label, "dataType": "string", "operationType": "terms", "sourceField": field,
            "isBucketed": True, "scale": "ordinal",
            "params": {"size": size, "orderBy": {"type": "column", "columnId": "count"}, "orderDirection": "desc",
                       "otherBucket": False, "missingBucket": False}}


def lens(object_id: str, title: str, columns: Json, layer: Json, series: str) -> Json:
    """A one-layer Lens XY chart over the posts data view; ``columns`` by id, ``count`` among them."""
    order = [c for c in columns if columns[c]["isBucketed"]] + [c for c in columns if not columns[c]["isBucketed"]]
    state = {
        "datasourceStates": {"formBased": {"layers": {"posts": {
            "columns": columns, "columnOrder": order, "incompleteColumns": {}}}}},
        "visualization": {
            "legend": {"isVisible": True, "position": "right"}, "valueLabels": "hide",
            "preferredSeriesType": series, "fittingFunction": "None",
            "layers": [{"layerId": "posts", "layerType": "data", "seriesType": series, "accessors": ["count"],
                        **layer}],
        },
        "query": {"query": "", "language": "kuery"}, "filters": [],
    }
    attributes = {"title": title, "description": "", "visualizationType": "lnsXY", "state": state}
    reference = {"type": "index-pattern", "id": POSTS, "name": "indexpattern-datasource-layer-posts"}
    return saved_object("lens", object_id, attributes, [reference], "8.9.0")


def toponym_map() -> Json:
    layers = [
        {"id": "basemap", "type": "EMS_VECTOR_TILE", "label": "Подложка", "visible": True, "alpha": 1,
         "minZoom": 0, "maxZoom": 24, "sourceDescriptor": {"type": "EMS_TMS", "isAutoSelect": True},
         "style": {"type": "EMS_VECTOR_TILE"}},
        {"id": "toponyms", "type": "GEOJSON_VECTOR", "label": "Упоминания мест", "visible": True, "alpha": 0.8,
         "minZoom": 0, "maxZoom": 24, "joins": [],
         "sourceDescriptor": {
             "id": "toponyms-source", "type": "ES_SEARCH", "indexPatternRefName": "layer_1_source_index_pattern",
             "geoField": "location", "geoFieldType": "geo_point", "scalingType": "CLUSTERS",
             "tooltipProperties": ["places", "topic.code", "sentiment.label", "source", "text"],
             "sortField": "published_at", "sortOrder": "desc", "filterByMapBounds": True,
             "applyGlobalQuery": True, "applyGlobalTime": True},
         "style": {"type": "VECTOR", "isTimeAware": True, "properties": {
             "fillColor": {"type": "STATIC", "options": {"color": "#E7664C"}},
             "iconSize": {"type": "STATIC", "options": {"size": 8}}}}},
    ]
    state = {"zoom": 8, "center": CENTER, "timeFilters": {"from": "now-7d", "to": "now"},
             "refreshConfig": {"isPaused": True, "interval": 0}, "query": {"query": "", "language": "kuery"},
             "filters": [], "settings": {"autoFitToDataBounds": True}}
    attributes = {"title": "Карта упоминаний мест", "description": "Публикации с координатами упомянутых мест",
                  "layerListJSON": json.dumps(layers, ensure_ascii=False), "mapStateJSON": json.dumps(state),
                  "uiStateJSON": json.dumps({"isLayerTOCOpen": True, "openTOCDetails": []})}
    reference = {"name": "layer_1_source_index_pattern", "type": "index-pattern", "id": POSTS}
    return saved_object("map", "mcu-map-toponyms", attributes, [reference], "8.4.0")


def dashboard(panels: list[tuple[Json, tuple[int, int, int, int]]]) -> Json:
    """``panels``: (saved object, (x, y, w, h)) on Kibana's 48-column grid."""
    items, references = [], []
    for number, (target, (x, y, w, h)) in enumerate(panels, 1):
        index = f"p{number}"
        items.append({"type": target["type"], "panelIndex": index, "gridData": {"x": x, "y": y, "w": w, "h": h,
                      "i": index}, "embeddableConfig": {"enhancements": {}}, "panelRefName": f"panel_{index}"})
        references.append({"name": f"{index}:panel_{index}", "type": target["type"], "id": target["id"]})
    attributes = {
        "title": "МЦУ: обзор",
        "description": "Публикации за период: тональность, темы, места, карта; открытые риски со ссылками на сюжеты",
        "timeRestore": True, "timeFrom": "now-7d", "timeTo": "now", "refreshInterval": {"pause": False, "value": 300000},
        "optionsJSON": json.dumps({"useMargins": True, "syncColors": False, "syncCursor": True,
                                   "syncTooltips": False, "hidePanelTitles": False}),
        "panelsJSON": json.dumps(items, ensure_ascii=False),
        "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps({"query": {"query": "", "language": "kuery"},
                                                                  "filter": []})},
    }
    return saved_object("dashboard", "mcu-dashboard-overview", attributes, references, "8.9.0")


def objects() -> list[Json]:
    posts = data_view(POSTS, "МЦУ: публикации", "published_at", POST_LABELS, {
        "url": {"id": "url", "params": {"type": "a", "labelTemplate": "открыть", "urlTemplate": "{{rawValue}}"}},
        **{field: lookup(entries) for field, entries in LOOKUPS.items()},
    })
    risks = data_view(RISKS, "МЦУ: риски", None, RISK_LABELS, {
        "story_id": {"id": "url", "params": {"type": "a", "urlTemplate": STORY_LINK,
                                             "labelTemplate": "публикации сюжета"}},
    })
    appeals = data_view(APPEALS, "МЦУ: обращения", "received_at", APPEAL_LABELS, {})
    open_appeals = saved_search("mcu-search-open-appeals", "Обращения без ответа",
                                "Обращения граждан на рассмотрении (ПОС, «Инцидент Менеджмент», порталы, письма)",
                                APPEALS, 'state : "open"',
                                ["number", "channel", "analysis.topic", "analysis.department", "responsible",
                                 "text"], [["received_at", "asc"]])
    negative = saved_search("mcu-search-negative-24h", "Негатив за сутки",
                            "Негативные публикации за последние 24 часа", POSTS,
                            'sentiment.label : "negative" and published_at >= "now-24h"',
                            ["source", "topic.code", "places", "text", "url"], [["published_at", "desc"]])
    villages = saved_search("mcu-search-villages", "Упоминания сёл", "Публикации, где упомянуто село или деревня",
                            POSTS, 'toponyms:{ kind : "village" }',
                            ["places", "department", "topic.code", "sentiment.label", "text", "url"],
                            [["published_at", "desc"]])
    open_risks = saved_search("mcu-search-open-risks", "Риски в работе",
                              "Открытые риски: новые, в работе, с опубликованным ответом, на наблюдении", RISKS,
                              OPEN_RISKS, ["number", "level_ru", "score", "topic", "places", "department",
                                           "status_ru", "assignee", "updated_at", "story_id"], [["score", "desc"]])
    over_time = lens("mcu-lens-posts-by-sentiment", "Публикации по тональности", {
        "time": {"label": "Дата публикации", "dataType": "date", "operationType": "date_histogram",
                 "sourceField": "published_at", "isBucketed": True, "scale": "interval",
                 "params": {"interval": "auto", "includeEmptyRows": True, "dropPartials": False}},
        "sentiment": terms_column("sentiment.label", "Тональность", 3),
        "count": count_column(),
    }, {"xAccessor": "time", "splitAccessor": "sentiment"}, "bar_stacked")
    topics = lens("mcu-lens-top-topics", "Главные темы", {
        "topic": terms_column("topic.code", "Тема", 10), "count": count_column()},
        {"xAccessor": "topic"}, "bar_horizontal")
    places = lens("mcu-lens-top-places", "Места в публикациях", {
        "place": terms_column("places", "Место", 15), "count": count_column()},
        {"xAccessor": "place"}, "bar_horizontal")
    geo = toponym_map()
    overview = dashboard([
        (over_time, (0, 0, 48, 14)), (topics, (0, 14, 24, 15)), (places, (24, 14, 24, 15)),
        (geo, (0, 29, 24, 20)), (negative, (24, 29, 24, 20)), (open_risks, (0, 49, 48, 18)),
    ])
    return [posts, risks, negative, villages, open_risks, over_time, topics, places, geo, overview, appeals,
            open_appeals]


def render() -> str:
    return "".join(json.dumps(o, ensure_ascii=False, sort_keys=True) + "\n" for o in objects())


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT} is out of date: run python {Path(__file__).relative_to(HERE.parents[1])}")
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {len(text.splitlines())} saved objects to {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
