"""Sign-in sessions kept on the server, and the throttle on failed sign-ins.

The cookie carries a random token; the file keeps only its SHA-256, the account, the expiry and
the session's CSRF token (the synchronizer-token pattern: every form and every htmx request
sends it back, and it must equal the one stored for the session). Signing out, removing an
account or changing its role or password ends its sessions at once.
"""
from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass

from web.localdb import LocalDb


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Session:
    token: str
    username: str
    csrf: str
    expires_at: float

    def csrf_ok(self, sent: str | None) -> bool:
        return bool(sent) and hmac.compare_digest(sent.encode("utf-8"), self.csrf.encode("utf-8"))


class Sessions:
    def __init__(self, db: LocalDb, hours: float):
        self.db = db
        self.seconds = hours * 3600

    def open(self, username: str, now: float) -> Session:
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE expires_at <= ?", (now,))
            conn.execute("INSERT INTO sessions (token_hash, username, csrf, created_at, expires_at)"
                         " VALUES (?, ?, ?, ?, ?)", (_digest(token), username, csrf, now, now + self.seconds))
        return Session(token, username, csrf, now + self.seconds)

    def find(self, token: str | None, now: float) -> Session | None:
        if not token:
            return None
        with self.db.cursor() as conn:
            row = conn.execute("SELECT username, csrf, expires_at FROM sessions WHERE token_hash = ?",
                               (_digest(token),)).fetchone()
        if row is None or row[2] <= now:
            return None
        return Session(token, row[0], row[1], row[2])

    def flash(self, token: str, message: str) -> None:
        """A one-line outcome to show on the next page (after an action's redirect)."""
        with self.db.transaction() as conn:
            conn.execute("UPDATE sessions SET flash = ? WHERE token_hash = ?", (message, _digest(token)))

    def pop_flash(self, token: str) -> str | None:
        with self.db.transaction() as conn:
            row = conn.execute("SELECT flash FROM sessions WHERE token_hash = ?", (_digest(token),)).fetchone()
            if row and row[0]:
                conn.execute("UPDATE sessions SET flash = NULL WHERE token_hash = ?", (_digest(token),))
        return row[0] if row else None

    def close(self, token: str | None) -> None:
        if token:
            with self.db.transaction() as conn:
                conn.execute("DELETE FROM sessions WHERE token_hash = ?", (_digest(token),))

    def close_all(self, username: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE username = ?", (username,))


class LoginThrottle:
    """At most ``attempts`` failed sign-ins per key (the login, the client address) within
    ``window`` seconds; kept in the file, so a restart does not reset it."""

    def __init__(self, db: LocalDb, attempts: int, window: float):
        self.db = db
        self.attempts = attempts
        self.window = window

    def wait(self, keys: list[str], now: float) -> int:
        """Seconds until another attempt is allowed for every key (0: allowed now)."""
        longest = 0.0
        with self.db.cursor() as conn:
            for key in keys:
                rows = conn.execute("SELECT at FROM login_failures WHERE key = ? AND at > ? ORDER BY at DESC",
                                    (key, now - self.window)).fetchall()
                if len(rows) >= self.attempts:
                    oldest_counted = rows[self.attempts - 1][0]
                    longest = max(longest, oldest_counted + self.window - now)
        return math.ceil(longest)

    def failed(self, keys: list[str], now: float) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM login_failures WHERE at <= ?", (now - self.window,))
            conn.executemany("INSERT INTO login_failures (key, at) VALUES (?, ?)", [(k, now) for k in keys])

    def succeeded(self, key: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM login_failures WHERE key = ?", (key,))
