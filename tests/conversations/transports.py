"""How a conversation script's turns reach the dialogue: straight in (channel `test`), or through
a real channel edge as a resident would use it — the terminal (typed lines, choices by number),
the web chat (WebSocket JSON on a loopback server) and Telegram (aiogram polling a fake Bot API
over HTTP). Each turn returns the bot's replies as the channel delivered them."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from websockets.asyncio.client import ClientConnection, connect

from bot.bootstrap import App
from bot.cli.chat import parse_line
from bot.limits import TOO_FAST
from bot.ports import Dialogue
from bot.web.admission import KNOWN_BEFORE_SIGNING
from bot.web.app import create_web_app, web_deps
from bot.web.hub import LiveHub
from bot.web.notifier import WebNotifier
from bot.web.resident import COOKIE, user_ref_for
from flows.messages import Choice, Inbound, Location, Reply
from storage.conversation_store import SqlConversationStore
from tests.fakes.servers import serving
from tests.fakes.telegram_api import FakeBotApi, Sent
from tests.fakes.telegram_bot import polling_bot

CHANNELS = ("test", "terminal", "web", "telegram")
REFILL_SECONDS = 3.1  # one message more per 3 s under the default 20 per minute


class Transport(Protocol):
    channel: str
    user_ref: str

    async def turn(self, index: int, step: dict[str, Any], offered: tuple[Choice, ...]) -> list[Reply]: ...


@dataclass
class Direct:
    """The dialogue called as a channel adapter calls it; the message id is the turn's number, so
    a redelivered turn comes with the same id."""

    dialogue: Dialogue
    user_ref: str
    channel: str = "test"

    async def turn(self, index: int, step: dict[str, Any], offered: tuple[Choice, ...]) -> list[Reply]:
        return await self.dialogue.handle(_inbound(self.channel, self.user_ref, f"{self.user_ref}-{index}", step))


@dataclass
class Terminal:
    """`minsheng chat`: a resident types lines, and picks a choice by typing its number."""

    dialogue: Dialogue
    user_ref: str
    channel: str = "terminal"

    async def turn(self, index: int, step: dict[str, Any], offered: tuple[Choice, ...]) -> list[Reply]:
        if "choose" in step:
            values = [c.value for c in offered]
            line = str(values.index(str(step["choose"])) + 1) if str(step["choose"]) in values else str(step["choose"])
        elif "location" in step:
            line = "/位置 {},{}".format(*step["location"])
        else:
            line = str(step["say"])
        inbound = parse_line(line, self.user_ref, lambda: uuid.uuid4().hex)
        assert inbound is not None, line
        return await self.dialogue.handle(inbound)


@dataclass
class Web:
    socket: ClientConnection
    user_ref: str
    channel: str = "web"

    async def turn(self, index: int, step: dict[str, Any], offered: tuple[Choice, ...]) -> list[Reply]:
        message: dict[str, Any] = {"id": f"script-turn-{index:04d}"}
        if "choose" in step:
            message.update(type="choice", value=str(step["choose"]))
        elif "location" in step:
            message.update(type="location", latitude=float(step["location"][0]), longitude=float(step["location"][1]))
        else:
            message.update(type="text", text=str(step["say"]))
        while True:
            await self.socket.send(json.dumps(message))
            replies = []
            while (payload := json.loads(await asyncio.wait_for(self.socket.recv(), 20)))["type"] == "reply":
                replies.append(Reply(payload["text"], tuple(Choice(c["label"], c["value"]) for c in payload["choices"]),
                                     payload["request_location"]))
            if payload["type"] != "refused":
                return replies if payload["type"] == "ack" else [*replies, Reply(payload["text"])]
            await asyncio.sleep(REFILL_SECONDS)  # typed faster than the rate limit allows: resend, as chat.js does


@dataclass
class Telegram:
    api: FakeBotApi
    chat: int
    channel: str = "telegram"

    @property
    def user_ref(self) -> str:
        return f"tg:{self.chat}"

    async def turn(self, index: int, step: dict[str, Any], offered: tuple[Choice, ...]) -> list[Reply]:
        while (replies := await self._send(step)) and replies[-1].text == TOO_FAST:
            await asyncio.sleep(REFILL_SECONDS)  # typed faster than the rate limit allows: send it again
        return replies

    async def _send(self, step: dict[str, Any]) -> list[Reply]:
        before = len(self.api.sent(self.chat))
        if "choose" in step:
            last = self.api.sent(self.chat)[-1] if before else None
            update = await self.api.tap(self.chat, str(step["choose"]), on=last)
        elif "location" in step:
            update = await self.api.share_location(self.chat, float(step["location"][0]), float(step["location"][1]))
        else:
            update = await self.api.say(self.chat, str(step["say"]))
        await self.api.wait_for_messages(self.chat, before + 1, timeout=20)
        await self.api.wait_until_handled(update, timeout=20)
        return [_from_telegram(sent) for sent in self.api.sent(self.chat)[before:]]


@asynccontextmanager
async def transport(channel: str, app: App, dialogue: Dialogue, user: str) -> AsyncIterator[Transport]:
    """A transport of `channel` for one resident, with whatever server it needs running."""
    if channel == "test":
        yield Direct(dialogue, user)
    elif channel == "terminal":
        yield Terminal(dialogue, user)
    elif channel == "web":
        async with AsyncExitStack() as stack:
            store, hub = SqlConversationStore(app.sessions), LiveHub()
            app.notifiers["web"] = WebNotifier(store, hub)
            deps = web_deps(app, dialogue, store, hub)
            url = await stack.enter_async_context(serving(create_web_app(deps)))
            # issued as the chat page issues it, on an earlier visit: a script's quick turns are not a flood
            token = deps.admission.ids.issue(issued=KNOWN_BEFORE_SIGNING)
            socket = await stack.enter_async_context(connect(
                url.replace("http", "ws", 1) + "/ws", additional_headers={"Cookie": f"{COOKIE}={token}", "Origin": url}))
            await socket.recv()  # the history the page draws first
            yield Web(socket, user_ref_for(token))
    elif channel == "telegram":
        async with polling_bot(app, dialogue) as api:
            yield Telegram(api, 7000000 + sum(map(ord, user)))
    else:
        raise ValueError(f"unknown channel {channel!r}")


def _inbound(channel: str, user: str, message_id: str, step: dict[str, Any]) -> Inbound:
    if "location" in step:
        latitude, longitude = step["location"]
        return Inbound(channel, user, message_id, location=Location(float(latitude), float(longitude)))
    if "choose" in step:
        return Inbound(channel, user, message_id, choice=str(step["choose"]))
    return Inbound(channel, user, message_id, text=str(step["say"]))


def _from_telegram(sent: Sent) -> Reply:
    markup = sent.params.get("reply_markup") or {}
    inline = [Choice(b["text"], b.get("callback_data", b["text"])) for row in markup.get("inline_keyboard") or []
              for b in row]
    wants_location = any(b.get("request_location") for row in markup.get("keyboard") or [] for b in row)
    return Reply(sent.text, tuple(inline), wants_location)
