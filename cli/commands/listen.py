"""``mcu listen`` (live Telegram listener) and ``mcu telegram login|status`` (the session)."""
from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import typer

from cli.options import ConfigOption, StoreOption, console, fail as _fail, load_settings as _settings

telegram_app = typer.Typer(help="Telegram: вход аккаунтом (один раз) и состояние сессии.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    @app.command()
    def listen(
        config: Optional[Path] = ConfigOption,
        store: Optional[str] = StoreOption,
        catch_up: bool = typer.Option(True, "--catch-up/--no-catch-up",
                                      help="Сначала дочитать чаты с их отметок (как mcu scan)."),
    ) -> None:
        """Слушать Telegram-чаты и каналы в реальном времени: новые сообщения сразу идут в анализ и алерты."""
        run_listen(config, store, catch_up)

    @telegram_app.command("login")
    def login(config: Optional[Path] = ConfigOption,
              listen: bool = typer.Option(False, "--listen", help="Сессия для mcu listen (второй вход тем же "
                                          "аккаунтом: слушатель работает одновременно со сканами).")) -> None:
        """Войти аккаунтом Telegram и сохранить файл сессии (нужно один раз)."""
        run_login(config, listen)

    @telegram_app.command("status")
    def status(config: Optional[Path] = ConfigOption) -> None:
        """Файл сессии, найденные чаты и паузы FloodWait (без обращения к Telegram)."""
        run_status(config)

    app.add_typer(telegram_app, name="telegram")


def run_listen(config: Path, store: str | None, catch_up: bool) -> None:
    from collectors.base import CollectorError
    from collectors.telegram.account import connect_account, install_account
    from collectors.telegram.listener import start_listener
    from core.config import ConfigError
    from pipeline.pipeline import Pipeline

    settings = _settings(config, store)
    sources = [s for s in settings.sources if s.platform == "telegram" and s.enabled]
    live = [s for s in sources if not s.replay]
    if not live:
        raise _fail(f"{config}: нет включённых Telegram-источников без replay: слушать нечего")
    try:
        account = connect_account(settings, receive_updates=True)
    except (ConfigError, CollectorError) as exc:
        raise _fail(str(exc)) from None
    install_account(settings, account)  # the catch-up scan uses the same connection
    pipeline = Pipeline.open(settings, console=console)
    try:
        listener, notes = start_listener(pipeline, account, live, report=_printer(console), catch_up=catch_up)
        for note in notes:
            console.print(f"  {note}", highlight=False)
        skipped = [s.key for s in sources if s.replay]
        if skipped:
            console.print(f"  записи (replay) не слушаются: {', '.join(skipped)}", highlight=False)
        if not listener.chats:
            raise _fail("ни один чат не удалось подключить, см. выше")
        console.print(f"[bold]Слушаем {len(listener.chats)} чат(ов).[/] Остановка: Ctrl+C", highlight=False)
        account.client.run_until_disconnected()
    except KeyboardInterrupt:
        console.print("Остановлено.")
    finally:
        pipeline.close()
        account.close()


def _printer(console):
    def report(outcome) -> None:
        stamp = datetime.now(timezone.utc).astimezone().strftime("%H:%M:%S")
        if outcome.problem:
            console.print(f"{stamp} {outcome.key} #{outcome.message_id}: [yellow]{outcome.problem}[/]",
                          highlight=False)
            return
        what = "новое" if outcome.new else ("изменено" if outcome.updated else "без изменений")
        alerts = f" · [bold red]алертов: {len(outcome.alerts)}[/]" if outcome.alerts else ""
        console.print(f"{stamp} {outcome.key} #{outcome.message_id}: {what}{alerts} ({outcome.seconds:.2f} с)",
                      highlight=False)

    return report


def run_login(config: Path, listen: bool = False) -> None:  # pragma: no cover - interactive, needs Telegram
    from collectors.telegram.account import credentials, make_client, session_path
    from core.config import ConfigError

    settings = _settings(config)
    try:
        api_id, api_hash = credentials()
        path = session_path(settings, listen=listen).resolve()
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    console.print(f"Файл сессии{' для mcu listen' if listen else ''}: [bold]{path}[/]", highlight=False)
    client = make_client(path, api_id, api_hash)
    try:
        client.start(phone=lambda: typer.prompt("Номер телефона аккаунта (+7…)"),
                     code_callback=lambda: typer.prompt("Код из Telegram"),
                     password=lambda: typer.prompt("Пароль двухэтапной проверки", hide_input=True))
        me = client.get_me()
        console.print(f"[green]Вход выполнен[/]: {me.first_name or ''} (@{me.username or '—'}).", highlight=False)
    finally:
        client.disconnect()
    os.chmod(path, 0o600)
    console.print("Сессия сохранена. Храните файл как пароль: он даёт вход в аккаунт.")


def run_status(config: Path) -> None:
    from rich.table import Table

    from collectors.telegram.account import session_path, telegram_settings
    from collectors.telegram.state import AccountState, state_path
    from core.config import ConfigError

    settings = _settings(config)
    try:
        path, listen_path = session_path(settings).resolve(), session_path(settings, listen=True).resolve()
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    tg = telegram_settings(settings)
    for label, file, command in (("Сессия сканов", path, "mcu telegram login"),
                                 ("Сессия mcu listen", listen_path, "mcu telegram login --listen")):
        there = "есть" if file.exists() else f"[red]нет[/], выполните {command}"
        console.print(f"{label}: {file} — {there}", highlight=False)
    console.print(f"Бюджет: {tg.requests_per_minute} запросов/мин, {tg.requests_per_run} за запуск; "
                  f"FloodWait до {tg.flood_sleep_max} с пережидаем", highlight=False)
    state = AccountState(state_path(path))
    table = Table(title="Telegram-источники")
    for column in ("ключ", "чат", "найден", "тип", "участников", "подписка"):
        table.add_column(column)
    for source in (s for s in settings.sources if s.platform == "telegram"):
        known = state.chat(source.chat)
        if source.replay:
            table.add_row(source.key, source.chat, "запись (replay)", "", "", "")
        elif known is None:
            table.add_row(source.key, source.chat, "ещё нет", "", "", "")
        elif hasattr(known, "reason"):
            table.add_row(source.key, source.chat, f"[red]{known.reason}[/]", "", "", "")
        else:
            table.add_row(source.key, source.chat, f"«{known.title}»", known.kind,
                          str(known.participants_count or "—"), "нет" if known.left else "да")
    console.print(table)
    now = datetime.now(timezone.utc).timestamp()
    for request, until in state.flood_until.items():
        if until > now:
            when = datetime.fromtimestamp(until, tz=timezone.utc).astimezone()
            console.print(f"Пауза FloodWait для {request} до {when:%d.%m %H:%M}", highlight=False)
