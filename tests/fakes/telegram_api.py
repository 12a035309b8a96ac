"""A fake Telegram Bot API server on 127.0.0.1, spoken to by aiogram's real HTTP client.

It queues updates for `getUpdates` (long polling with offset, like Telegram: an update is given
again until a later call's offset confirms it, so a bot that dies mid-update gets it again),
records `sendMessage` and friends, and can be told to answer the next calls with 429 or 500, or to
treat a chat as having blocked the bot.
"""

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.servers import start_fake

BOT_USER = {"id": 42, "is_bot": True, "first_name": "民声", "username": "minsheng_test_bot"}


@dataclass
class Failure:
    method: str
    status: int
    count: int
    retry_after: int | None = None
    description: str = ""


@dataclass
class Sent:
    method: str
    params: dict[str, Any]

    @property
    def chat_id(self) -> int:
        return int(self.params["chat_id"])

    @property
    def sent_text(self) -> str:
        """The text exactly as the bot sent it."""
        return str(self.params.get("text", ""))

    @property
    def text(self) -> str:
        """The text as the resident reads it: word joiners (U+2060, which keep a case number on one
        line) are invisible, so a test that reads a number gets the number."""
        return self.sent_text.replace("\u2060", "")

    @property
    def buttons(self) -> list[dict[str, Any]]:
        markup = self.params.get("reply_markup") or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        return [button for row in rows for button in row]


@dataclass
class FakeBotApi:
    host: str = "127.0.0.1"
    updates: list[dict[str, Any]] = field(default_factory=list)
    calls: list[Sent] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    refused: list[Sent] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._update_ids = itertools.count(1000)
        self._message_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._closing = False
        self.port = 0
        self.confirmed = 0  # every update_id below this was confirmed by a getUpdates offset

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner, self.port = await start_fake(app, self.host)

    async def stop(self) -> None:
        async with self._changed:
            self._closing = True
            self._changed.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()

    # What a resident does -------------------------------------------------------------

    def _chat(self, chat_id: int) -> dict[str, Any]:
        return {"id": chat_id, "type": "private", "first_name": "居民"}

    def _user(self, chat_id: int) -> dict[str, Any]:
        return {"id": chat_id, "is_bot": False, "first_name": "居民", "language_code": "zh-hans"}

    async def push(self, update: dict[str, Any]) -> int:
        update_id = update.setdefault("update_id", next(self._update_ids))
        async with self._changed:
            self.updates.append(update)
            self._changed.notify_all()
        return update_id

    def message(self, chat_id: int, **content: Any) -> dict[str, Any]:
        return {"message": {"message_id": next(self._message_ids), "date": int(time.time()),
                            "chat": self._chat(chat_id), "from": self._user(chat_id), **content}}

    async def say(self, chat_id: int, text: str) -> int:
        entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}] if text.startswith("/") else []
        return await self.push(self.message(chat_id, text=text, **({"entities": entities} if entities else {})))

    async def share_location(self, chat_id: int, latitude: float, longitude: float) -> int:
        return await self.push(self.message(chat_id, location={"latitude": latitude, "longitude": longitude}))

    async def tap(self, chat_id: int, data: str, on: Sent | None = None) -> int:
        message = {"message_id": on.params.get("_message_id", 1) if on else 1, "date": int(time.time()),
                   "chat": self._chat(chat_id), "from": BOT_USER, "text": on.sent_text if on else ""}
        query = {"id": f"cq{next(self._message_ids)}", "from": self._user(chat_id), "chat_instance": "1",
                 "message": message, "data": data}
        return await self.push({"callback_query": query})

    # What the test asserts on -----------------------------------------------------------

    def sent(self, chat_id: int | None = None, method: str = "sendMessage") -> list[Sent]:
        return [c for c in self.calls if c.method == method and (chat_id is None or c.chat_id == chat_id)]

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 10) -> Any:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"timed out; calls so far: {[(c.method, c.params) for c in self.calls]}")
            await asyncio.sleep(0.02)

    async def wait_for_messages(self, chat_id: int, count: int, timeout: float = 10) -> list[Sent]:
        return await self.wait_for(lambda: len(self.sent(chat_id)) >= count and self.sent(chat_id), timeout)

    async def wait_until_handled(self, update_id: int, timeout: float = 10) -> None:
        """Until the bot asks for updates past `update_id`: polling one update at a time (our runner's
        handle_as_tasks=False), it does so only once that update's handler, replies and all, is done."""
        await self.wait_for(lambda: self.confirmed > update_id, timeout)

    def fail_next(self, method: str, status: int, count: int = 1, retry_after: int | None = None) -> None:
        self.failures.append(Failure(method, status, count, retry_after))

    # The Bot API itself ---------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = dict(await request.post()) if request.can_read_body else {}
        params.update(request.query)
        for key in ("reply_markup", "allowed_updates"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        refusal = self._refusal(method, params)
        if refusal is not None:
            self.refused.append(Sent(method, params))
            return refusal
        if method == "getUpdates":
            return _ok(await self._get_updates(params))
        self.calls.append(Sent(method, params))
        return _ok(self._result(method, params))

    def _refusal(self, method: str, params: dict[str, Any]) -> web.Response | None:
        for failure in self.failures:
            if failure.method == method and failure.count > 0:
                failure.count -= 1
                if failure.status == 429:
                    return _error(429, "Too Many Requests: retry after %d" % failure.retry_after,
                                  {"retry_after": failure.retry_after})
                return _error(failure.status, failure.description or "Internal Server Error")
        if method == "sendMessage" and int(params.get("chat_id", 0)) in self.blocked:
            return _error(403, "Forbidden: bot was blocked by the user")
        return None

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset", 0) or 0)
        self.confirmed = max(self.confirmed, offset)
        timeout = min(float(params.get("timeout", 0) or 0), 1.0)
        async with self._changed:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
            if not self.updates and timeout and not self._closing:
                try:
                    await asyncio.wait_for(self._changed.wait(), timeout)
                except TimeoutError:
                    pass
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
            return list(self.updates[:100])

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method in ("sendMessage", "editMessageText"):
            message_id = next(self._message_ids)
            self.calls[-1].params["_message_id"] = message_id
            chat_id = int(params["chat_id"])
            return {"message_id": message_id, "date": int(time.time()), "chat": self._chat(chat_id),
                    "from": BOT_USER, "text": params.get("text", "")}
        return True


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(status: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)
