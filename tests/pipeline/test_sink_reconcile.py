"""A scan killed (SIGKILL, a real process) between recording an alert and handing it to the sinks:
the next scan gives the file and console sinks what they missed, once; so does ``mcu bot``'s
reconcile step."""
from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import yaml
from rich.console import Console
from typer.testing import CliRunner

from alerts.ledger import SinkLedger, ledger_path
from cli.app import app
from core.config import load_config
from core.domain import Alert
from pipeline.pipeline import Pipeline
from pipeline.run import run_scan
from store import open_store
from testing.configs import demo_config

ROOT = Path(__file__).resolve().parents[2]
KILLED_AFTER_RECORDING = textwrap.dedent("""
    import os, signal, sys
    from core.config import load_config
    from pipeline.pipeline import Pipeline
    from pipeline.run import run_scan

    pipeline = Pipeline.open(load_config(sys.argv[1]))
    record = pipeline.store.add_alert

    def add_alert(alert):
        added = record(alert)
        if added:
            os.kill(os.getpid(), signal.SIGKILL)  # recorded, not yet in any sink
        return added

    pipeline.store.add_alert = add_alert
    run_scan(pipeline)
""")


def with_console(data: dict) -> None:
    data["alerts"]["sinks"].append({"type": "console"})


def killed_scan(tmp_path: Path) -> tuple[Path, Alert]:
    config = demo_config(tmp_path, with_console)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", KILLED_AFTER_RECORDING, str(config)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == -9, done.stderr[-2000:]
    settings = load_config(config)
    with open_store(settings.store, str.split) as db:
        (recorded,) = db.list_alerts()
    assert not (tmp_path / "alerts.txt").exists()  # the file sink never got it
    assert recorded.risk_id not in done.stdout  # nor the console
    return config, recorded


def test_the_next_scan_delivers_to_the_file_and_console_sinks(tmp_path):
    config, alert = killed_scan(tmp_path)
    lost = alert.id
    shown = io.StringIO()
    pipeline = Pipeline.open(load_config(config), console=Console(file=shown, width=200))
    try:
        run_scan(pipeline)
    finally:
        pipeline.close()
    with open_store(load_config(config).store, str.split) as db:
        alerts = db.list_alerts()
    assert len(alerts) == 35
    text = (tmp_path / "alerts.txt").read_text(encoding="utf-8")
    for alert in alerts:  # every alert once in the file, the lost one included
        assert text.count(f"· алерт {alert.id}\n") == 1, alert.id
    assert text.index(f"· алерт {lost}\n") < min(text.index(f"· алерт {a.id}\n") for a in alerts if a.id != lost)
    assert shown.getvalue().count(f"Риск {alert.risk_id}") == 1  # the console card ends with the risk id
    with SinkLedger(ledger_path(load_config(config))) as ledger:
        assert ledger.has(f"file:{tmp_path / 'alerts.txt'}", lost) and ledger.has("console", lost)


def test_the_bots_reconcile_step_delivers_to_the_file_sink(tmp_path, monkeypatch):
    config, alert = killed_scan(tmp_path)
    monkeypatch.setenv("MCU_BOT_TOKEN", "123456789:TEST-fake-bot-token_abcdef")
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["alerts"]["sinks"].append({"type": "telegram", "chat_id": -100123, "api_server": "http://127.0.0.1:9"})
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(app, ["bot", "--once", "-c", str(config)], env={"COLUMNS": "200"})
    assert "Доставка прервана: Bot API недоступен" in result.output  # nothing listens at port 9
    text = (tmp_path / "alerts.txt").read_text(encoding="utf-8")
    assert text.count(f"· алерт {alert.id}\n") == 1
    assert result.output.count(f"Риск {alert.risk_id}") == 1
