"""Russian for what the command-line framework prints: help screens, usage lines and usage errors.

Typer 0.29 carries its own copy of Click whose messages are plain f-strings (no gettext), and
its help panels are module constants. :func:`install` therefore sets the panel titles, wraps the
few methods that produce the remaining strings, and turns every usage error into a Russian
sentence (:func:`russian_error`). Names that are code stay as they are (``--config``,
``sources.1.platform``). A test runs every ``--help`` and the common errors and fails on
English prose (tests/cli/test_russian.py).
"""
from __future__ import annotations

import re

import typer.core
import typer.rich_utils as rich
from pydantic import ValidationError
from typer._click import core as click_core
from typer._click import decorators as click_decorators
from typer._click import exceptions as click_errors
from typer._click import formatting as click_formatting

from core import validation

USAGE = "Использование: "
PANELS = {
    "DEPRECATED_STRING": "(устарело) ",
    "DEFAULT_STRING": "[по умолчанию: {}]",
    "ENVVAR_STRING": "[переменная окружения: {}]",
    "REQUIRED_LONG_STRING": "[обязательно]",
    "ARGUMENTS_PANEL_TITLE": "Аргументы",
    "OPTIONS_PANEL_TITLE": "Параметры",
    "COMMANDS_PANEL_TITLE": "Команды",
    "ERRORS_PANEL_TITLE": "Ошибка",
    "ABORTED_TEXT": "Прервано.",
    "RICH_HELP": "Справка: [blue]{command_path} {help_option}[/]",
}
TYPE_LABELS = {
    "str": "текст", "int": "число", "float": "число", "bool": "", "path": "путь", "file": "файл",
    "directory": "папка", "datetime": "дата", "int range": "число", "float range": "число",
}
USAGE_PIECES = {"[OPTIONS]": "[ПАРАМЕТРЫ]", "COMMAND [ARGS]...": "КОМАНДА [АРГУМЕНТЫ]..."}
PARAM_KINDS = {"option": "параметр", "argument": "аргумент", "parameter": "параметр"}
HELP_TEXT = "Показать эту справку и выйти."
MESSAGES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Got unexpected extra argument(?:s|\(s\))? \((.*)\)$"), "лишние аргументы: {0}"),
    (re.compile(r"^Missing command\.$"), "не указана команда"),
    (re.compile(r"^No such command '(.*)'\.$"), "нет такой команды «{0}»"),
    (re.compile(r"^No such option: (.*)$"), "нет такого параметра: {0}"),
    (re.compile(r"^Option '(.*)' requires an argument\.$"), "параметру {0} нужно значение"),
    (re.compile(r"^Option '(.*)' requires (\d+) arguments\.$"), "параметру {0} нужно значений: {1}"),
    (re.compile(r"^Option '(.*)' does not take a value\.$"), "параметр {0} не принимает значения"),
    (re.compile(r"^'(.*)' is not one of (.*)\.$"), "«{0}» — недопустимое значение; допустимые: {1}"),
    (re.compile(r"^Value '?(.*?)'? is not a valid (\w+)\.$"), "«{0}» — недопустимое значение"),
    (re.compile(r"^Path '(.*)' does not exist\.$"), "путь «{0}» не существует"),
    (re.compile(r"^(?:File|Directory|Path) '(.*)' is a directory\.$"), "«{0}» — это папка, а нужен файл"),
    (re.compile(r"^(?:File|Directory|Path) '(.*)' is a file\.$"), "«{0}» — это файл, а нужна папка"),
]
_installed = False


def translate(message: str) -> str:
    """A framework message in Russian; anything unknown (our own Russian messages) as it is."""
    for pattern, template in MESSAGES:
        match = pattern.match(message.strip())
        if match:
            return template.format(*match.groups())
    return message


def _reason(error: click_errors.ClickException) -> str:
    cause = error.__cause__
    if isinstance(cause, ValidationError):
        return "; ".join(translate(validation.russian(e)) for e in cause.errors())
    if isinstance(cause, ValueError) and str(cause):
        return translate(str(cause))
    return translate(error.message)


def _hint(error: click_errors.BadParameter) -> str:
    hint = error.param_hint if error.param_hint is not None else (
        error.param.get_error_hint() if error.param is not None else None)
    if hint is None:
        return ""
    if isinstance(hint, (list, tuple)):
        hint = " / ".join(hint)
    return str(hint)


def russian_error(error: click_errors.ClickException) -> str:
    """The one sentence an error panel shows, in Russian."""
    if isinstance(error, click_errors.MissingParameter):
        kind = PARAM_KINDS.get(error.param_type or getattr(error.param, "param_type_name", ""), "параметр")
        return f"не указан {kind} {_hint(error)}".rstrip()
    if isinstance(error, click_errors.BadParameter):
        hint = _hint(error)
        return f"недопустимое значение {hint}: {_reason(error)}" if hint else f"недопустимое значение: {_reason(error)}"
    if isinstance(error, click_errors.NoSuchOption):
        text = translate(error.message)
        if error.possibilities:
            text += f" (возможно: {', '.join(sorted(error.possibilities))})"
        return text
    return translate(error.message)


def _rich_format_error(self: click_errors.ClickException) -> None:
    if self.__class__.__name__ == "NoArgsIsHelpError":
        return
    console = rich._get_rich_console(stderr=True)
    ctx = getattr(self, "ctx", None)
    if ctx is not None:
        console.print(rich.highlighter(ctx.get_usage()), style=rich.STYLE_USAGE_COMMAND)
        if ctx.command.get_help_option(ctx) is not None:
            console.print(rich.RICH_HELP.format(command_path=rich.escape(ctx.command_path),
                                                help_option=ctx.help_option_names[0]),
                          style=rich.STYLE_ERRORS_SUGGESTION)
    console.print(rich.Panel(rich.highlighter(russian_error(self)), border_style=rich.STYLE_ERRORS_PANEL_BORDER,
                             title=rich.ERRORS_PANEL_TITLE, title_align=rich.ALIGN_ERRORS_PANEL))


def install() -> None:
    """Make the framework speak Russian; idempotent, called when ``cli.app`` is imported."""
    global _installed
    if _installed:
        return
    _installed = True
    for name, text in PANELS.items():
        setattr(rich, name, text)
    rich.OptionHighlighter.highlights = [h.replace("Usage: ", USAGE) for h in rich.OptionHighlighter.highlights]
    rich.rich_format_error = _rich_format_error

    write_usage = click_formatting.HelpFormatter.write_usage

    def russian_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        write_usage(self, prog, args, USAGE if prefix is None else prefix)

    click_formatting.HelpFormatter.write_usage = russian_usage

    collect = click_core.Command.collect_usage_pieces

    def russian_pieces(self, ctx):
        return [USAGE_PIECES.get(piece, piece) for piece in collect(self, ctx)]

    click_core.Command.collect_usage_pieces = russian_pieces
    if hasattr(typer.core.TyperGroup, "collect_usage_pieces"):
        group_pieces = typer.core.TyperGroup.collect_usage_pieces
        typer.core.TyperGroup.collect_usage_pieces = lambda self, ctx: [
            USAGE_PIECES.get(piece, piece) for piece in group_pieces(self, ctx)]

    help_option = click_decorators.help_option

    def russian_help_option(param_decls):
        decorate = help_option(param_decls)

        def apply(command):
            decorate(command)
            command.params[-1].help = HELP_TEXT
            return command

        return apply

    click_decorators.help_option = russian_help_option

    for cls in (typer.core.TyperOption, typer.core.TyperArgument):
        display = cls.display_type

        def russian_type(self, ctx, _display=display):
            shown = _display(self, ctx)
            if not shown or not (shown.startswith("<") and shown.endswith(">")):
                return shown
            label = shown[1:-1]
            if label.startswith("list[") and label.endswith("]"):
                inner = TYPE_LABELS.get(label[5:-1], label[5:-1])
                return f"<список: {inner}>"
            translated = TYPE_LABELS.get(label, label)
            return f"<{translated}>" if translated else ""

        cls.display_type = russian_type
