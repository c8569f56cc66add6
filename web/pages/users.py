"""Accounts, for administrators: add, change the role, set a new password, remove. Accounts
from the config file are shown but change only there. A change ends the account's sessions."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from core.webconfig import WEB_ROLES
from web.accounts import ROLE_RU, AccountError
from web.guard import Signed, admin, context, require
from web.templating import page

router = APIRouter()


@router.get("/users")
def users_page(request: Request, who: Signed = Depends(require("admin"))):
    return page(request, "users.html", accounts=context(request).accounts.all(), roles=ROLE_RU)


def _done(request: Request, who: Signed, change, message: str) -> RedirectResponse:
    ctx = context(request)
    try:
        change(ctx.accounts)
    except AccountError as exc:
        message = f"Не выполнено: {exc}"
    ctx.sessions.flash(who.session.token, message)
    return RedirectResponse("/users", status_code=303)


def _not_self(who: Signed, username: str) -> None:
    if username == who.account.username:
        raise AccountError("свою учётную запись так менять нельзя: попросите другого администратора")


@router.post("/users")
def add_user(request: Request, username: str = Form(""), name: str = Form(""), role: str = Form("viewer"),
             password: str = Form(""), telegram_id: str = Form(""), who: Signed = Depends(admin)):
    def change(accounts):
        tg = telegram_id.strip()
        if tg and not tg.lstrip("-").isdigit():
            raise AccountError("Telegram id — это число (его показывает бот @userinfobot)")
        accounts.add(username.strip().lower(), name, role, password, int(tg) if tg else None)

    return _done(request, who, change, f"Учётная запись «{username.strip().lower()}» создана")


@router.post("/users/{username}/role")
def set_role(request: Request, username: str, role: str = Form(...), who: Signed = Depends(admin)):
    def change(accounts):
        _not_self(who, username)
        if role not in WEB_ROLES:
            raise AccountError(f"роли «{role}» нет")
        accounts.set_role(username, role)
        context(request).sessions.close_all(username)

    return _done(request, who, change, f"Роль «{username}»: {ROLE_RU.get(role, role)}")


@router.post("/users/{username}/password")
def set_password(request: Request, username: str, password: str = Form(""), who: Signed = Depends(admin)):
    def change(accounts):
        accounts.set_password(username, password)
        if username != who.account.username:
            context(request).sessions.close_all(username)

    return _done(request, who, change, f"Пароль «{username}» изменён")


@router.post("/users/{username}/delete")
def remove(request: Request, username: str, who: Signed = Depends(admin)):
    def change(accounts):
        _not_self(who, username)
        accounts.remove(username)
        context(request).sessions.close_all(username)

    return _done(request, who, change, f"Учётная запись «{username}» удалена")
