"""No secret leaks: the scan (a VK token the API refuses, an Elasticsearch password), the bot (a
token the Bot API refuses) and the Telegram login run with ``-v``; then every output, log and
file they wrote is searched for the test secrets."""
from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import yaml

from testing.configs import demo_config

ROOT = Path(__file__).resolve().parent.parent
SECRETS = {
    "MCU_VK_TOKEN": "vk1.a.SECRETvkTOKEN0123456789abcdef",
    "MCU_BOT_TOKEN": "123456789:SECRETbotTOKENabcdefghijklmnopqrs",
    "MCU_TG_API_HASH": "SECRETtgHASH0123456789abcdef0123",
    "MCU_TG_API_ID": "1234567",
    "MCU_ES_PASSWORD": "SECRETesPASSWORD42",
    "MCU_ES_USERNAME": "elastic",
    "MCU_PSEUDONYM_SALT": "SECRETsaltSALTsalt",
}


class Refusing(http.server.BaseHTTPRequestHandler):
    """A VK API and a Bot API that refuse every token (VK error 5, Telegram 401)."""

    def _answer(self) -> None:
        if self.path.startswith("/method/"):
            body = {"error": {"error_code": 5, "error_msg": "User authorization failed: invalid access_token"}}
            status = 200
        else:
            body = {"ok": False, "error_code": 401, "description": "Unauthorized"}
            status = 401
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


def test_no_secret_in_any_output_log_or_file(tmp_path):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Refusing)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_port}"

    def live(data: dict) -> None:
        data["sources"].append({"key": "live_vk", "platform": "vk", "name": "Живой паблик", "owner": "live_vk",
                                "api_url": url, "retries": 1})
        data["alerts"]["sinks"].append({"type": "telegram", "chat_id": -100123, "api_server": url})
        data["data_dir"] = str(tmp_path / "state")

    config = demo_config(tmp_path, live)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MCU_", "PREFECT_API_URL"))}
    env |= SECRETS | {"COLUMNS": "200", "PREFECT_HOME": str(tmp_path / "prefect")}
    outputs = []
    try:
        for args in (["-v", "scan", "-c", str(config)],
                     ["-v", "bot", "--once", "-c", str(config)],
                     ["-v", "index", "setup", "--store", f"elasticsearch://127.0.0.1:{httpd.server_port}"],
                     ["-v", "telegram", "status", "-c", str(config)]):
            done = subprocess.run([sys.executable, "-m", "cli", *args], cwd=tmp_path, env=env | {"PYTHONPATH": str(ROOT)},
                                  capture_output=True, text=True, timeout=300)
            outputs.append((args, done.stdout + done.stderr))
    finally:
        httpd.shutdown()
    scan_output = outputs[0][1]
    assert "live_vk" in scan_output and "MCU_VK_TOKEN" in scan_output  # the refusal is reported, by name only
    assert "Пестово Онлайн" in scan_output  # the other sources were scanned
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.suffix == ".sqlite" for p in files) and any("outbox" in p.name for p in files)
    for name, value in SECRETS.items():
        if name in ("MCU_TG_API_ID", "MCU_ES_USERNAME"):
            continue  # not secrets by themselves
        for args, text in outputs:
            assert value not in text, f"{name} printed by mcu {' '.join(args)}"
        for path in files:
            assert value.encode() not in path.read_bytes(), f"{name} written to {path}"
    settings_dump = yaml.safe_dump(yaml.safe_load(config.read_text(encoding="utf-8")))
    assert not any(value in settings_dump for value in SECRETS.values())
