"""Signing in and out. Failed sign-ins are throttled per login and per client address; the login
form carries its own CSRF token (a double-submit cookie), since there is no session yet."""
from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from web.guard import COOKIE, CSRF_FIELD, LOGIN_COOKIE, Signed, context, csrf_checked, secure_cookies
from web.templating import page

router = APIRouter()


def safe_next(target: str | None) -> str:
    """Only a path of this site: never an absolute or protocol-relative URL (open redirect)."""
    target = target or "/risks"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/risks"
    return target


def login_page(request: Request, next_url: str, error: str | None = None, status_code: int = 200,
               username: str = ""):
    token = secrets.token_urlsafe(24)
    response = page(request, "login.html", status_code=status_code, take_flash=False, next_url=safe_next(next_url),
                    error=error, login_token=token, username=username)
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=secure_cookies(request),
                        max_age=3600, path="/login")
    return response


@router.get("/login")
def login_form(request: Request, next: str = "/risks"):
    return login_page(request, next)


@router.post("/login")
def login(request: Request, username: str = Form(""), password: str = Form(""), next: str = Form("/risks"),
          csrf_token: str = Form("", alias=CSRF_FIELD)):
    ctx = context(request)
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    if not cookie or not secrets.compare_digest(cookie, csrf_token):
        return login_page(request, next, "Форма входа устарела: попробуйте ещё раз.", 403, username)
    username = username.strip().lower()
    now = ctx.epoch()
    address = request.client.host if request.client else "unknown"
    keys = [f"user:{username}", f"ip:{address}"]
    wait = ctx.throttle.wait(keys, now)
    if wait:
        minutes = max(1, round(wait / 60))
        raise HTTPException(status_code=429, headers={"Retry-After": str(wait)},
                            detail=f"Слишком много неудачных попыток входа. Повторите через {minutes} мин.")
    account = ctx.accounts.verify(username, password)
    if account is None:
        ctx.throttle.failed(keys, now)
        return login_page(request, next, "Неверный логин или пароль.", 401, username)
    ctx.throttle.succeeded(f"user:{username}")
    session = ctx.sessions.open(account.username, now)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(COOKIE, session.token, httponly=True, samesite="lax", secure=secure_cookies(request),
                        max_age=int(ctx.sessions.seconds), path="/")
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, who: Signed = Depends(csrf_checked)):
    context(request).sessions.close(who.session.token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response
