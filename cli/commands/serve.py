"""``mcu serve``: every deployment of prefect.yaml from one process; ``mcu limits``: the API limits.

``mcu serve`` is the single-machine way to run the МЦУ on schedule: when no
``PREFECT_API_URL`` is set it starts a local Prefect server (UI on the same port),
writes the concurrency limits, and serves the deployments (``prefect.serve``): flow
runs start as child processes of this one. The cluster way (a work pool and workers)
is ``prefect deploy --all`` plus ``prefect worker start``; see deploy/README.md.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from cli.options import console, fail as _fail

LimitOption = typer.Option([], "--limit", "-l", help="Лимит одновременных задач по тегу API: vk=1, telegram=1, es=4 "
                                                      "(по умолчанию; также env MCU_LIMITS=vk=1,es=4).")


def register(app: typer.Typer) -> None:

    @app.command()
    def serve(
        only: list[str] = typer.Option([], "--only", help="Только эти развёртывания (можно несколько)."),
        limit: list[str] = LimitOption,
        prefect_file: Optional[Path] = typer.Option(None, "--file", show_default=False,
                                                    help="Файл развёртываний Prefect (по умолчанию prefect.yaml "
                                                         "в этой папке, иначе файл проекта)."),
        host: str = typer.Option("127.0.0.1", "--host", help="Адрес локального сервера Prefect."),
        port: int = typer.Option(4200, "--port", help="Порт локального сервера Prefect (и его веб-интерфейса)."),
        server: bool = typer.Option(True, "--server/--no-server",
                                    help="Запустить локальный сервер Prefect, если PREFECT_API_URL не задан."),
        runs: Optional[int] = typer.Option(None, "--runs", min=1, help="Сколько запусков одновременно."),
    ) -> None:
        """Запуск по расписанию: все развёртывания prefect.yaml в одном процессе.

        Сканирование в 07:00, наблюдение каждые 15 минут днём, реакции каждые 30 минут, сводка в 08:30,
        сезонные кампании по понедельникам. Без PREFECT_API_URL запускает локальный сервер Prefect."""
        from prefect.settings import PREFECT_API_URL, PREFECT_HOME, temporary_settings

        from flows.deployments import build_deployments, default_prefect_file, read_specs
        from flows.limits import apply_limits, wanted_limits
        from flows.server import PrefectServer, healthy
        from core.config import ConfigError, Environment

        prefect_file = prefect_file or default_prefect_file()
        try:
            specs = read_specs(prefect_file)
            limits = wanted_limits(limit, Environment.read().limits)
        except ConfigError as exc:
            raise _fail(str(exc)) from None
        root = prefect_file.resolve().parent  # file entry points (flows/x.py:f) are relative to it
        local = None
        api_url = PREFECT_API_URL.value()
        if not api_url:
            if not server:
                raise _fail("PREFECT_API_URL не задан, а --no-server запрещает запуск локального сервера")
            local = PrefectServer(Path(PREFECT_HOME.value()), host, port)
            if healthy(local.api_url):
                api_url = local.api_url
                local = None
                console.print(f"Сервер Prefect уже работает: {api_url}")
            else:
                console.print(f"Запуск локального сервера Prefect на http://{host}:{port} …")
                try:
                    api_url = local.start()
                except RuntimeError as exc:
                    raise _fail(str(exc)) from None
        try:
            with temporary_settings(updates={PREFECT_API_URL: api_url}):
                set_limits = apply_limits(limits)
                console.print("Лимиты одновременных задач: " + ", ".join(f"{k}={v}" for k, v in set_limits.items()))
                try:
                    deployments = build_deployments(specs, only, root)
                except ConfigError as exc:
                    raise _fail(str(exc)) from None
                _print_plan(console, specs, only)
                console.print(f"Веб-интерфейс: {api_url.removesuffix('/api')} · остановка: Ctrl+C")
                from prefect import serve as prefect_serve

                prefect_serve(*deployments, limit=runs, print_starting_message=False)
        finally:
            if local is not None:
                local.stop()

    @app.command()
    def limits(limit: list[str] = LimitOption) -> None:
        """Записать на сервер Prefect лимиты одновременных обращений к внешним API (теги vk, telegram, es)."""
        from prefect.settings import PREFECT_API_URL

        from flows.limits import apply_limits, wanted_limits
        from core.config import ConfigError, Environment

        try:
            wanted = wanted_limits(limit, Environment.read().limits)
        except ConfigError as exc:
            raise _fail(str(exc)) from None
        where = PREFECT_API_URL.value() or "временный локальный сервер (PREFECT_API_URL не задан)"
        applied = apply_limits(wanted)
        console.print(f"Лимиты на {where}: " + ", ".join(f"{k}={v}" for k, v in applied.items()))


def _print_plan(console, specs, only) -> None:
    from rich.table import Table

    table = Table(title="Развёртывания")
    for column in ("имя", "точка входа", "расписание (Europe/Moscow)"):
        table.add_column(column)
    for spec in specs:
        if only and spec.name not in only:
            continue
        when = ", ".join(s["cron"] + ("" if s.get("active", True) else " (выкл.)") for s in spec.schedules) or "—"
        table.add_row(spec.name, spec.entrypoint, when)
    console.print(table)
