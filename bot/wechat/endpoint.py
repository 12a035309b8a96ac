"""The address WeChat's servers call (the 公众号's 服务器地址): GET to verify it, POST for every
message and event, in plaintext or in safe mode (AES with the EncodingAESKey).

WeChat waits 5 s for an answer and then posts the same message again, up to three times. A turn
that finishes within `answer_within_seconds` is answered in the HTTP response (被动回复); a slower
one gets `success` at once and its replies go out as 客服消息 when ready. A redelivery of a message
whose turn is still running here joins that turn; one that reaches another worker is answered by
the dialogue's claim on the MsgId, so its effect happens once either way.
"""

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import xmltodict
from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import PlainTextResponse, Response
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature

from bot.converse import Turn, converse
from bot.limits import SenderGate
from bot.ports import Dialogue
from bot.wechat.inbound import Heard, hear
from bot.wechat.render import Outgoing, outgoing
from bot.wechat.sender import WeChatSender, WeChatUnavailable
from bot.wechat.settings import WeChatSettings
from handlers.ports import Clock
from storage.wechat_store import WeChatFollowers

log = logging.getLogger(__name__)
MAX_BODY = 64 * 1024  # WeChat's messages are a few KB; anything larger is not from WeChat
SUCCESS = "success"  # WeChat's "received, nothing to say now"
NOTE_EVERY = timedelta(minutes=10)
REMEMBERED = 10_000  # message keys whose follow-up messages were sent, against WeChat's redeliveries


@dataclass
class _Running:
    task: "asyncio.Task[Turn]"
    deferred: bool = False  # its replies go out as 客服消息 once ready


@dataclass
class WeChatEndpoint:
    config: WeChatSettings
    dialogue: Dialogue
    gate: SenderGate
    sender: WeChatSender
    followers: WeChatFollowers
    clock: Clock
    district: str = ""
    _running: dict[str, _Running] = field(default_factory=dict)
    _sending: set["asyncio.Task[None]"] = field(default_factory=set)
    _sent_rest: OrderedDict[str, None] = field(default_factory=OrderedDict)
    _noted: OrderedDict[str, datetime] = field(default_factory=OrderedDict)

    def __post_init__(self) -> None:
        safe = self.config.encryption == "safe"
        self.crypto = WeChatCrypto(self.config.token, self.config.aes_key, self.config.app_id) if safe else None

    def router(self) -> APIRouter:
        routes = APIRouter()
        routes.add_api_route(self.config.path, self.verify, methods=["GET"], include_in_schema=False)
        routes.add_api_route(self.config.path, self.receive, methods=["POST"], include_in_schema=False)
        return routes

    async def verify(self, request: Request) -> Response:
        """公众平台 checks the address once, with a signed echostr to send back."""
        if not self._signed(request):
            return PlainTextResponse("signature mismatch", status_code=403)
        return PlainTextResponse(request.query_params.get("echostr", ""))

    async def receive(self, request: Request, background: BackgroundTasks) -> Response:
        if not self._signed(request):
            return PlainTextResponse("signature mismatch", status_code=403)
        body = await request.body()
        if len(body) > MAX_BODY:
            return PlainTextResponse("too large", status_code=413)
        try:
            xml = self._opened(request, body)
            raw = xmltodict.parse(xml)["xml"]
            heard = hear(parse_message(xml), raw, self.district)
        except InvalidSignatureException:
            return PlainTextResponse("signature mismatch", status_code=403)
        except Exception:  # noqa: BLE001 - whatever is malformed, WeChat never sends it: refuse, do not crash
            log.warning("a WeChat POST could not be read", exc_info=True)
            return PlainTextResponse("malformed", status_code=400)
        await self._note_follower(heard)
        messages = await self._answer(heard)
        if not messages:
            return PlainTextResponse(SUCCESS)
        first, rest = (messages[0], messages[1:]) if not messages[0].options else (None, messages)
        if rest and self._first_to_send(heard.key):
            background.add_task(self._deliver, heard.open_id, rest)
        if first is None:
            return PlainTextResponse(SUCCESS)
        return self._passive(request, raw, first.text)

    async def _answer(self, heard: Heard) -> list[Outgoing]:
        """The messages to send now; [] when there is nothing to say yet (or at all)."""
        if heard.inbound is None:
            return [Outgoing(heard.answer)] if heard.answer else []
        running = self._running.get(heard.key)
        if running is None:
            task = asyncio.create_task(converse(self.dialogue, heard.inbound, self.gate))
            running = self._running[heard.key] = _Running(task)
            task.add_done_callback(lambda _: self._running.pop(heard.key, None))
        elif running.deferred:
            return []
        done, _ = await asyncio.wait({running.task}, timeout=self.config.answer_within_seconds)
        if not done:
            running.deferred = True
            running.task.add_done_callback(lambda task: self._later(heard, task))
            return []
        return outgoing(running.task.result().replies)

    def _first_to_send(self, key: str) -> bool:
        """The 客服消息 after a passive reply go out once per message, however often WeChat posted it
        (its earlier tries time out on WeChat's side, not here, so each one's handler ends too)."""
        if key in self._sent_rest:
            return False
        self._sent_rest[key] = None
        if len(self._sent_rest) > REMEMBERED:
            self._sent_rest.popitem(last=False)
        return True

    def _later(self, heard: Heard, task: "asyncio.Task[Turn]") -> None:
        if task.cancelled() or task.exception() is not None or not self._first_to_send(heard.key):
            return
        sending = asyncio.create_task(self._deliver(heard.open_id, outgoing(task.result().replies)))
        self._sending.add(sending)
        sending.add_done_callback(self._sending.discard)

    async def _deliver(self, open_id: str, messages: Sequence[Outgoing]) -> None:
        try:
            await self.sender.deliver(open_id, messages)
        except WeChatUnavailable as exc:
            log.warning("WeChat replies to a resident could not be sent: %s", exc)

    async def _note_follower(self, heard: Heard) -> None:
        """Record that the resident wrote (the 48-hour window) or (un)followed. A resident writing
        again within NOTE_EVERY is not written down again: the window the notifier reckons with then
        closes at most that much early, and a turn saves a transaction."""
        if heard.following is None and not heard.opens_window:
            return
        now = self.clock.now()
        last = self._noted.pop(heard.open_id, None)
        if heard.following is None and last is not None and now - last < NOTE_EVERY:
            self._noted[heard.open_id] = last
            return
        try:
            await self.followers.heard(heard.open_id, now, following=heard.following is not False)
        except Exception:  # noqa: BLE001 - the message still goes to the dialogue, which answers a failure itself
            log.exception("could not note a WeChat follower")
            return
        if heard.following is not False:
            self._noted[heard.open_id] = now
            if len(self._noted) > REMEMBERED:
                self._noted.popitem(last=False)

    def _signed(self, request: Request) -> bool:
        q = request.query_params
        try:
            check_signature(self.config.token, q.get("signature", ""), q.get("timestamp", ""), q.get("nonce", ""))
        except InvalidSignatureException:
            return False
        return True

    def _opened(self, request: Request, body: bytes) -> str:
        """The message XML; in safe mode decrypted after checking msg_signature."""
        if self.crypto is None:
            return body.decode("utf-8")
        q = request.query_params
        if q.get("encrypt_type") != "aes":
            raise InvalidSignatureException()
        return str(self.crypto.decrypt_message(body, q.get("msg_signature", ""), q.get("timestamp", ""),
                                               q.get("nonce", "")))

    def _passive(self, request: Request, raw: dict[str, Any], text: str) -> Response:
        xml = TextReply(source=raw.get("ToUserName", ""), target=raw.get("FromUserName", ""), content=text).render()
        if self.crypto is not None:
            q = request.query_params
            xml = self.crypto.encrypt_message(xml, q.get("nonce", ""), q.get("timestamp") or None)
        return Response(xml, media_type="application/xml")
