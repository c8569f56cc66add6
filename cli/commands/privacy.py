"""``mcu privacy forget``: a person's request under 152-ФЗ — their posts and the posts that
mention them leave the store and its search index, and a record says it was done."""
from __future__ import annotations

import getpass
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import typer

from cli.options import ConfigOption, StoreOption, console, fail, load_settings


def register(app: typer.Typer) -> None:
    privacy_app = typer.Typer(help="Персональные данные (152-ФЗ): удаление по запросу.", no_args_is_help=True)
    privacy_app.command("forget")(forget)
    app.add_typer(privacy_app, name="privacy")


def forget(
    author: Optional[str] = typer.Option(None, "--author", help="Id автора на платформе (например, id во ВКонтакте)."),
    mention: list[str] = typer.Option([], "--mention", help="Упоминание: фамилия и имя, телефон, адрес "
                                                            "(можно несколько)."),
    yes: bool = typer.Option(False, "--yes", help="Удалить без вопроса."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Только посчитать, ничего не удалять."),
    who: Optional[str] = typer.Option(None, "--who", help="Кто выполняет запрос (по умолчанию пользователь ОС)."),
    config: Optional[Path] = ConfigOption,
    store: Optional[str] = StoreOption,
) -> None:
    """Удалить публикации человека и упоминания о нём из хранилища и поискового индекса; записать, что
    запрос выполнен."""
    from pipeline.privacy import find_posts, forget as forget_posts
    from pipeline.wiring import opened_store

    if not author and not any(m.strip() for m in mention):
        raise fail("укажите --author и/или --mention")
    settings = load_settings(config, store)
    actor = who or settings.environment.actor or f"{getpass.getuser()} (cli)"
    with opened_store(settings) as db:
        by_author, by_mention = find_posts(db, settings, author, mention)
        total = len(by_author | by_mention)
        console.print(f"Найдено публикаций: автора {len(by_author)}, с упоминанием {len(by_mention)}, всего {total}.",
                      markup=False, highlight=False)
        if dry_run or total == 0:
            return
        if not yes and not typer.confirm("Удалить их без возможности восстановления?"):
            raise typer.Exit(code=1)
        report = forget_posts(db, settings, author, mention, actor, datetime.now(timezone.utc))
    console.print(f"Удалено публикаций: {report.posts}; скрыто цитат (истории, карточки): {report.redacted}. "
                  f"Запись о выполнении: {report.record}", markup=False, highlight=False)
