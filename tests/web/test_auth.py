"""Signing in and out: sessions, cookie flags, CSRF, the login throttle, redirects, headers."""
from __future__ import annotations

import html
import re
from urllib.parse import unquote

from tests.web.conftest import make_web


def test_pages_need_a_session(web):
    response = web.client.get("/risks?status=all", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/risks%3Fstatus%3Dall"
    htmx = web.client.get("/risks/table", headers={"HX-Request": "true"}, follow_redirects=False)
    assert htmx.status_code == 401 and htmx.headers["HX-Redirect"].startswith("/login?next=/risks/table")
    assert web.client.get("/map/data.json", follow_redirects=False).status_code == 303


def test_the_page_asked_for_is_reached_after_signing_in(web):
    target = web.client.get("/search?q=вода&department=laptevsky", follow_redirects=False).headers["location"]
    form = web.client.get(target).text
    value = re.search(r'name="next" value="([^"]+)"', form).group(1)
    assert unquote(html.unescape(value)) == "/search?q=вода&department=laptevsky"  # both parameters kept
    assert unquote(web.login("oper", next_url="/search?q=вода&department=laptevsky").headers["location"]) == \
        "/search?q=вода&department=laptevsky"


def test_sign_in_sets_a_strict_session_cookie_and_goes_where_asked(web):
    response = web.login("oper", next_url="/search?q=вода")
    assert response.status_code == 303 and unquote(response.headers["location"]) == "/search?q=вода"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("mcu_session=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http (no TLS): a Secure cookie would never come back
    page = web.client.get("/risks")
    assert page.status_code == 200 and "Оператор Иванова" in page.text


def test_cookies_are_secure_behind_tls(scanned_demo, tmp_path):
    web = make_web(scanned_demo, tmp_path, base_url="https://testserver")
    with web.client:
        login_page = web.client.get("/login")
        assert "Secure" in login_page.headers["set-cookie"]
        assert "Secure" in web.login("oper").headers["set-cookie"]


def test_wrong_password_and_unknown_login_get_the_same_answer(web):
    wrong = web.login("oper", "not-the-password")
    unknown = web.login("nobody", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert "Неверный логин или пароль" in wrong.text and "Неверный логин или пароль" in unknown.text
    assert "mcu_session" not in wrong.headers.get("set-cookie", "")


def test_login_form_needs_its_csrf_token(web):
    web.client.get("/login")
    response = web.client.post("/login", data={"username": "oper", "password": "operator-pass-1",
                                               "csrf_token": "forged"}, follow_redirects=False)
    assert response.status_code == 403 and "mcu_session" not in response.headers.get("set-cookie", "")


def test_failed_logins_are_throttled_per_login(web):
    for _ in range(5):
        assert web.login("oper", "wrong-password").status_code == 401
    blocked = web.login("oper")  # even the right password waits
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["Retry-After"]) <= 15 * 60
    assert "Повторите через 15 мин" in blocked.text
    web.clock.advance(minutes=15, seconds=1)
    assert web.login("oper").status_code == 303


def test_failed_logins_are_throttled_per_address(web):
    for name in ("a1", "a2", "a3", "a4", "a5"):
        web.login(name, "guessing-passwords")
    assert web.login("admin").status_code == 429  # another login, the same address


def test_sign_out_ends_the_session_on_the_server(as_operator):
    web = as_operator
    token = web.client.cookies.get("mcu_session")
    assert web.post("/logout").status_code == 303
    web.client.cookies.set("mcu_session", token)  # a stolen copy of the cookie is worthless now
    assert web.client.get("/risks", follow_redirects=False).status_code == 303


def test_sign_out_needs_the_csrf_token(as_operator):
    assert as_operator.post("/logout", csrf=None).status_code == 403
    assert as_operator.client.get("/risks").status_code == 200


def test_sessions_expire(as_operator):
    as_operator.clock.advance(hours=12, seconds=1)
    assert as_operator.client.get("/risks", follow_redirects=False).status_code == 303


def test_next_never_leaves_the_site(web):
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"):
        assert web.login("oper", next_url=target).headers["location"] == "/risks", target
        web.client.cookies.clear()


def test_security_headers(as_operator):
    response = as_operator.client.get("/risks")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "unsafe" not in policy
    assert response.headers["X-Frame-Options"] == "DENY" and response.headers["Cache-Control"] == "no-store"
    assert re.search(r'<script src="/static/vendor/htmx/htmx\.min\.js"', response.text)
    assert "cdn" not in response.text.lower()


def test_static_files_are_served_from_the_repository(web):
    htmx = web.client.get("/static/vendor/htmx/htmx.min.js")
    leaflet = web.client.get("/static/vendor/leaflet/leaflet.js")
    assert htmx.status_code == 200 and "htmx" in htmx.text[:2000]
    assert leaflet.status_code == 200 and "Leaflet" in leaflet.text[:2000]
