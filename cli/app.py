"""The ``mcu`` command: a Typer app whose sub-commands live in ``cli/commands/``, one module
per area, each with ``register(app)``. Commands call the same plain functions the flows call.

Messages for МЦУ staff are in Russian.
"""
from __future__ import annotations

import logging
import sys
import traceback

import typer

from cli import errors, i18n
from cli.commands import register_all
from cli.options import err, state

i18n.install()
app = typer.Typer(help="mcu-monitor: мониторинг информационных рисков для МЦУ.", no_args_is_help=True,
                  rich_markup_mode="rich", add_completion=False, pretty_exceptions_enable=False)


QUIET = ("elastic_transport", "elasticsearch", "urllib3", "httpx", "httpcore", "aiogram", "telethon", "prefect",
         "vk_api", "asyncio", "trafilatura")
"""Libraries whose warnings (often with tracebacks) only ``-v`` shows."""


@app.callback()
def configure(verbose: bool = typer.Option(False, "--verbose", "-v",
                                           help="Подробный журнал и трассировка ошибок.")) -> None:
    state.verbose = verbose
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.INFO if verbose else logging.CRITICAL)


register_all(app)


def main() -> None:
    """The ``mcu`` console script: an expected failure is one Russian line and a non-zero exit;
    the traceback appears only with ``-v``."""
    try:
        app()
    except Exception as exc:  # click's own errors never get here: it prints and exits itself
        if state.verbose:
            traceback.print_exc()
        err.print(f"[bold red]Ошибка:[/] {errors.explain(exc)}", highlight=False, markup=True)
        sys.exit(errors.exit_code(exc))
    except KeyboardInterrupt:
        err.print("Прервано.")
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()
