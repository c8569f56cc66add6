"""``mcu web``: the web workplace for the МЦУ staff (risks, search, map, reports, sources)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from cli.options import ConfigOption, StoreOption, console, err, load_settings


def register(app: typer.Typer) -> None:
    app.command("web")(web)


def web(
    host: Optional[str] = typer.Option(None, "--host", help="Адрес (по умолчанию web.host конфигурации, 127.0.0.1)."),
    port: Optional[int] = typer.Option(None, "--port", "-p", min=1, max=65535,
                                       help="Порт (по умолчанию web.port конфигурации, 8080)."),
    config: Optional[Path] = ConfigOption,
    store: Optional[str] = StoreOption,
) -> None:
    """Веб-рабочее место МЦУ: риски и действия с ними, поиск, карта, отчёты, источники.

    Учётные записи: [cyan]mcu users add[/] или раздел web.users конфигурации. Для доступа
    из сети поставьте перед ним обратный прокси с TLS (см. docs/ru/web.md)."""
    import uvicorn

    from web import create_app
    from web.accounts import Accounts
    from web.localdb import LocalDb, web_db_path

    settings = load_settings(config, store)
    db = LocalDb(web_db_path(settings.data_dir))
    try:
        if not Accounts(db, settings.web.users).all():
            err.print("[yellow]Учётных записей нет:[/] создайте администратора: "
                      "mcu users add admin --name \"…\" --role admin", highlight=False)
    finally:
        db.close()
    host, port = host or settings.web.host, port or settings.web.port
    console.print(f"Рабочее место МЦУ: http://{host}:{port}/ (остановка: Ctrl+C)", highlight=False)
    uvicorn.run(create_app(settings), host=host, port=port, proxy_headers=True,
                forwarded_allow_ips=settings.web.forwarded_allow_ips, server_header=False, log_level="info")
