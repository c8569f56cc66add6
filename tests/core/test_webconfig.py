"""The ``web:`` section of the config: defaults, and bad values named by key."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from core.webconfig import WebSettings

HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"


def test_defaults_listen_on_loopback_without_tiles():
    web = WebSettings()
    assert (web.host, web.port, web.tiles, web.outline) == ("127.0.0.1", 8080, None, None)
    assert (web.session_hours, web.refresh_seconds, web.login_attempts, web.login_window_minutes) == (12, 20, 5, 15)


@pytest.mark.parametrize(("value", "where"), [
    ({"tiles": "https://tiles.example/tile.png"}, "tiles"),
    ({"port": 0}, "port"),
    ({"users": [{"username": "a", "name": "A", "password_hash": HASH}]}, "users.0.username"),
    ({"users": [{"username": "anna", "name": "A", "password_hash": "plain-password"}]}, "users.0.password_hash"),
    ({"users": [{"username": "anna", "name": "A", "role": "boss", "password_hash": HASH}]}, "users.0.role"),
    ({"secure_cookies": "sometimes"}, "secure_cookies"),
    ({"deadlines": {"critical": 2}}, "deadlines"),  # deadlines are the config's sla: section
])
def test_bad_values_are_refused_by_key(value, where):
    with pytest.raises(ValidationError) as caught:
        WebSettings.model_validate(value)
    assert where in ".".join(str(p) for p in caught.value.errors()[0]["loc"]) or where in str(caught.value)


def test_a_login_is_configured_once():
    user = {"username": "anna", "name": "Анна", "password_hash": HASH}
    with pytest.raises(ValidationError, match="repeated: anna"):
        WebSettings.model_validate({"users": [user, user]})
    assert WebSettings.model_validate({"users": [user]}).users[0].role == "viewer"
