"""Hostile frames on the resident WebSocket (issue 12, item 4): each one gets an answer in Chinese,
the socket stays open, and the next ordinary message on it is answered as usual. Through the real
server and the real dialogue, on SQLite and PostgreSQL."""

import asyncio
import json
import logging
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
import pytest_asyncio
from websockets.asyncio.client import ClientConnection, connect
from websockets.client import ClientProtocol
from websockets.frames import Frame
from websockets.uri import parse_uri

from bot.web.resident import COOKIE, WS_MAX_BYTES, user_ref_for
from flows.messages import Inbound, Reply
from tests.fakes.web_stack import WebStack

pytestmark = pytest.mark.asyncio(loop_scope="module")
NUMBER = re.compile(r"[A-Z]+-\d{8}-\d{4}")
COMPLAINT = "一网格的小区门口路灯坏了一个多月了"

HOSTILE: dict[str, str | bytes] = {
    "binary frame": b"\x00\xff\xfe binary",
    "empty binary frame": b"",
    "a 400-digit latitude": '{"type":"location","id":"fuzz-0001","latitude":' + "9" * 400 + ',"longitude":121.47}',
    "a 400-digit negative longitude": '{"type":"location","id":"fuzz-0002","latitude":31,"longitude":-' + "1" * 400 + "}",
    "more digits than Python converts": '{"id":' + "7" * 5000 + "}",
    "a latitude of 1e400": '{"type":"location","id":"fuzz-0003","latitude":1e400,"longitude":121.47}',
    "NaN": '{"type":"location","id":"fuzz-0004","latitude":NaN,"longitude":121.47}',
    "5000 open brackets": "[" * 5000,
    "5000 nested objects": '{"a":' * 5000 + "1" + "}" * 5000,
    "deep nesting inside a message": '{"type":"text","id":"fuzz-0005","text":' + "[" * 3000 + "]" * 3000 + "}",
    "a JSON list": "[]",
    "a JSON number": "42",
    "a JSON string": '"你好"',
    "null": "null",
    "not JSON": "你好",
    "an id with a lone surrogate": '{"type":"text","id":"fuzz-\\ud83d-0006","text":"你好"}',
    "an id of the wrong kind": '{"type":"text","id":12345678,"text":"你好"}',
    "an unknown type": '{"type":"sticker","id":"fuzz-0007"}',
    "a 100,000-character frame that is not JSON": "长" * 100_000,
}


STACK_OPTIONS = {"real_dialogue": True}  # the real flows/ dialogue with keyword understanding


class Resident:
    """A resident's tab: raw frames in, the server's frames out."""

    def __init__(self, socket: ClientConnection, cookie: str) -> None:
        self.socket, self.cookie, self.sent = socket, cookie, 0

    async def next(self, timeout: float = 10) -> dict[str, Any]:
        return json.loads(await asyncio.wait_for(self.socket.recv(), timeout))

    async def send(self, **payload: Any) -> str:
        self.sent += 1
        payload.setdefault("id", f"fuzz-{uuid.uuid4().hex}-{self.sent:04d}")
        await self.socket.send(json.dumps(payload))
        return payload["id"]

    async def until(self, *kinds: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Replies up to the first frame of one of `kinds`."""
        replies = []
        while (message := await self.next())["type"] not in kinds:
            assert message["type"] == "reply", message
            replies.append(message)
        return replies, message


async def open_tab(stack: WebStack) -> AsyncIterator[Resident]:
    async with httpx.AsyncClient(base_url=stack.url) as client:
        cookie = (await client.get("/")).cookies[COOKIE]
    async with connect(stack.url.replace("http", "ws") + "/ws", additional_headers={"Cookie": f"{COOKIE}={cookie}"},
                       max_size=None) as socket:
        resident = Resident(socket, cookie)
        assert (await resident.next())["type"] == "history"
        yield resident


@pytest_asyncio.fixture(loop_scope="module")
async def tab(stack: WebStack) -> AsyncIterator[Resident]:
    async for resident in open_tab(stack):
        yield resident


async def test_every_hostile_frame_is_answered_and_the_socket_keeps_serving(tab: Resident) -> None:
    for name, frame in HOSTILE.items():
        await tab.socket.send(frame)
        answer = await tab.next()
        assert answer["type"] == "notice" and re.search(r"[\u4e00-\u9fff]", answer["text"]), name  # in Chinese
    assert "文字" in await _answer(tab, b"\x01")
    assert "没有看懂" in await _answer(tab, "[" * 5000)
    assert "太长" in await _answer(tab, "长" * 100_000)
    await tab.send(type="text", text=COMPLAINT)
    replies, _ = await tab.until("ack")
    assert "路灯" in "\n".join(r["text"] for r in replies)


async def _answer(tab: Resident, frame: str | bytes) -> str:
    await tab.socket.send(frame)
    return str((await tab.next())["text"])


@pytest.mark.parametrize("ascii_only", [True, False], ids=["escaped", "utf-8"])
async def test_a_100000_character_message_is_refused_politely_not_closed(tab: Resident, ascii_only: bool) -> None:
    frame = json.dumps({"type": "text", "id": "fuzz-long-0001", "text": "长" * 100_000}, ensure_ascii=ascii_only)
    assert len(frame.encode()) < WS_MAX_BYTES
    await tab.socket.send(frame)
    refused = await tab.next()
    assert refused["type"] == "refused" and refused["id"] == "fuzz-long-0001"  # the page marks it 未发送
    assert "您的消息太长了（最多 2000 字）" in refused["text"]
    await tab.send(type="text", text=COMPLAINT)
    replies, _ = await tab.until("ack")
    assert replies


async def test_a_lone_surrogate_at_the_summary_files_once_and_the_resident_is_told(
    stack: WebStack, tab: Resident
) -> None:
    await tab.send(type="text", text=COMPLAINT)
    replies, _ = await tab.until("ack")
    assert "确认提交" in {c["label"] for c in replies[-1]["choices"]}
    await tab.socket.send('{"type":"text","id":"fuzz-surrogate-01","text":"确认提交\\ud83d"}')
    replies, ack = await tab.until("ack", "error")
    assert ack == {"type": "ack", "id": "fuzz-surrogate-01"}
    [number] = {n for r in replies for n in NUMBER.findall(r["text"])}
    async with stack.app.uow() as uow:
        assert (await uow.cases.get(number)).user_ref == user_ref_for(tab.cookie)
    said = [i.text for i in await stack.store.history("web", user_ref_for(tab.cookie), 100) if i.direction == "in"]
    assert said[-1] == "确认提交"


class SlowDialogue:
    """The real dialogue, answering only after the resident has closed the tab."""

    def __init__(self, handle: Callable[[Inbound], Awaitable[list[Reply]]], closed: asyncio.Event) -> None:
        self.real, self.closed = handle, closed

    async def handle(self, inbound: Inbound) -> list[Reply]:
        replies = await self.real(inbound)
        await asyncio.wait_for(self.closed.wait(), 10)
        await asyncio.sleep(0.2)  # the server has seen the close by now
        return replies


async def close_mid_turn(stack: WebStack, closed: asyncio.Event) -> str:
    """A tab that sends a message and closes at once, as a browser does; returns its cookie."""
    async for resident in open_tab(stack):
        await resident.send(type="text", text=COMPLAINT)
        await asyncio.sleep(0.2)
    closed.set()
    return resident.cookie


async def close_frame_mid_turn(stack: WebStack, closed: asyncio.Event) -> str:
    """A client that sends its close frame but keeps the connection open while the turn runs."""
    async with httpx.AsyncClient(base_url=stack.url) as client:
        cookie = (await client.get("/")).cookies[COOKIE]
    host, port = stack.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    protocol = ClientProtocol(parse_uri(f"ws://{host}:{port}/ws"))
    request = protocol.connect()
    request.headers["Cookie"] = f"{COOKIE}={cookie}"
    protocol.send_request(request)
    writer.write(b"".join(protocol.data_to_send()))
    events: list[object] = []
    while not any(isinstance(e, Frame) for e in events):  # the handshake, then the history
        protocol.receive_data(await reader.read(65_536))
        events += protocol.events_received()
    protocol.send_text(json.dumps({"type": "text", "id": "fuzz-closing-0001", "text": COMPLAINT}).encode())
    protocol.send_close(1001)
    writer.write(b"".join(protocol.data_to_send()))
    await asyncio.sleep(0.2)
    closed.set()
    await asyncio.sleep(0.5)  # the server answers the closed socket now
    writer.close()
    return cookie


async def restart_mid_turn(stack: WebStack, closed: asyncio.Event) -> str:
    """The server closes every tab (1012, a restart) while the turn runs."""
    async for resident in open_tab(stack):
        await resident.send(type="text", text=COMPLAINT)
        await asyncio.sleep(0.2)
        await stack.hub.close_all()
        closed.set()
        assert (await resident.socket.wait_closed()) is None and resident.socket.close_code == 1012
    return resident.cookie


@pytest.mark.parametrize("leave", [close_mid_turn, close_frame_mid_turn, restart_mid_turn],
                         ids=["closed", "close frame only", "server restart"])
async def test_a_tab_closed_mid_turn_leaves_the_turn_stored_and_no_error(
    stack: WebStack, leave: Callable[[WebStack, asyncio.Event], Awaitable[str]],
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    closed = asyncio.Event()
    monkeypatch.setattr(stack.dialogue, "handle", SlowDialogue(stack.dialogue.handle, closed).handle)
    caplog.set_level(logging.INFO)
    ref = user_ref_for(await leave(stack, closed))
    for _ in range(100):
        if stack.hub.online(ref) == 0:
            break
        await asyncio.sleep(0.05)
    monkeypatch.undo()
    lines = await stack.store.history("web", ref, 100)
    assert [i.direction for i in lines][:1] == ["in"] and len(lines) >= 2  # the turn ran and was kept
    assert stack.hub.online(ref) == 0
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
