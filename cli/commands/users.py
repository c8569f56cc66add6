"""``mcu users …``: accounts of the web workplace (kept in the data folder; the config's
``web.users`` are read-only here). Passwords are read without echo, or from standard input."""
from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

import typer
from rich.table import Table

from cli.options import ConfigOption, console, fail, load_settings
from core.webconfig import WEB_ROLES

ROLE_HELP = f"Роль: {', '.join(WEB_ROLES)} (просмотр; действия с рисками; пользователи)."


@contextmanager
def accounts_of(config: Optional[Path]) -> Iterator:
    from web.accounts import Accounts
    from web.localdb import LocalDb, web_db_path

    settings = load_settings(config)
    db = LocalDb(web_db_path(settings.data_dir))
    try:
        yield Accounts(db, settings.web.users)
    finally:
        db.close()


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return typer.prompt("Пароль", hide_input=True, confirmation_prompt="Пароль ещё раз")


def register(app: typer.Typer) -> None:
    users = typer.Typer(help="Учётные записи веб-рабочего места.", no_args_is_help=True)
    app.add_typer(users, name="users")
    Login = typer.Argument(..., help="Логин: латинские строчные буквы, цифры, «_», «.», «-».")
    Stdin = typer.Option(False, "--password-stdin", help="Прочитать пароль из стандартного ввода (для скриптов).")

    def run(change) -> None:
        from web.accounts import AccountError

        try:
            change()
        except AccountError as exc:
            raise fail(str(exc)) from None

    @users.command("add")
    def add(login: str = Login, name: str = typer.Option(..., "--name", "-n", help="Имя для истории рисков."),
            role: str = typer.Option("viewer", "--role", "-r", help=ROLE_HELP),
            telegram_id: Optional[int] = typer.Option(None, "--telegram-id",
                                                      help="Telegram id участника алерт-чата (одно имя везде)."),
            password_stdin: bool = Stdin, config: Optional[Path] = ConfigOption) -> None:
        """Создать учётную запись."""
        with accounts_of(config) as accounts:
            run(lambda: accounts.add(login, name, role, read_password(password_stdin), telegram_id))
        console.print(f"[green]✓[/] {login}: {role}", highlight=False)

    @users.command("list")
    def list_(config: Optional[Path] = ConfigOption) -> None:
        """Учётные записи и их роли."""
        with accounts_of(config) as accounts:
            found = accounts.all()
        if not found:
            console.print("Учётных записей нет: mcu users add LOGIN --name … --role admin")
            return
        table = Table(title=f"Учётные записи: {len(found)}")
        for column in ("логин", "имя", "роль", "telegram", "где задана"):
            table.add_column(column)
        for a in found:
            table.add_row(a.username, a.name, a.role, str(a.telegram_id or "—"),
                          "конфигурация" if a.origin == "config" else "локально")
        console.print(table)

    @users.command("role")
    def role(login: str = Login, new_role: str = typer.Argument(..., metavar="ROLE", help=ROLE_HELP),
             config: Optional[Path] = ConfigOption) -> None:
        """Сменить роль (сеансы пользователя завершаются)."""
        with accounts_of(config) as accounts:
            run(lambda: (accounts.set_role(login, new_role), _end_sessions(accounts, login)))
        console.print(f"[green]✓[/] {login}: {new_role}", highlight=False)

    @users.command("passwd")
    def passwd(login: str = Login, password_stdin: bool = Stdin, config: Optional[Path] = ConfigOption) -> None:
        """Задать новый пароль (сеансы пользователя завершаются)."""
        with accounts_of(config) as accounts:
            run(lambda: (accounts.set_password(login, read_password(password_stdin)), _end_sessions(accounts, login)))
        console.print(f"[green]✓[/] пароль {login} изменён", highlight=False)

    @users.command("remove")
    def remove(login: str = Login, config: Optional[Path] = ConfigOption) -> None:
        """Удалить учётную запись."""
        with accounts_of(config) as accounts:
            run(lambda: (accounts.remove(login), _end_sessions(accounts, login)))
        console.print(f"[green]✓[/] {login} удалён", highlight=False)

    @users.command("hash")
    def hash_(password_stdin: bool = Stdin) -> None:
        """Хеш пароля (argon2) для раздела web.users конфигурации."""
        from web.accounts import AccountError, hash_password

        try:
            print(hash_password(read_password(password_stdin)))
        except AccountError as exc:
            raise fail(str(exc)) from None



def _end_sessions(accounts, login: str) -> None:
    from web.sessions import Sessions

    Sessions(accounts.db, 1).close_all(login)
