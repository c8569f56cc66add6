"""Who is asking, and may they: the session cookie, roles and the CSRF check, as FastAPI
dependencies. A page without a valid session sends the browser to the sign-in page; a missing
role or a wrong CSRF token is refused with 403."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request

from web.accounts import Account
from web.context import WebContext
from web.sessions import Session

COOKIE = "mcu_session"
LOGIN_COOKIE = "mcu_login"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class NotSignedIn(Exception):
    """No valid session: the app answers with a redirect to /login (HX-Redirect for htmx)."""

    def __init__(self, next_url: str):
        self.next_url = next_url


def context(request: Request) -> WebContext:
    return request.app.state.ctx


@dataclass(frozen=True)
class Signed:
    account: Account
    session: Session


def signed_in(request: Request) -> Signed:
    ctx = context(request)
    session = ctx.sessions.find(request.cookies.get(COOKIE), ctx.epoch())
    account = ctx.accounts.get(session.username) if session else None
    if session is None or account is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise NotSignedIn(quote(target, safe="/"))
    request.state.signed = Signed(account, session)
    return request.state.signed


def require(role: str):
    """A dependency: the signed-in account, if it has ``role`` (or a higher one)."""

    def check(who: Signed = Depends(signed_in)) -> Signed:
        if not who.account.may(role):
            raise HTTPException(status_code=403, detail="Недостаточно прав для этого действия.")
        return who

    return check


async def csrf_checked(request: Request, who: Signed = Depends(signed_in)) -> Signed:
    """Every state-changing request carries the session's CSRF token (form field or header)."""
    sent = request.headers.get(CSRF_HEADER)
    if not sent and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        sent = (await request.form()).get(CSRF_FIELD)
    if not who.session.csrf_ok(sent if isinstance(sent, str) else None):
        raise HTTPException(status_code=403, detail="Форма устарела или пришла не со страницы МЦУ: "
                                                    "обновите страницу и повторите.")
    return who


def operator(who: Signed = Depends(csrf_checked)) -> Signed:
    """A state-changing request of someone who may act on risks."""
    if not who.account.may("operator"):
        raise HTTPException(status_code=403, detail="Действия с рисками доступны операторам и администраторам.")
    return who


def admin(who: Signed = Depends(csrf_checked)) -> Signed:
    if not who.account.may("admin"):
        raise HTTPException(status_code=403, detail="Учётными записями управляют администраторы.")
    return who


def secure_cookies(request: Request) -> bool:
    mode = context(request).settings.web.secure_cookies
    return mode == "always" or (mode == "auto" and request.url.scheme == "https")
