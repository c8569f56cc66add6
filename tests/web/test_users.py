"""Accounts: the admin page, ``mcu users``, config accounts, argon2 hashes."""
from __future__ import annotations

import sqlite3

from typer.testing import CliRunner

from cli.app import app
from web.accounts import AccountError, Accounts, hash_password
from web.localdb import LocalDb, web_db_path
from tests.web.conftest import make_web


def test_only_admins_manage_users(as_operator):
    web = as_operator
    assert web.client.get("/users").status_code == 403
    assert web.post("/users", {"username": "x1", "name": "X", "role": "admin", "password": "long-password-1"}).status_code == 403
    assert web.ctx.accounts.get("x1") is None
    assert 'href="/users"' not in web.client.get("/risks").text


def test_admin_adds_changes_and_removes_an_account(as_admin):
    web = as_admin
    web.post("/users", {"username": "duty", "name": "Дежурный оператор", "role": "viewer", "password": "duty-password-1",
                        "telegram_id": "777001"})
    duty = web.ctx.accounts.get("duty")
    assert (duty.name, duty.role, duty.telegram_id) == ("Дежурный оператор", "viewer", 777001)
    assert "Учётная запись «duty» создана" in web.client.get("/users").text
    web.post("/users/duty/role", {"role": "operator"})
    assert web.ctx.accounts.get("duty").role == "operator"
    web.post("/users/duty/password", {"password": "another-password-2"})
    assert web.ctx.accounts.verify("duty", "another-password-2") is not None
    assert web.ctx.accounts.verify("duty", "duty-password-1") is None
    web.post("/users/duty/delete")
    assert web.ctx.accounts.get("duty") is None


def test_admin_changes_are_checked(as_admin):
    web = as_admin
    web.post("/users", {"username": "Bad Name", "name": "X", "role": "viewer", "password": "long-password-1"})
    assert "Не выполнено: логин «bad name»" in web.client.get("/users").text
    web.post("/users", {"username": "short", "name": "X", "role": "viewer", "password": "short"})
    assert "Не выполнено: пароль короче 10 символов" in web.client.get("/users").text
    web.post("/users/admin/delete")
    assert web.ctx.accounts.get("admin") is not None  # not oneself
    web.post("/users", {"username": "oper", "name": "X", "role": "admin", "password": "long-password-1"})
    assert web.ctx.accounts.get("oper").role == "operator"  # taken logins stay as they are


def test_a_role_change_ends_the_persons_sessions(scanned_demo, tmp_path):
    web = make_web(scanned_demo, tmp_path)
    with web.client:
        web.login("oper")
        operator_cookie = web.client.cookies.get("mcu_session")
        web.client.cookies.clear()
        web.login("admin")
        web.post("/users/oper/role", {"role": "viewer"})
        web.client.cookies.set("mcu_session", operator_cookie)
        assert web.client.get("/risks", follow_redirects=False).status_code == 303


def test_config_accounts_sign_in_and_are_read_only(scanned_demo, tmp_path):
    hashed = hash_password("config-pass-1")

    def configure(data):
        data["web"] = {"users": [{"username": "head", "name": "Руководитель МЦУ", "role": "operator",
                                  "telegram_id": 4242, "password_hash": hashed}]}

    web = make_web(scanned_demo, tmp_path, configure)
    with web.client:
        assert web.login("head", "config-pass-1").status_code == 303
        assert web.ctx.accounts.get("head").actor == "Руководитель МЦУ (tg:4242)"
        web.client.cookies.clear()
        web.login("admin")
        assert "меняется в файле конфигурации" in web.client.get("/users").text
        web.post("/users/head/delete")
        assert web.ctx.accounts.get("head") is not None


def test_passwords_are_stored_as_argon2_hashes(tmp_path):
    db = LocalDb(web_db_path(tmp_path))
    accounts = Accounts(db)
    accounts.add("anna", "Анна", "operator", "secret-password-1")
    stored = sqlite3.connect(db.path).execute("SELECT password_hash FROM accounts").fetchone()[0]
    assert stored.startswith("$argon2id$") and "secret-password-1" not in stored
    assert (db.path.stat().st_mode & 0o777) == 0o600
    assert accounts.verify("anna", "secret-password-1").name == "Анна"
    assert accounts.verify("anna", "Secret-password-1") is None
    try:
        accounts.add("anna", "Анна 2", "viewer", "secret-password-2")
    except AccountError as exc:
        assert "уже занят" in str(exc)
    else:
        raise AssertionError("a taken login was accepted")


def test_mcu_users_commands(scanned_demo, tmp_path):
    web = make_web(scanned_demo, tmp_path)
    runner = CliRunner()
    config = str(web.config)
    added = runner.invoke(app, ["users", "add", "duty", "--name", "Дежурный", "--role", "operator", "--telegram-id",
                                "9001", "--password-stdin", "-c", config], input="duty-password-1\n")
    assert added.exit_code == 0, added.output
    listed = runner.invoke(app, ["users", "list", "-c", config])
    assert "duty" in listed.output and "Дежурный" in listed.output and "9001" in listed.output
    assert runner.invoke(app, ["users", "role", "duty", "viewer", "-c", config]).exit_code == 0
    bad = runner.invoke(app, ["users", "role", "duty", "boss", "-c", config])
    assert bad.exit_code == 2 and "роль «boss» не существует" in bad.output
    web.ctx.db.close()
    accounts = Accounts(LocalDb(web_db_path(tmp_path)))
    assert accounts.get("duty").role == "viewer" and accounts.verify("duty", "duty-password-1")
    assert runner.invoke(app, ["users", "remove", "duty", "-c", config]).exit_code == 0
    assert accounts.get("duty") is None
    hashed = runner.invoke(app, ["users", "hash", "--password-stdin"], input="config-pass-1\n")
    assert hashed.output.startswith("$argon2id$")
    short = runner.invoke(app, ["users", "hash", "--password-stdin"], input="short\n")
    assert short.exit_code == 2


def test_mcu_web_help():
    result = CliRunner().invoke(app, ["web", "--help"])
    assert result.exit_code == 0 and "--host" in result.output and "--port" in result.output
