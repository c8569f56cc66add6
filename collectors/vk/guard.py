"""What VK errors mean for a scan, applied around any ``VkClient``.

- 6, 9, 29 (too many requests, flood control, rate limit): back off and try again
  (tenacity, exponential); after the last try, 6 and 9 give up for this scan
  (``SourceUnavailable``, transient) and 29 blocks the method for the day.
- 5 (bad token) and 14 (captcha): ``VkStop``, the source stops with a clear message.
- 15, 18, 30 (access denied, deleted or banned, private): ``VkSkip``; the collector
  skips the object and reports it once. So are 27 and 28 (a method that needs another
  kind of token, e.g. ``newsfeed.search`` with a service key): the wall goes on.
- The daily budget is charged before each call; an exhausted budget is a ``VkStop``.
"""
from __future__ import annotations

import logging
from typing import Any

from collectors.base import CollectorError, SourceUnavailable, retrying
from collectors.vk.client import Call, VkApiError, VkClient, VkNetworkError
from collectors.vk.limits import BudgetExhausted, DailyBudget

log = logging.getLogger(__name__)

RETRY_CODES = {6, 9, 29}
SKIP_CODES = {15, 18, 30}
EXECUTE_LIMIT = 25  # API calls per execute request
TOKEN_KIND_CODES = {27, 28}  # the method needs another kind of token (newsfeed.search: a user token)
SKIP_RU = {15: "доступ запрещён", 18: "страница удалена или заблокирована", 30: "профиль или сообщество закрыто",
           27: "метод недоступен с ключом сообщества: нужен ключ доступа пользователя",
           28: "метод недоступен с сервисным ключом: нужен ключ доступа пользователя"}


class VkStop(CollectorError):
    """This source cannot go on today or until someone acts (token, captcha, budget)."""


class VkSkip(Exception):
    """The object is inaccessible (15, 18, 30); skip it and report once."""

    def __init__(self, code: int, message: str):
        super().__init__(f"{SKIP_RU.get(code, 'недоступно')} (код {code}: {message})")
        self.code = code


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, VkApiError):
        return exc.code in RETRY_CODES
    return isinstance(exc, VkNetworkError) and exc.transient


class GuardedClient:
    """A ``VkClient`` with budgets, back-off and the meaning of errors; same interface."""

    def __init__(self, client: VkClient, source: str, budget: DailyBudget | None = None, attempts: int = 4,
                 backoff: float = 1.0, token_env: str = "MCU_VK_TOKEN"):
        self.client, self.source, self.budget = client, source, budget
        self.attempts, self.backoff, self.token_env = attempts, backoff, token_env

    def call(self, method: str, **params: Any) -> Any:
        self._charge([method])
        try:
            for attempt in retrying(self.attempts, self.backoff, _transient):
                with attempt:
                    return self.client.call(method, **params)
        except (VkApiError, VkNetworkError) as exc:
            raise self._meaning(exc, method) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def call_many(self, calls: list[Call]) -> list[Any]:
        """Batched calls; a slot holds the result, a ``VkSkip`` or a ``VkApiError``."""
        results: list[Any] = []
        for start in range(0, len(calls), EXECUTE_LIMIT):
            chunk = calls[start:start + EXECUTE_LIMIT]
            self._charge([method for method, _ in chunk])
            try:
                for attempt in retrying(self.attempts, self.backoff, _transient):
                    with attempt:
                        answers = self.client.call_many(chunk)
            except (VkApiError, VkNetworkError) as exc:
                raise self._meaning(exc, "execute") from None
            for (method, params), answer in zip(chunk, answers):
                if isinstance(answer, VkApiError):
                    answer = self._slot_error(answer, method, params)
                results.append(answer)
        return results

    def _slot_error(self, error: VkApiError, method: str, params: dict) -> Any:
        if error.code in RETRY_CODES:  # one call inside execute hit a limit: try it alone
            try:
                return self.call(method, **params)
            except VkSkip as exc:
                return exc
        meaning = self._meaning(error, method)
        if isinstance(meaning, (VkSkip, VkApiError)):
            return meaning
        raise meaning

    def _charge(self, methods: list[str]) -> None:
        if self.budget is None:
            return
        counts: dict[str, int] = {}
        for method in methods:
            counts[method] = counts.get(method, 0) + 1
        for method, calls in counts.items():
            try:
                self.budget.charge(method, calls)
            except BudgetExhausted as exc:
                raise VkStop(f"{self.source}: дневной бюджет вызовов {exc.method} исчерпан ({exc.limit} в сутки "
                             f"на токен); источник остановлен до следующих суток") from None

    def _meaning(self, exc: Exception, method: str) -> Exception:
        if isinstance(exc, VkNetworkError):
            if exc.transient:
                return SourceUnavailable(f"{self.source}: VK API недоступен после {self.attempts} попыток: {exc}")
            return CollectorError(f"{self.source}: VK API отвечает ошибкой ({exc}); проверьте api_url")
        assert isinstance(exc, VkApiError)
        code = exc.code
        if code == 5:
            return VkStop(f"{self.source}: токен VK недействителен или отозван (код 5: {exc.vk_message}); "
                          f"получите новый и задайте его в переменной окружения {self.token_env}")
        if code == 14:
            return VkStop(f"{self.source}: VK требует ввести капчу (код 14); сбор остановлен — уменьшите частоту "
                          f"запросов или смените токен")
        if code == 29:
            if self.budget is not None:
                self.budget.block(method)
            return VkStop(f"{self.source}: VK сообщил, что суточный лимит метода {method} исчерпан (код 29); "
                          f"источник остановлен до следующих суток")
        if code in (6, 9):
            return SourceUnavailable(f"{self.source}: VK ограничивает частоту запросов (код {code}) и после "
                                     f"{self.attempts} попыток; повтор при следующем сканировании")
        if code in SKIP_CODES or code in TOKEN_KIND_CODES:
            return VkSkip(code, exc.vk_message)
        return exc
