"""How the OK collector talks to Одноклассники: the live REST API (httpx) or a recorded replay file.

The live client signs every request as the OK API requires (``sign``) and posts it to
``<api_url>/fb.do``. Neither client retries: ``collectors.ok.guard`` gives errors their meaning.

Why not a client library: the OK wrappers on PyPI (``ok-api`` 1.0.1, 2020; ``odnoklassniki``
1.0, 2018; ``pyodnoklassniki`` 1.0.0, 2017) have not been released for years and take no
timeout, base address or rate limit; the API itself is one signed form POST.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Callable, Protocol

from collectors.base import CollectorError
from collectors.vk.client import find_recording

USER_AGENT = "mcu-monitor/0.1 (municipal monitoring; ok.ru REST API)"
UNSIGNED = frozenset({"access_token", "session_key", "sig"})


def sign(params: dict[str, Any], access_token: str, secret_key: str) -> str:
    """OK's ``sig`` of a request made with an OAuth access token:

    ``md5(k1=v1k2=v2… + md5(access_token + application_secret_key))``, lower-case hex, where the
    ``k=v`` pairs are every parameter except ``access_token``, ``session_key`` and ``sig``,
    sorted by name and joined without separators, all in UTF-8.
    """
    session_secret = hashlib.md5((access_token + secret_key).encode("utf-8")).hexdigest()
    pairs = "".join(f"{k}={params[k]}" for k in sorted(params) if k not in UNSIGNED)
    return hashlib.md5((pairs + session_secret).encode("utf-8")).hexdigest()


class OkApiError(CollectorError):
    """An error answer of the OK API, with its code (apiok.ru, «Коды ошибок»)."""

    def __init__(self, code: int, message: str):
        super().__init__(f"OK error {code}: {message}")
        self.code = code
        self.ok_message = message

    @classmethod
    def from_answer(cls, answer: Any) -> "OkApiError":
        if not isinstance(answer, dict):
            return cls(-1, f"unreadable error {answer!r:.80}")
        code = answer.get("error_code")
        return cls(code if isinstance(code, int) else -1, str(answer.get("error_msg", "")))


class OkNetworkError(Exception):
    """The request got no OK answer (connection, timeout, HTTP status, not JSON)."""

    def __init__(self, message: str, transient: bool = True):
        super().__init__(message)
        self.transient = transient


class OkClient(Protocol):
    def call(self, method: str, **params: Any) -> Any: ...


def is_error(answer: Any) -> bool:
    """OK answers an error with HTTP 200 and ``{"error_code", "error_msg", "error_data"}``."""
    return isinstance(answer, dict) and "error_code" in answer


class LiveOkClient:
    """The real OK API; the keys and the token come from the environment, never the config."""

    def __init__(self, application_key: str, secret_key: str, access_token: str,
                 base_url: str = "https://api.ok.ru", timeout: float = 20.0,
                 pace: Callable[[], object] | None = None):
        import httpx

        self._keys = (application_key, secret_key, access_token)
        self._endpoint = base_url.rstrip("/") + "/fb.do"
        self._pace = pace
        self._http = httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
                                  headers={"User-Agent": USER_AGENT})

    def call(self, method: str, **params: Any) -> Any:
        import httpx

        application_key, secret_key, access_token = self._keys
        form = {k: str(v) for k, v in params.items()}
        form.update(application_key=application_key, method=method, format="json")
        form["sig"] = sign(form, access_token, secret_key)
        form["access_token"] = access_token
        if self._pace is not None:
            self._pace()
        try:
            response = self._http.post(self._endpoint, data=form)
        except httpx.HTTPError as exc:
            raise OkNetworkError(f"{type(exc).__name__}: {exc}") from None
        if response.status_code != 200:
            status = response.status_code
            raise OkNetworkError(f"HTTP {status} from the OK API", transient=status >= 500 or status == 429)
        try:
            answer = response.json()
        except ValueError:
            raise OkNetworkError("the OK API answered with something that is not JSON") from None
        if is_error(answer):
            raise OkApiError.from_answer(answer)
        return answer

    def close(self) -> None:
        self._http.close()


class ReplayOkClient:
    """Answers calls from a recorded file ``{"calls": [{"method", "params", "response" | "error"}]}``;
    a call matches a recording when the method and the parameters naming the page are equal."""

    KEY_PARAMS = ("uids", "gid", "url", "anchor", "entityId")
    PAGED = {"mediatopic.getTopics": {"media_topics": [], "has_more": False},
             "discussions.getComments": {"comments": [], "has_more": False}}

    def __init__(self, path: Path):
        try:
            self._calls = json.loads(Path(path).read_text(encoding="utf-8"))["calls"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CollectorError(f"{path}: not an OK recording: {exc}") from exc

    def call(self, method: str, **params: Any) -> Any:
        recorded = find_recording(self._calls, method, params, self.KEY_PARAMS)
        if recorded is None:
            if method in self.PAGED:  # past the last recorded page
                return self.PAGED[method]
            raise OkApiError(100, f"PARAM : no recording for {method} {params}")
        if "error" in recorded:
            raise OkApiError.from_answer(recorded["error"])
        return recorded["response"]

    def close(self) -> None:
        pass
