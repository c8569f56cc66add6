"""The ``mcu`` command: a Typer app whose sub-commands live in ``cli/commands/``, one module
per area, each with ``register(app)``. Commands call the same plain functions the flows call.

Messages for МЦУ staff are in Russian.
"""
from __future__ import annotations

import logging

import typer

from cli.commands import register_all

app = typer.Typer(help="mcu-monitor: мониторинг информационных рисков для МЦУ.", no_args_is_help=True,
                  rich_markup_mode="rich")


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Подробный журнал.")) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


register_all(app)

if __name__ == "__main__":  # pragma: no cover
    app()
