"""The web workplace on the demo store: the demo scanned once per session, then a fresh copy of
the store (and of the web's own file) for every test, served through FastAPI's TestClient."""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from pipeline.wiring import load_settings
from web.accounts import Accounts
from web.localdb import LocalDb, web_db_path
from testing.configs import demo_config
from tests.pipeline.test_scan import scan

PASSWORDS = {"viewer": "viewer-pass-1", "oper": "operator-pass-1", "admin": "admin-pass-01"}
CHAT = -1001234567890


@pytest.fixture(scope="session")
def scanned_demo(tmp_path_factory) -> Path:
    """A folder with the demo config (the alert chat configured) and its scanned store."""
    folder = tmp_path_factory.mktemp("web-demo")

    def with_chat(data: dict) -> None:
        data["alerts"]["sinks"].append({"type": "telegram", "chat_id": CHAT})

    config = demo_config(folder, with_chat)
    scan(config)
    db = LocalDb(web_db_path(folder))  # hashing is slow on purpose (argon2): once per session
    accounts = Accounts(db)
    accounts.add("viewer", "Наблюдатель Петрова", "viewer", PASSWORDS["viewer"])
    accounts.add("oper", "Оператор Иванова", "operator", PASSWORDS["oper"])
    accounts.add("admin", "Администратор Смирнов", "admin", PASSWORDS["admin"])
    db.close()
    return folder


class Clock:
    """The app's clock; tests move it (the deadline of a risk, the login throttle window)."""

    def __init__(self, moment: datetime):
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta) -> None:
        self.moment += timedelta(**delta)


@dataclass
class Web:
    client: TestClient
    app: object
    config: Path
    clock: Clock

    @property
    def ctx(self):
        return self.app.state.ctx

    @property
    def store(self):
        return self.ctx.store

    def login(self, username: str, password: str | None = None, next_url: str = "/risks"):
        page = self.client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        return self.client.post("/login", data={"username": username, "password": password or PASSWORDS[username],
                                                "csrf_token": token, "next": next_url}, follow_redirects=False)

    def csrf(self, path: str = "/risks") -> str:
        return re.search(r'name="csrf_token" value="([^"]+)"', self.client.get(path).text).group(1)

    def post(self, path: str, data: dict | None = None, csrf: str | None = "auto", **kwargs):
        data = dict(data or {})
        if csrf == "auto":
            data["csrf_token"] = self.csrf()
        elif csrf is not None:
            data["csrf_token"] = csrf
        return self.client.post(path, data=data, follow_redirects=False, **kwargs)

    def first_risk(self, **where):
        risks = sorted(self.store.list_risks(), key=lambda r: r.number)
        return next(r for r in risks if all(getattr(r, k) == v for k, v in where.items()))


def make_web(folder: Path, tmp_path: Path, mutate=None, base_url: str = "http://testserver") -> Web:
    from web import create_app

    shutil.copy(folder / "mcu.sqlite", tmp_path / "mcu.sqlite")
    shutil.copy(web_db_path(folder), web_db_path(tmp_path))
    data = yaml.safe_load((folder / "mcu.yaml").read_text(encoding="utf-8"))
    data["store"] = f"sqlite:///{tmp_path / 'mcu.sqlite'}"
    if mutate:
        mutate(data)
    config = tmp_path / "mcu.yaml"
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    settings = load_settings(config)
    clock = Clock(datetime.now(timezone.utc).replace(microsecond=0))
    app = create_app(settings, now=clock, warm=False)
    return Web(TestClient(app, base_url=base_url), app, config, clock)


@pytest.fixture
def web(scanned_demo: Path, tmp_path: Path):
    made = make_web(scanned_demo, tmp_path)
    with made.client:
        yield made


@pytest.fixture
def as_operator(web: Web) -> Web:
    assert web.login("oper").status_code == 303
    return web


@pytest.fixture
def as_viewer(web: Web) -> Web:
    assert web.login("viewer").status_code == 303
    return web


@pytest.fixture
def as_admin(web: Web) -> Web:
    assert web.login("admin").status_code == 303
    return web
