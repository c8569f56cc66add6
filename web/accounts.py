"""Who may use the web workplace: accounts from the config (read-only) and local ones kept by
``mcu users`` or an admin in the web, with argon2 password hashes and three roles.

An account may carry the person's Telegram id: the web then records actions under the same
name the alert chat's bot uses for that member (``Имя (tg:123)``), so one person is one name.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.text import clean
from core.webconfig import WEB_ROLES, WebAccount
from web.localdb import LocalDb

ROLE_RU = {"viewer": "просмотр", "operator": "оператор", "admin": "администратор"}
USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,31}$")
MIN_PASSWORD = 10
_ACTOR = re.compile(r"\((tg|web):([^)\s]+)\)\s*$")
_hasher = PasswordHasher()
_DUMMY = _hasher.hash("not a password of anyone")


class AccountError(ValueError):
    """A refused change to the accounts; the message is Russian, for the person who asked."""


@dataclass(frozen=True)
class Account:
    username: str
    name: str
    role: str
    telegram_id: int | None = None
    origin: str = "local"
    """«config» (from the config file, changed only there) or «local»."""

    @property
    def actor(self) -> str:
        """The name recorded in risk histories; the bot writes ``Имя (tg:id)`` for chat members."""
        return f"{self.name} (tg:{self.telegram_id})" if self.telegram_id else f"{self.name} (web:{self.username})"

    def may(self, role: str) -> bool:
        return WEB_ROLES.index(self.role) >= WEB_ROLES.index(role)

    @property
    def role_ru(self) -> str:
        return ROLE_RU[self.role]


def hash_password(password: str) -> str:
    check_password(password)
    return _hasher.hash(password)


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"пароль короче {MIN_PASSWORD} символов")


def check_fields(username: str, name: str, role: str) -> None:
    if not USERNAME.match(username):
        raise AccountError(f"логин «{clean(username)}»: латинские строчные буквы, цифры, «_», «.», «-», "
                           "от 2 до 32 символов")
    if not clean(name).strip():
        raise AccountError("нужно имя, которое увидят в истории рисков")
    if role not in WEB_ROLES:
        raise AccountError(f"роль «{clean(role)}» не существует: {', '.join(WEB_ROLES)}")


class Accounts:
    def __init__(self, db: LocalDb, configured: list[WebAccount] = ()):
        self.db = db
        self.configured = {a.username: a for a in configured}

    # reading ---------------------------------------------------------------------------
    def get(self, username: str) -> Account | None:
        found = self.configured.get(username)
        if found is not None:
            return Account(found.username, found.name, found.role, found.telegram_id, "config")
        with self.db.cursor() as conn:
            row = conn.execute("SELECT username, name, role, telegram_id FROM accounts WHERE username = ?",
                               (username,)).fetchone()
        return Account(*row) if row else None

    def all(self) -> list[Account]:
        with self.db.cursor() as conn:
            rows = conn.execute("SELECT username, name, role, telegram_id FROM accounts").fetchall()
        local = [Account(*row) for row in rows if row[0] not in self.configured]
        config = [Account(a.username, a.name, a.role, a.telegram_id, "config") for a in self.configured.values()]
        return sorted(config + local, key=lambda a: a.username)

    def display_name(self, actor: str) -> str:
        """The account's name for an actor recorded by the web (``web:login``) or by the chat bot
        (``tg:id``) when that person has an account; else the actor as recorded."""
        match = _ACTOR.search(actor or "")
        if match:
            kind, key = match.groups()
            for account in self.all():
                if (kind == "web" and account.username == key) or (kind == "tg" and str(account.telegram_id) == key):
                    return account.name
        return actor

    # signing in ------------------------------------------------------------------------
    def verify(self, username: str, password: str) -> Account | None:
        """The account when the password is right. An unknown login costs the same time as a
        wrong password, so the answer does not tell which logins exist."""
        stored = self._hash_of(username)
        try:
            _hasher.verify(stored or _DUMMY, password)
        except (VerificationError, InvalidHashError):
            return None
        if stored is None:
            return None
        if username not in self.configured and _hasher.check_needs_rehash(stored):
            self._set_hash(username, _hasher.hash(password))
        return self.get(username)

    def _hash_of(self, username: str) -> str | None:
        if username in self.configured:
            return self.configured[username].password_hash
        with self.db.cursor() as conn:
            row = conn.execute("SELECT password_hash FROM accounts WHERE username = ?", (username,)).fetchone()
        return row[0] if row else None

    # changing (local accounts only) ------------------------------------------------------
    def add(self, username: str, name: str, role: str, password: str, telegram_id: int | None = None) -> Account:
        check_fields(username, name, role)
        if self.get(username) is not None:
            raise AccountError(f"логин «{username}» уже занят")
        password_hash = hash_password(password)
        with self.db.transaction() as conn:
            conn.execute("INSERT INTO accounts (username, name, role, telegram_id, password_hash, created_at)"
                         " VALUES (?, ?, ?, ?, ?, ?)", (username, clean(name).strip(), role, telegram_id,
                                                       password_hash, datetime.now(timezone.utc).isoformat()))
        return self.get(username)

    def set_role(self, username: str, role: str) -> Account:
        self._local(username)
        check_fields(username, "-", role)
        with self.db.transaction() as conn:
            conn.execute("UPDATE accounts SET role = ? WHERE username = ?", (role, username))
        return self.get(username)

    def set_password(self, username: str, password: str) -> None:
        self._local(username)
        self._set_hash(username, hash_password(password))

    def remove(self, username: str) -> None:
        self._local(username)
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM accounts WHERE username = ?", (username,))

    def admins(self) -> list[Account]:
        return [a for a in self.all() if a.role == "admin"]

    def _set_hash(self, username: str, password_hash: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("UPDATE accounts SET password_hash = ? WHERE username = ?", (password_hash, username))

    def _local(self, username: str) -> None:
        if username in self.configured:
            raise AccountError(f"учётная запись «{username}» задана в конфигурации: меняется только там")
        if self.get(username) is None:
            raise AccountError(f"учётной записи «{clean(username)}» нет")
