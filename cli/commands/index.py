"""``mcu index setup`` and ``mcu kibana install``: the Elasticsearch indices and the Kibana objects.

``register(app)`` adds them to the main CLI as ``mcu index ...`` and ``mcu kibana ...``
(``cli.commands.register_all`` calls it).

Credentials come from the environment only: ``MCU_ES_API_KEY`` or
``MCU_ES_USERNAME``/``MCU_ES_PASSWORD`` for Elasticsearch; ``MCU_KIBANA_API_KEY`` or
``MCU_KIBANA_USERNAME``/``MCU_KIBANA_PASSWORD`` for Kibana (falling back to the
Elasticsearch ones, which Kibana usually accepts). Nothing prints a secret.
"""
from __future__ import annotations

import base64
import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import httpx
import typer

from cli.options import ConfigOption, console, err, fail as _fail, load_settings
from core.config import ConfigError, Rubricator, secret

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OBJECTS = Path(__file__).resolve().parents[1] / "kibana" / "mcu.ndjson"  # package data
RUBRICATOR_FIELDS = {"mcu-posts": ("topic.code", "block", "department"), "mcu-risks": ("topic", "block", "department"),
                     "mcu-appeals": ("analysis.topic", "analysis.block", "analysis.department")}

index_app = typer.Typer(help="Индексы Elasticsearch: создание и обновление схемы.", no_args_is_help=True)
kibana_app = typer.Typer(help="Kibana: поиски, графики и дашборд для аналитиков МЦУ.", no_args_is_help=True)


@index_app.callback()
def index_group() -> None:
    """Индексы Elasticsearch: создание и обновление схемы."""


@kibana_app.callback()
def kibana_group() -> None:
    """Kibana: поиски, графики и дашборд для аналитиков МЦУ."""


# mcu index setup ----------------------------------------------------------
@index_app.command("setup")
def setup(
    config: Optional[Path] = ConfigOption,
    store: Optional[str] = typer.Option(None, "--store", help="elasticsearch[+https]://host:9200?prefix=mcu "
                                                              "(по умолчанию store из конфигурации)."),
    retention_days: Optional[int] = typer.Option(None, "--retention-days", min=1,
                                                 help="Срок хранения публикаций (по умолчанию privacy.retention_days)."),
    as_json: bool = typer.Option(False, "--json", help="Отчёт в JSON."),
) -> None:
    """Создать или обновить шаблоны и индексы; при новой версии схемы — переиндексация."""
    from core.store import StoreError
    from store.elasticsearch import build_client, parse_store_url, setup_indices

    settings = load_settings(config) if store is None or retention_days is None else None
    url = store or (settings.store if settings else "")
    if not url.startswith("elasticsearch"):
        raise _fail(f"хранилище {url!r} — не Elasticsearch; укажите --store elasticsearch://host:9200")
    days = retention_days or (settings.privacy.retention_days if settings else 365)
    try:
        location = parse_store_url(url)
        with build_client(location) as client:
            report = setup_indices(client, location.prefix, days)
    except StoreError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(dataclasses.asdict(report), ensure_ascii=False, indent=2))
        return
    action = {"created": "созданы", "updated": "проверены и обновлены",
              "migrated": f"переиндексированы из версии {report.previous_version}"}[report.action]
    console.print(f"Индексы Elasticsearch {location.display}: {action} (версия схемы {report.mapping_version}).",
                  highlight=False)
    console.print(f"  шаблонов: {len(report.templates)}; новых индексов: {len(report.created_indices)}"
                  + (f" ({', '.join(report.created_indices)})" if report.created_indices else ""), highlight=False)
    if report.copied:
        console.print("  скопировано документов: " + ", ".join(f"{k} {v}" for k, v in report.copied.items()))
    if report.removed:
        console.print(f"  удалено старых: {', '.join(report.removed)}", highlight=False)
    ilm = (f"политика {report.ilm.policy}, хранение {days} дн." if report.ilm.available
           else f"нет ({report.ilm.detail}); срок хранения соблюдает очистка при каждом сканировании")
    console.print(f"  ILM: {ilm}", highlight=False)
    for warning in report.warnings:
        err.print(f"[yellow]Внимание:[/] {warning}", highlight=False)
    console.print(f"  время: {report.seconds:.2f} с")


# mcu kibana install -------------------------------------------------------
class KibanaError(Exception):
    """Kibana refused the import or could not be reached."""


@dataclass(frozen=True)
class ImportResult:
    success: bool
    imported: int
    errors: list[str]


def kibana_auth() -> dict[str, str]:
    """The Authorization header from the environment (never printed)."""

    def value(name: str) -> str | None:
        found = secret(name, required=False)
        return found.get_secret_value() if found is not None else None

    for scope in ("KIBANA", "ES"):
        api_key = value(f"MCU_{scope}_API_KEY")
        if api_key:
            return {"Authorization": f"ApiKey {api_key}"}
        username, password = value(f"MCU_{scope}_USERNAME"), value(f"MCU_{scope}_PASSWORD")
        if username and password:
            token = base64.b64encode(f"{username}:{password}".encode()).decode()
            return {"Authorization": f"Basic {token}"}
    return {}


def prepare_objects(text: str, prefix: str, rubricator: Rubricator | None) -> bytes:
    """The ndjson for one store: data view titles follow the prefix, and topic, block and
    department codes get the Russian labels of the municipality's rubricator."""
    lines = []
    for line in text.splitlines():
        if not line.strip():
            continue
        item: dict[str, Any] = json.loads(line)
        if item["type"] == "index-pattern":
            attributes = item["attributes"]
            attributes["title"] = prefix + attributes["title"].removeprefix("mcu")
            if rubricator is not None:
                formats = json.loads(attributes.get("fieldFormatMap") or "{}")
                labels = [
                    {t.code: t.label for t in rubricator.topics},
                    {b.code: b.label for b in rubricator.blocks},
                    {d.code: d.label for d in rubricator.departments},
                ]
                for field, entries in zip(RUBRICATOR_FIELDS.get(item["id"], ()), labels):
                    formats[field] = {"id": "static_lookup", "params": {
                        "lookupEntries": [{"key": k, "value": v} for k, v in entries.items()],
                        "unknownKeyValue": None}}
                attributes["fieldFormatMap"] = json.dumps(formats, ensure_ascii=False)
        lines.append(json.dumps(item, ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode("utf-8")


def import_saved_objects(base_url: str, ndjson: bytes, *, space: str | None = None,
                         verify: bool | str = True, timeout: float = 60.0) -> ImportResult:
    """``POST /api/saved_objects/_import?overwrite=true``: same ids are replaced, so it can run again."""
    path = (f"/s/{space}" if space else "") + "/api/saved_objects/_import"
    headers = {"kbn-xsrf": "mcu-monitor", **kibana_auth()}
    try:
        response = httpx.post(base_url.rstrip("/") + path, params={"overwrite": "true"}, headers=headers,
                              files={"file": ("mcu.ndjson", ndjson, "application/ndjson")},
                              verify=verify, timeout=timeout)
    except httpx.HTTPError as exc:
        raise KibanaError(f"Kibana {base_url}: нет связи: {exc}") from exc
    if response.status_code >= 400:
        raise KibanaError(f"Kibana {base_url}: HTTP {response.status_code}: {response.text[:500]}")
    body = response.json()
    errors = [f"{e.get('type')} {e.get('id')}: {json.dumps(e.get('error'), ensure_ascii=False)}"
              for e in body.get("errors") or []]
    return ImportResult(bool(body.get("success")), int(body.get("successCount", 0)), errors)


@index_app.command("dead-letters")
def dead_letters(config: Optional[Path] = ConfigOption,
                 store: Optional[str] = typer.Option(None, "--store", help="Хранилище (по умолчанию из конфигурации).")
                 ) -> None:
    """Публикации, которые хранилище отклонило (с причиной): они сохранены и не потеряны."""
    from rich.table import Table
    from rich.text import Text

    from core.text import local
    from pipeline.wiring import opened_store

    settings = load_settings(config, store)
    with opened_store(settings) as db:
        letters = db.dead_letters()
    console.print(f"Отклонённых публикаций: {len(letters)}")
    if not letters:
        return
    table = Table(show_lines=True)
    for column in ("когда", "публикация", "источник", "причина"):
        table.add_column(column, overflow="fold")
    for letter in letters:
        table.add_row(local(letter.at, settings.timezone, "%d.%m.%Y %H:%M"), letter.post_id, Text(letter.source),
                      Text(letter.reason))
    console.print(table)


@kibana_app.command("install")
def install(
    config: Optional[Path] = ConfigOption,
    url: Optional[str] = typer.Option(None, "--url", envvar="MCU_KIBANA_URL", help="Адрес Kibana (env MCU_KIBANA_URL)."),
    space: Optional[str] = typer.Option(None, "--space", help="Пространство Kibana (по умолчанию — основное)."),
    objects: Path = typer.Option(DEFAULT_OBJECTS, "--file", help="Файл сохранённых объектов (ndjson)."),
    ca_certs: Optional[Path] = typer.Option(None, "--ca-certs", help="CA для TLS Kibana."),
    insecure: bool = typer.Option(False, "--insecure", help="Не проверять сертификат Kibana."),
) -> None:
    """Загрузить в Kibana представления данных, поиски и дашборд «МЦУ: обзор» (повторный запуск безопасен)."""
    if not url:
        raise _fail("не задан адрес Kibana: --url или MCU_KIBANA_URL")
    settings = load_settings(config)
    prefix = "mcu"
    if settings.store.startswith("elasticsearch"):
        from store.elasticsearch import parse_store_url

        prefix = parse_store_url(settings.store).prefix
    try:
        ndjson = prepare_objects(objects.read_text(encoding="utf-8"), prefix, settings.rubricator)
        result = import_saved_objects(url, ndjson, space=space,
                                      verify=False if insecure else (str(ca_certs) if ca_certs else True))
    except (OSError, ConfigError, KibanaError) as exc:
        raise _fail(str(exc)) from None
    if not result.success:
        raise _fail("Kibana отклонила часть объектов:\n  " + "\n  ".join(result.errors))
    console.print(f"Kibana {url}: загружено объектов: {result.imported} (префикс индексов {prefix}). "
                  "Дашборд «МЦУ: обзор».", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(index_app, name="index")
    app.add_typer(kibana_app, name="kibana")
