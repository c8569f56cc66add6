"""``mcu gazetteer import``: build the district gazetteer from standard settlement lists.

The logic is :mod:`nlp.gazetteer_build` (and the readers in :mod:`nlp.gazetteer_readers`);
this module only parses options and prints the summary in Russian.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from cli.options import console, fail

gazetteer_app = typer.Typer(help="Газеттир района: сборка из ОКТМО, ГАР, КЛАДР или OpenStreetMap.",
                            no_args_is_help=True)

FORMATS = ("auto", "csv", "gar", "geojson", "overpass")
KIND_LABELS = {"town": "город", "village": "населённые пункты", "station": "ж/д станции", "street": "улицы",
               "river": "реки", "lake": "озёра", "object": "объекты", "road": "дороги", "district": "округ"}


@gazetteer_app.callback()
def gazetteer_group() -> None:
    """Газеттир района: сборка из ОКТМО, ГАР, КЛАДР или OpenStreetMap."""


def register(app: typer.Typer) -> None:
    gazetteer_app.command("import")(import_command)
    app.add_typer(gazetteer_app, name="gazetteer")


def import_command(
    sources: list[Path] = typer.Argument(..., help="Файлы-источники. Первый задаёт список населённых пунктов, "
                                                     "следующие только дополняют его (координаты, ОКТМО, индексы)."),
    output: Path = typer.Option(..., "--output", "-o", help="Куда записать газеттир (YAML)."),
    fmt: str = typer.Option("auto", "--format", "-f",
                            help="Формат источников: csv (ОКТМО/ГАР/КЛАДР), gar (ГАР XML AS_ADDR_OBJ), "
                                 "geojson или overpass (OpenStreetMap); auto — по расширению."),
    departments: Optional[Path] = typer.Option(None, "--departments", "-d",
                                               help="Таблица: бывшее поселение (название или префикс ОКТМО) → "
                                                    "территориальный отдел, и центр каждого отдела (YAML)."),
    local: Optional[Path] = typer.Option(None, "--merge", "-m",
                                         help="Газеттир с местными знаниями: улицы, реки, объекты, другие "
                                              "названия, поправки. Его данные важнее импортированных."),
    hierarchy: Optional[Path] = typer.Option(None, "--hierarchy",
                                             help="Для ГАР: файл AS_MUN_HIERARCHY (ОКТМО и поселение каждого пункта)."),
    municipality: str = typer.Option("", "--municipality", help="Название муниципального образования."),
    note: list[str] = typer.Option([], "--note", help="Строка в заголовок файла: происхождение данных, лицензия."),
) -> None:
    """Собрать газеттир из стандартных списков населённых пунктов и записать его в формате mcu."""
    from nlp.gazetteer import GazetteerError, read_places
    from nlp.gazetteer_build import run_import, write_gazetteer
    from nlp.gazetteer_readers import SourceError, guess_format

    if fmt not in FORMATS:
        raise fail(f"--format: «{fmt}» — ожидается одно из {', '.join(FORMATS)}")
    for path in [*sources, departments, local, hierarchy]:
        if path is not None and not path.is_file():
            raise fail(f"{path}: файл не найден")
    try:
        pairs = [(path, guess_format(path) if fmt == "auto" else fmt) for path in sources]
        report = run_import(pairs, departments, local, hierarchy)
        name = municipality or (read_places(local)[0] if local else "")
        header = "\n".join([
            "Gazetteer built by `mcu gazetteer import`; rebuild it rather than edit it by hand.",
            "Sources: " + ", ".join(path.name for path in sources) + ".",
            *(["Departments: " + departments.name + "."] if departments else []),
            *(["Local knowledge (streets, objects, aliases, overrides): " + local.name + "."] if local else []),
            *note,
        ])
        write_gazetteer(output, name, report.places, header)
        read_places(output)  # the result must load
    except (SourceError, GazetteerError) as exc:
        raise fail(str(exc)) from None
    print_report(report, output)


def print_report(report, output: Path) -> None:
    table = Table(title=f"Газеттир: {output}")
    table.add_column("что")
    table.add_column("сколько", justify="right")
    for kind, count in sorted(report.kinds.items(), key=lambda kv: -kv[1]):
        table.add_row(KIND_LABELS.get(kind, kind), str(count))
    settlements = [p for p in report.places if p.kind in ("village", "station", "town")]
    table.add_row("пунктов с координатами", f"{sum(p.lat is not None for p in settlements)} из {len(settlements)}")
    villages = [p for p in report.places if p.kind in ("village", "station")]
    table.add_row("пунктов с территориальным отделом", f"{sum(p.department is not None for p in villages)} из "
                                                       f"{len(villages)}")
    table.add_row("дополнено из следующих источников", str(report.filled))
    console.print(table)
    if report.skipped_kinds:
        console.print("Пропущены (тип не населённый пункт): " +
                      ", ".join(f"{k or '—'}: {n}" for k, n in report.skipped_kinds.items()))
    if report.unmatched:
        console.print(f"Не сопоставлены с первым источником ({len(report.unmatched)}): " +
                      "; ".join(report.unmatched[:10]) + (" …" if len(report.unmatched) > 10 else ""))
    if report.centres_without_coordinates:
        console.print("[yellow]Центры отделов без координат:[/] " + ", ".join(report.centres_without_coordinates))
