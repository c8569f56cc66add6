"""A small Telegram Bot API on 127.0.0.1 for tests: it speaks the wire format (POST
``/bot<token>/<method>`` with form fields, JSON ``{"ok": …}`` answers), records every call,
keeps the chat's messages, serves queued updates through long-polling ``getUpdates``, and
can fail on purpose: 429 with ``retry_after``, a 502 from a proxy, or a refused connection.

Like Telegram it rejects HTML it cannot parse, text over 4096 characters and edits that
change nothing («message is not modified»), so the tests see what the real API would say.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, Callable

from aiohttp import web

TOKEN = "123456789:TEST-fake-bot-token_abcdef"
BOT = {"id": 123456789, "is_bot": True, "first_name": "МЦУ-бот", "username": "mcu_alert_bot"}
ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "blockquote",
                "tg-spoiler", "span", "tg-emoji"}
_ENTITY = re.compile(r"&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*)?)>")


class BadHtml(Exception):
    pass


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            raise BadHtml(f"Unsupported start tag \"{tag}\"")
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            raise BadHtml(f"Unmatched end tag \"{tag}\"")
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse_html(text: str) -> str:
    """The visible text of a Telegram HTML message; BadHtml where Telegram would refuse it."""
    if _ENTITY.search(text):
        raise BadHtml("Can't find end of the entity: a bare «&»")
    rest = _TAG.sub("", text)
    if "<" in rest or ">" in rest:
        raise BadHtml("Unexpected «<» or «>» outside a tag")
    checker = _Checker()
    checker.feed(text)
    checker.close()
    if checker.stack:
        raise BadHtml(f"Can't find end tag corresponding to start tag \"{checker.stack[-1]}\"")
    return "".join(checker.text)


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    status: int
    at: float = field(default_factory=time.time)

    @property
    def ok(self) -> bool:
        return self.status == 200


class FakeBotApi:
    def __init__(self, token: str = TOKEN):
        self.token = token
        self.calls: list[Call] = []
        self.messages: dict[tuple[int, int], dict] = {}  # (chat, message id) → {"text", "reply_markup", …}
        self.documents: dict[tuple[int, int], dict] = {}  # (chat, message id) → {"filename", "data", "caption"}
        self._updates: list[dict] = []
        self._update_ids = itertools.count(1000)
        self._message_ids = itertools.count(100)
        self._failures: dict[str, list[tuple[int, dict]]] = {}
        self._lock = threading.RLock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._thread: threading.Thread | None = None
        self._arrived: asyncio.Event | None = None
        self.port = 0
        self.broken = False

    # lifecycle ---------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "FakeBotApi":
        ready = threading.Event()

        def serve() -> None:
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(self._start())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=serve, daemon=True, name="fake-bot-api")
        self._thread.start()
        ready.wait(10)
        return self

    async def _start(self) -> None:
        self._arrived = asyncio.Event()
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await self._listen()

    async def _listen(self) -> None:
        self._site = web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True)
        await self._site.start()
        self.port = self._site._server.sockets[0].getsockname()[1]

    def _run(self, coro) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)

    def stop(self) -> None:
        if self._loop is None:
            return
        self._run(self._runner.cleanup())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def go_down(self) -> None:
        """An outage: the port refuses connections until :meth:`come_back`."""
        self._run(self._site.stop())

    def come_back(self) -> None:
        self._run(self._listen())

    # scripting ---------------------------------------------------------------
    def fail_next(self, method: str, times: int, status: int = 429, retry_after: int = 1) -> None:
        """The next ``times`` calls of ``method`` fail: 429 with ``retry_after``, or a 502 page."""
        with self._lock:
            body = ({"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {retry_after}",
                     "parameters": {"retry_after": retry_after}} if status == 429 else {"html": "<h1>502</h1>"})
            self._failures.setdefault(method, []).extend([(status, body)] * times)

    def push(self, **update: Any) -> int:
        """Queue an update (``message=…`` or ``callback_query=…``) for getUpdates."""
        with self._lock:
            update_id = next(self._update_ids)
            self._updates.append({"update_id": update_id, **update})
        self._loop.call_soon_threadsafe(self._arrived.set)
        return update_id

    def message(self, chat_id: int, user: dict, text: str, reply_to: int | None = None,
                entities: list[dict] | None = None) -> int:
        message = {"message_id": next(self._message_ids), "date": int(time.time()), "text": text,
                   "chat": self._chat(chat_id), "from": user}
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        if entities:
            message["entities"] = message.get("entities", []) + entities
        if reply_to is not None:
            replied = self.messages.get((chat_id, reply_to), {})
            message["reply_to_message"] = {"message_id": reply_to, "date": int(time.time()),
                                           "chat": self._chat(chat_id), "from": BOT,
                                           "text": replied.get("plain", "…")}
        return self.push(message=message)

    def press(self, chat_id: int, user: dict, message_id: int, data: str) -> int:
        shown = self.messages.get((chat_id, message_id), {})
        query = {"id": str(next(self._update_ids)), "from": user, "chat_instance": "42", "data": data,
                 "message": {"message_id": message_id, "date": int(time.time()), "chat": self._chat(chat_id),
                             "from": BOT, "text": shown.get("plain", "…")}}
        return self.push(callback_query=query)

    # looking -----------------------------------------------------------------
    def ok_calls(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method and c.ok]

    def wait_for(self, condition: Callable[[], Any], timeout: float = 15.0, what: str = "condition") -> Any:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            result = condition()
            if result:
                return result
            time.sleep(0.05)
        with self._lock:
            seen = [(c.method, c.status) for c in self.calls[-15:]]
        raise AssertionError(f"timed out waiting for {what}; last calls: {seen}")

    def text_of(self, chat_id: int, message_id: int) -> str:
        return self.messages[(chat_id, message_id)]["plain"]

    def buttons_of(self, chat_id: int, message_id: int) -> dict[str, str]:
        markup = self.messages[(chat_id, message_id)].get("reply_markup") or {}
        return {b["text"]: b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row}

    # the API -----------------------------------------------------------------
    @staticmethod
    def _chat(chat_id: int) -> dict:
        if chat_id < 0:
            return {"id": chat_id, "type": "supergroup", "title": "МЦУ-ПИЛОТ"}
        return {"id": chat_id, "type": "private", "first_name": "Участник"}

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = {k: v for k, v in (await request.post()).items()}
        if request.match_info["token"] != self.token:
            return self._answer(method, params, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        with self._lock:
            queue = self._failures.get(method)
            failure = queue.pop(0) if queue else None
        if failure:
            status, body = failure
            if status == 502:
                with self._lock:
                    self.calls.append(Call(method, params, 502))
                return web.Response(status=502, text=body["html"], content_type="text/html")
            return self._answer(method, params, status, body)
        if method == "getUpdates":
            return await self._get_updates(params)
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return self._answer(method, params, 404, {"ok": False, "error_code": 404, "description": "Not Found"})
        try:
            result = handler(params)
        except BadHtml as exc:
            return self._answer(method, params, 400, {"ok": False, "error_code": 400,
                                                      "description": f"Bad Request: can't parse entities: {exc}"})
        except ValueError as exc:
            return self._answer(method, params, 400, {"ok": False, "error_code": 400,
                                                      "description": f"Bad Request: {exc}"})
        return self._answer(method, params, 200, {"ok": True, "result": result})

    def _answer(self, method: str, params: dict, status: int, body: dict) -> web.Response:
        with self._lock:
            self.calls.append(Call(method, params, status))
        return web.json_response(body, status=status)

    async def _get_updates(self, params: dict) -> web.Response:
        offset = int(params.get("offset", 0) or 0)
        wait = min(float(params.get("timeout", 0) or 0), 0.5)
        end = time.monotonic() + wait
        while True:
            with self._lock:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                ready = list(self._updates)
                if not ready:
                    self._arrived.clear()
            left = end - time.monotonic()
            if ready or left <= 0:
                break
            try:
                await asyncio.wait_for(self._arrived.wait(), left)
            except asyncio.TimeoutError:
                pass
        return self._answer("getUpdates", params, 200, {"ok": True, "result": ready})

    def _api_getMe(self, params: dict) -> dict:
        return BOT

    def _api_answerCallbackQuery(self, params: dict) -> bool:
        return True

    def _visible(self, params: dict) -> str:
        text = params.get("text", "")
        plain = parse_html(text) if params.get("parse_mode") == "HTML" else text
        if not plain.strip():
            raise ValueError("message text is empty")
        if len(plain) > 4096:
            raise ValueError("message is too long")
        return plain

    def _api_sendMessage(self, params: dict) -> dict:
        plain = self._visible(params)
        chat_id = int(params["chat_id"])
        message_id = next(self._message_ids)
        markup = json.loads(params["reply_markup"]) if params.get("reply_markup") else None
        with self._lock:
            self.messages[(chat_id, message_id)] = {"text": params["text"], "plain": plain, "reply_markup": markup,
                                                    "reply_parameters": params.get("reply_parameters")}
        return {"message_id": message_id, "date": int(time.time()), "chat": self._chat(chat_id), "from": BOT,
                "text": plain}

    def _api_sendDocument(self, params: dict) -> dict:
        """A multipart upload: the file is kept with its name and caption (at most 1024 characters)."""
        upload = params.get("document")
        if isinstance(upload, str) and upload.startswith("attach://"):  # the file is another part of the form
            upload = params.get(upload.removeprefix("attach://"))
        if not hasattr(upload, "file"):
            raise ValueError("there is no document in the request")
        caption = params.get("caption", "")
        plain = parse_html(caption) if caption and params.get("parse_mode") == "HTML" else caption
        if len(plain) > 1024:
            raise ValueError("message caption is too long")
        chat_id = int(params["chat_id"])
        message_id = next(self._message_ids)
        data = upload.file.read()
        with self._lock:
            self.documents[(chat_id, message_id)] = {"filename": upload.filename, "data": data, "caption": plain}
        return {"message_id": message_id, "date": int(time.time()), "chat": self._chat(chat_id), "from": BOT,
                "caption": plain, "document": {"file_id": f"doc{message_id}", "file_unique_id": f"u{message_id}",
                                               "file_name": upload.filename, "file_size": len(data)}}

    def _api_editMessageText(self, params: dict) -> dict:
        plain = self._visible(params)
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        markup = json.loads(params["reply_markup"]) if params.get("reply_markup") else None
        with self._lock:
            current = self.messages.get((chat_id, message_id))
            if current is None:
                raise ValueError("message to edit not found")
            if current["text"] == params["text"] and current["reply_markup"] == markup:
                raise ValueError("message is not modified: specified new message content and reply markup are "
                                 "exactly the same as a current content and reply markup of the message")
            current.update(text=params["text"], plain=plain, reply_markup=markup)
        return {"message_id": message_id, "date": int(time.time()), "chat": self._chat(chat_id), "from": BOT,
                "text": plain, "edit_date": int(time.time())}
