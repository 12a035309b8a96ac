"""Residents who file through a server that keeps dying: on the web chat they resend a pending
message with the same id after every reconnect (as bot/web/static/chat.js does); on Telegram the
Bot API gives an update again until the bot confirms it. Either way a message counts as answered
only when the channel says so (the page's ack, the update's confirmation)."""

import asyncio
import json
import time
from dataclasses import dataclass, field
from functools import cache
from typing import Protocol

import httpx
from shapely.geometry import shape
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from bot.converse import BROKEN
from flows.dialogue import STILL_WORKING
from tests.conversations.kit import SAMPLE
from tests.fakes.telegram_api import FakeBotApi, Sent

COMPLAINTS = (
    "幸福里小区门口的路灯坏了一个多月了，晚上出门很黑",
    "康乐苑小区的垃圾好几天没人清运了，臭味很大",
    "对门邻居把鞋柜杂物堆在幸福里小区的公共楼道，说了不听，两家为这事吵了好几回",
    "康乐苑的工地晚上十一点还在施工，吵得睡不着",
    "楼道的灯坏了一个星期了，晚上上下楼很不方便",  # no place: the bot asks where
)
AFFIRM = ("确认", "提交", "是", "对", "不留", "匿名", "跳过")
PUSH_OPENING = "您的诉求"  # how the status push templates in config.toml open; no dialogue reply does
PATIENCE = 90.0  # seconds a message may wait for its answer across restarts before it counts as lost
MAX_TURNS = 12


class Lost(Exception):
    """A message the channel never answered, or answered with a failure."""


@dataclass(frozen=True)
class Move:
    kind: str  # "text", "choice" or "location"
    value: str = ""

    @property
    def step(self) -> str:
        """The intake step this message answers, as the fault report counts kills by step."""
        return self.kind if self.kind == "location" else f"{self.kind}:{self.value[:8]}"


@dataclass
class Answer:
    texts: list[str] = field(default_factory=list)
    choices: list[tuple[str, str]] = field(default_factory=list)  # (label, value) of the last offer
    request_location: bool = False


class Resident(Protocol):
    name: str
    answered: int  # messages the channel confirmed

    async def send(self, move: Move) -> Answer: ...


@cache
def grid_point() -> tuple[float, float]:
    """A point inside the sample district's first grid, for residents asked to share a location."""
    features = json.loads((SAMPLE / "grids.geojson").read_text(encoding="utf-8"))["features"]
    point = shape(features[0]["geometry"]).representative_point()
    return point.y, point.x


def next_move(answer: Answer) -> Move:
    """A cooperative resident: the affirmative button, the location when asked, no phone number."""
    if answer.choices:
        label, value = next((c for c in answer.choices if any(w in c[0] for w in AFFIRM)), answer.choices[0])
        return Move("choice", value)
    if answer.request_location:
        return Move("location")
    if answer.texts and "电话" in answer.texts[-1]:
        return Move("text", "不留电话")
    return Move("text", "对")


def told(answer: Answer) -> str | None:
    """The case number the bot's filing confirmation gives."""
    for text in answer.texts:
        if "诉求编号" in text:
            return text.split("诉求编号", 1)[1].split("。", 1)[0].strip()
    return None


async def intake(resident: Resident, complaint: str, flight: dict[str, str]) -> str:
    """One complaint to its case number; `flight` shows which step each resident is waiting on."""
    move = Move("text", complaint)
    for turn in range(MAX_TURNS):
        flight[resident.name] = "complaint" if turn == 0 else move.step
        try:
            answer = await resident.send(move)
        finally:
            flight.pop(resident.name, None)
        if failed := next((t for t in answer.texts if t in (STILL_WORKING, BROKEN)), None):
            raise Lost(f"{resident.name}: {move.step} answered 「{failed}」 at {time.strftime('%H:%M:%S')}")
        if (number := told(answer)) is not None:
            return number
        move = next_move(answer)
    raise Lost(f"{resident.name}: no case number after {MAX_TURNS} turns")


class WebResident:
    """The chat page: one cookie for life, one socket at a time, pending messages resent on reconnect."""

    def __init__(self, base: str, name: str) -> None:
        self.base, self.name = base, name
        self.answered, self._count = 0, 0
        self._cookie = ""
        self._socket: ClientConnection | None = None

    async def send(self, move: Move) -> Answer:
        self._count += 1
        frame: dict[str, object] = {"type": move.kind, "id": f"fault-{self.name}-{self._count:05d}"}
        if move.kind == "location":
            frame["latitude"], frame["longitude"] = grid_point()
        else:
            frame["text" if move.kind == "text" else "value"] = move.value
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            try:
                socket = self._socket or await self._connect()
                await socket.send(json.dumps(frame, ensure_ascii=False))
                answer = await self._until_ack(socket, str(frame["id"]))
                self.answered += 1
                return answer
            except (OSError, WebSocketException, httpx.TransportError):
                self._socket = None  # the server died: reconnect and send the same id again
                await asyncio.sleep(0.05)
        raise Lost(f"{self.name}: {frame['id']} never acknowledged")

    async def _connect(self) -> ClientConnection:
        """Open the socket; a page turned away (no id this server signed) reloads once, as chat.js does."""
        for reload in (False, True):
            if reload or not self._cookie:
                await self._load_page()
            url = self.base.replace("http", "ws", 1) + "/ws"
            socket = await connect(url, additional_headers={"Cookie": f"ms_resident={self._cookie}"},
                                   open_timeout=5)
            if json.loads(await socket.recv())["type"] == "history":
                self._socket = socket
                return socket
            await socket.close()
        raise Lost(f"{self.name}: the chat page could not get an id")

    async def _load_page(self) -> None:
        cookies = {"ms_resident": self._cookie} if self._cookie else {}
        async with httpx.AsyncClient(base_url=self.base, trust_env=False, timeout=5, cookies=cookies) as browser:
            page = await browser.get("/")
        self._cookie = page.cookies.get("ms_resident") or self._cookie

    async def _until_ack(self, socket: ClientConnection, message_id: str) -> Answer:
        answer = Answer()
        while True:
            message = json.loads(await socket.recv())
            if message["type"] == "reply":
                answer.texts.append(message["text"])
                answer.choices = [(c["label"], c["value"]) for c in message.get("choices") or []] or answer.choices
                answer.request_location |= bool(message.get("request_location"))
            elif message.get("id") == message_id and message["type"] == "ack":
                return answer
            elif message.get("id") == message_id:
                raise Lost(f"{self.name}: {message_id} answered {message['type']}: {message.get('text')}")


class TelegramResident:
    """A Telegram chat: each message is one update, answered once a later poll confirms it."""

    def __init__(self, api: FakeBotApi, chat_id: int) -> None:
        self.api, self.chat_id, self.name = api, chat_id, f"tg{chat_id}"
        self.answered = 0
        self._offer: Sent | None = None

    async def send(self, move: Move) -> Answer:
        before = len(self.api.sent(self.chat_id))
        if move.kind == "text":
            update = await self.api.say(self.chat_id, move.value)
        elif move.kind == "choice":
            update = await self.api.tap(self.chat_id, move.value, on=self._offer)
        else:
            update = await self.api.share_location(self.chat_id, *grid_point())
        deadline = time.monotonic() + PATIENCE
        while self.api.confirmed <= update:
            if time.monotonic() > deadline:
                raise Lost(f"{self.name}: update {update} never confirmed")
            await asyncio.sleep(0.01)
        self.answered += 1
        return self._answer([s for s in self.api.sent(self.chat_id)[before:] if not s.text.startswith(PUSH_OPENING)])

    def _answer(self, sent: list[Sent]) -> Answer:
        answer = Answer(texts=[s.text for s in sent])
        for message in sent:
            offered = [(b["text"], b["callback_data"]) for b in message.buttons if "callback_data" in b]
            if offered:
                answer.choices, self._offer = offered, message
            answer.request_location |= any(b.get("request_location") for b in message.buttons)
        return answer
