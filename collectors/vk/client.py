"""How the VK collector talks to VK: the live API (vk_api) or a recorded replay file."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol

from collectors.base import CollectorError


class VkApiError(CollectorError):
    def __init__(self, code: int, message: str):
        super().__init__(f"VK error {code}: {message}")
        self.code = code


class VkClient(Protocol):
    def call(self, method: str, **params: Any) -> Any: ...


class LiveVkClient:
    """The real VK API through vk_api; the token comes from the environment."""

    def __init__(self, token: str, api_version: str = "5.199", base_url: str | None = None):
        import vk_api

        self._session = vk_api.VkApi(token=token, api_version=api_version)
        if base_url:  # a proxy, or a local server in tests
            self._session.api_url = base_url.rstrip("/") + "/method/"  # pragma: no cover - issue 3

    def call(self, method: str, **params: Any) -> Any:
        import vk_api

        try:
            return self._session.method(method, params)
        except vk_api.ApiError as exc:
            raise VkApiError(exc.code, str(exc.error.get("error_msg", exc))) from exc


class ReplayVkClient:
    """Answers calls from a recorded file ``{"calls": [{"method", "params", "response"}]}``.

    A call matches a recording when the method is the same and every recorded
    parameter that identifies the page (owner, post, offset) is equal.
    """

    KEY_PARAMS = ("group_id", "group_ids", "owner_id", "domain", "post_id", "offset")

    def __init__(self, path: Path):
        try:
            self._calls = json.loads(Path(path).read_text(encoding="utf-8"))["calls"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CollectorError(f"{path}: not a VK recording: {exc}") from exc

    def call(self, method: str, **params: Any) -> Any:
        for recorded in self._calls:
            if recorded.get("method") != method:
                continue
            rp = recorded.get("params", {})
            if all(str(rp.get(k)) == str(params.get(k)) for k in self.KEY_PARAMS if k in rp or k in params):
                if "error" in recorded:
                    raise VkApiError(recorded["error"]["error_code"], recorded["error"]["error_msg"])
                return recorded["response"]
        if method == "wall.get":  # past the last recorded page
            return {"count": 0, "items": []}
        if method == "wall.getComments":
            return {"count": 0, "items": []}
        raise VkApiError(100, f"no recording for {method} {params}")
