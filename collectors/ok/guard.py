"""What OK API errors mean for a scan, applied around any ``OkClient`` (codes: apiok.ru, «Коды ошибок»).

- 1 UNKNOWN, 2 SERVICE, 6 FLOOD_BLOCKED, 9999 SYSTEM, and HTTP 5xx/429 or no answer: back off and
  try again (tenacity, exponential); after the last try the source waits for the next scan
  (``SourceUnavailable``, transient).
- 9 LIMIT_REACHED and 16 TOTAL_LIMIT_REACHED (the method's or the application's daily limit):
  the method is blocked in the daily budget and the source stops until the next day (``OkStop``).
- 101 PARAM_API_KEY, 102 PARAM_SESSION_EXPIRED, 103 PARAM_SESSION_KEY, 104 PARAM_SIGNATURE,
  210 PARAM_APPLICATION_DISABLED, 7 IP_BLOCKED, 200 PARAM_PERMISSION: ``OkStop``, the source stops
  with what to fix (a key, the token, the application's permissions).
- 8 PERMISSION_DENIED, 300 NOT_FOUND, 455 (group closed) and 5 ACTION_BLOCKED: ``OkSkip``; the
  object (a group, a topic's comments) is skipped and reported once.
- anything else (100 PARAM …) is a fault of the request: a ``CollectorError`` naming the method.
The daily budget is charged before each call; an exhausted budget is an ``OkStop``.
"""
from __future__ import annotations

from typing import Any

from collectors.base import CollectorError, SourceUnavailable, retrying
from collectors.ok.client import OkApiError, OkClient, OkNetworkError
from collectors.vk.limits import BudgetExhausted, DailyBudget

RETRY_CODES = {1, 2, 6, 9999}
LIMIT_CODES = {9, 16}
SKIP_RU = {8: "доступ запрещён", 300: "не найдено (удалено)", 455: "группа закрыта",
           5: "действие временно заблокировано"}
STOP_RU = {101: "ключ приложения (application_key) неверен", 102: "срок действия токена истёк",
           103: "токен недействителен", 104: "подпись запроса неверна: проверьте секретный ключ приложения",
           210: "приложение отключено в Одноклассниках", 7: "Одноклассники заблокировали запросы с этого IP-адреса",
           200: "приложению не выдано право на чтение групп (GROUP_CONTENT)"}


class OkStop(CollectorError):
    """This source cannot go on today or until someone acts (keys, token, permissions, limits)."""


class OkSkip(Exception):
    """The object is inaccessible (8, 300, 455, 5); skip it and report once."""

    def __init__(self, code: int, message: str):
        super().__init__(f"{SKIP_RU.get(code, 'недоступно')} (код {code}: {message})")
        self.code = code


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, OkApiError):
        return exc.code in RETRY_CODES
    return isinstance(exc, OkNetworkError) and exc.transient


class GuardedOkClient:
    """An ``OkClient`` with the daily budget, back-off and the meaning of errors; same interface."""

    def __init__(self, client: OkClient, source, budget: DailyBudget | None = None):
        self.client, self.source, self.budget = client, source, budget
        self.key = source.key

    def call(self, method: str, **params: Any) -> Any:
        self._charge(method)
        try:
            for attempt in retrying(self.source.retries, self.source.backoff, _transient):
                with attempt:
                    return self.client.call(method, **params)
        except (OkApiError, OkNetworkError) as exc:
            raise self._meaning(exc, method) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        close = getattr(self.client, "close", None)
        if close is not None:
            close()

    def _charge(self, method: str) -> None:
        if self.budget is None:
            return
        try:
            self.budget.charge(method)
        except BudgetExhausted as exc:
            raise OkStop(f"{self.key}: дневной бюджет вызовов {exc.method} исчерпан ({exc.limit} в сутки "
                         f"на токен); источник остановлен до следующих суток") from None

    def _meaning(self, exc: Exception, method: str) -> Exception:
        attempts = self.source.retries
        if isinstance(exc, OkNetworkError):
            if exc.transient:
                return SourceUnavailable(f"{self.key}: API Одноклассников недоступен после {attempts} попыток: {exc}")
            return CollectorError(f"{self.key}: API Одноклассников отвечает ошибкой ({exc}); проверьте api_url")
        assert isinstance(exc, OkApiError)
        code = exc.code
        if code in RETRY_CODES:
            return SourceUnavailable(f"{self.key}: Одноклассники ограничивают запросы или недоступны (код {code}) "
                                     f"и после {attempts} попыток; повтор при следующем сканировании")
        if code in LIMIT_CODES:
            if self.budget is not None:
                self.budget.block(method)
            return OkStop(f"{self.key}: Одноклассники сообщили, что лимит вызовов {method} исчерпан (код {code}); "
                          f"источник остановлен до следующих суток")
        if code in STOP_RU:
            fix = {101: self.source.application_key_env, 104: self.source.secret_key_env}.get(
                code, self.source.token_env)
            where = f"; задайте верное значение в переменной окружения {fix}" if code in (101, 102, 103, 104) else ""
            return OkStop(f"{self.key}: {STOP_RU[code]} (код {code}: {exc.ok_message}){where}")
        if code in SKIP_RU:
            return OkSkip(code, exc.ok_message)
        return CollectorError(f"{self.key}: {method}: {exc}")
