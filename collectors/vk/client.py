"""How the VK collector talks to VK: the live API (vk_api) or a recorded replay file.

Both implement ``VkClient``: ``call`` for one method, ``call_many`` for a batch that the
live client sends as ``execute`` requests of up to 25 calls (vk_api's ``VkRequestsPool``).
Neither retries: ``collectors.vk.guard`` gives errors their meaning.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable, Protocol

from collectors.base import CollectorError

Call = tuple[str, dict[str, Any]]
USER_AGENT = "mcu-monitor/0.1 (municipal monitoring; vk_api)"
VK_API_ADDRESS = re.compile(r"^https://api\.vk\.(?:ru|com)/")


class VkApiError(CollectorError):
    """An error answer of the VK API, with its code (https://dev.vk.com/ru/reference/errors)."""

    def __init__(self, code: int, message: str):
        super().__init__(f"VK error {code}: {message}")
        self.code = code
        self.vk_message = message

    @classmethod
    def from_error(cls, error: Any) -> "VkApiError":
        if not isinstance(error, dict):
            return cls(-1, f"unreadable error {error!r:.80}")
        return cls(int(error.get("error_code", -1)), str(error.get("error_msg", "")))


class VkNetworkError(Exception):
    """The request did not get a VK answer (connection, timeout, HTTP status, not JSON)."""

    def __init__(self, message: str, transient: bool = True):
        super().__init__(message)
        self.transient = transient


class VkClient(Protocol):
    def call(self, method: str, **params: Any) -> Any: ...

    def call_many(self, calls: list[Call]) -> list[Any]:
        """Results in order; a failed call's slot holds its ``VkApiError``."""
        ...


def _session(base_url: str | None, timeout: float, pace: Callable[[], object] | None):
    """A requests session for vk_api that points it at ``base_url``, with a timeout and pacing.

    vk_api posts to a fixed ``https://api.vk.ru/method/…`` address; the session it accepts
    is its one extension point, so the rebasing happens here.
    """
    import requests

    class ApiSession(requests.Session):
        def request(self, method, url, *args, **kwargs):
            if base_url:
                url = VK_API_ADDRESS.sub(base_url.rstrip("/") + "/", url, count=1)
            if kwargs.get("timeout") is None:
                kwargs["timeout"] = timeout
            if pace is not None:
                pace()
            return super().request(method, url, *args, **kwargs)

    session = ApiSession()
    session.headers["User-Agent"] = USER_AGENT
    return session


class LiveVkClient:
    """The real VK API through vk_api; the token comes from the environment, never the config."""

    def __init__(self, token: str, api_version: str = "5.199", base_url: str | None = None,
                 timeout: float = 20.0, pace: Callable[[], object] | None = None):
        import jconfig
        import vk_api
        from vk_api.exceptions import TOO_MANY_RPS_CODE

        session = _session(base_url, timeout, pace)
        self._vk = vk_api.VkApi(token=token, api_version=api_version, session=session,
                                config=jconfig.MemoryConfig)
        self._vk.RPS_DELAY = 0.0  # the shared token bucket (``pace``) spaces the requests instead
        # vk_api retries error 6 itself every 0.5 s without end; the guard backs off instead.
        self._vk.error_handlers.pop(TOO_MANY_RPS_CODE, None)

    def call(self, method: str, **params: Any) -> Any:
        return _translated(lambda: self._vk.method(method, params))

    def call_many(self, calls: list[Call]) -> list[Any]:
        from vk_api.requests_pool import VkRequestsPool

        pool = VkRequestsPool(self._vk)
        slots = [pool.method(method, params) for method, params in calls]
        _translated(pool.execute)
        return [slot.result if slot.ok else VkApiError.from_error(slot.error) for slot in slots]


def _translated(request: Callable[[], Any]) -> Any:
    """vk_api and requests exceptions as ``VkApiError`` (an answer) or ``VkNetworkError`` (none)."""
    import requests
    from vk_api.exceptions import ApiError, ApiHttpError, Captcha

    try:
        return request()
    except Captcha:
        raise VkApiError(14, "Captcha needed") from None
    except ApiError as exc:
        raise VkApiError.from_error(exc.error) from None
    except ApiHttpError as exc:
        status = exc.response.status_code
        raise VkNetworkError(f"HTTP {status} from the VK API", transient=status >= 500 or status == 429) from None
    except requests.RequestException as exc:
        raise VkNetworkError(f"{type(exc).__name__}: {exc}") from None
    except (KeyError, TypeError, ValueError) as exc:  # an answer that is not VK's JSON shape
        raise VkNetworkError(f"unreadable VK answer: {exc}") from None


class ReplayVkClient:
    """Answers calls from a recorded file ``{"calls": [{"method", "params", "response" | "error"}]}``.

    A call matches a recording when the method is the same and every parameter that
    identifies the page (owner, post, offset, thread, query, cursor) is equal.
    """

    KEY_PARAMS = ("group_id", "group_ids", "owner_id", "domain", "post_id", "offset", "comment_id", "q",
                  "start_from")

    def __init__(self, path: Path):
        try:
            self._calls = json.loads(Path(path).read_text(encoding="utf-8"))["calls"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CollectorError(f"{path}: not a VK recording: {exc}") from exc

    def call(self, method: str, **params: Any) -> Any:
        recorded = find_recording(self._calls, method, params, self.KEY_PARAMS)
        if recorded is None:
            if method in ("wall.get", "wall.getComments", "newsfeed.search"):  # past the last recorded page
                return {"count": 0, "items": []}
            raise VkApiError(100, f"no recording for {method} {params}")
        if "error" in recorded:
            raise VkApiError.from_error(recorded["error"])
        return recorded["response"]

    def call_many(self, calls: list[Call]) -> list[Any]:
        results: list[Any] = []
        for method, params in calls:
            try:
                results.append(self.call(method, **params))
            except VkApiError as exc:
                results.append(exc)
        return results


def find_recording(calls: list[dict], method: str, params: dict, keys: tuple[str, ...]) -> dict | None:
    """The first recorded call of ``method`` whose identifying parameters equal ``params``."""
    for recorded in calls:
        if not isinstance(recorded, dict) or recorded.get("method") != method:
            continue
        rp = recorded.get("params", {})
        if all(str(rp.get(k)) == str(params.get(k)) for k in keys if k in rp or k in params):
            return recorded
    return None
