"""The resident web chat over a real server and WebSocket: conversation, resume, pushes, limits."""

import asyncio
import itertools
import json
import re
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus

from bot.web.resident import COOKIE, user_ref_for
from handlers import commands as c
from handlers.ports import Notification
from storage.models import OutboxRow
from tests.fakes.web_stack import WebStack

pytestmark = pytest.mark.asyncio(loop_scope="module")




async def new_resident(stack: WebStack) -> str:
    async with httpx.AsyncClient(base_url=stack.url) as client:
        page = await client.get("/")
    return page.cookies[COOKIE]


_PAGE_IDS = itertools.count()  # each tab's ids its own, as chat.js draws them at random


class Tab:
    """One browser tab's WebSocket, read message by message."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.ids = 0

    async def next(self, kind: str | None = None, timeout: float = 5) -> dict[str, Any]:
        while True:
            message = json.loads(await asyncio.wait_for(self.socket.recv(), timeout))
            if kind is None or message["type"] == kind:
                return message

    async def send(self, **payload: Any) -> str:
        self.ids += 1
        payload.setdefault("id", f"msg-{next(_PAGE_IDS)}-{self.ids:04d}")
        await self.socket.send(json.dumps(payload))
        return payload["id"]

    async def say(self, text: str) -> list[dict[str, Any]]:
        return await self.turn(type="text", text=text)

    async def turn(self, **payload: Any) -> list[dict[str, Any]]:
        sent = await self.send(**payload)
        replies = []
        while (message := await self.next())["type"] != "ack":
            assert message["type"] == "reply", message
            replies.append(message)
        assert message["id"] == sent
        return replies


def tab(stack: WebStack, token: str | None, origin: str | None = None) -> Any:
    headers = {"Cookie": f"{COOKIE}={token}"} if token else {}
    return connect(stack.url.replace("http", "ws") + "/ws", additional_headers=headers, origin=origin)


async def test_the_page_is_chinese_self_contained_and_sets_a_resident_cookie(stack: WebStack) -> None:
    async with httpx.AsyncClient(base_url=stack.url) as client:
        page = await client.get("/")
        assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        for asset in assets:
            assert asset.startswith("/static/"), asset  # nothing from a CDN
            assert (await client.get(asset)).status_code == 200
    assert 'lang="zh-CN"' in page.text and "诉求在线受理" in page.text and "viewport" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    cookie = page.headers["set-cookie"]
    assert COOKIE in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie


async def test_a_resident_files_a_case_and_finds_the_conversation_after_a_reload(stack: WebStack) -> None:
    token = await new_resident(stack)
    async with tab(stack, token) as socket:
        chat = Tab(socket)
        assert (await chat.next("history"))["items"] == []
        [question] = await chat.say("楼道的灯坏了好几天了")
        assert [c["value"] for c in question["choices"]] == ["yes", "no"]
        [ask] = await chat.turn(type="choice", value="yes")
        assert ask["request_location"] is True
        [filed] = await chat.turn(type="location", latitude=31.23, longitude=121.47)
        number = filed["text"].removeprefix("已受理，编号 ").rstrip("。")
    async with stack.app.uow() as uow:
        case = await uow.cases.get(number)
    assert (case.channel, case.user_ref) == ("web", user_ref_for(token))
    async with tab(stack, token) as socket:  # a reload: same cookie, history shown
        items = (await Tab(socket).next("history"))["items"]
    assert [i["role"] for i in items] == ["resident", "bot"] * 3
    assert items[0]["text"] == "楼道的灯坏了好几天了" and items[-1]["text"] == filed["text"]


async def test_status_pushes_arrive_live_and_stay_in_the_history(stack: WebStack) -> None:
    token = await new_resident(stack)
    async with tab(stack, token) as socket, tab(stack, token) as second:
        chat, other = Tab(socket), Tab(second)
        await chat.next("history"), await other.next("history")
        await chat.say("小区垃圾没人清运")
        await chat.turn(type="choice", value="yes")
        [filed] = await chat.turn(type="location", latitude=31.2, longitude=121.4)
        number = filed["text"].removeprefix("已受理，编号 ").rstrip("。")
        await stack.app.bus.handle(c.AcceptCase(actor="staff:li", number=number))
        deliverer = stack.app.deliverer()
        while (await deliverer.deliver_due()).sent:
            pass
        pushes = [await chat.next("push") for _ in range(3)]
        assert pushes[-1]["text"] == f"您的诉求 {number} 已由 试验社区居委会 签收，正在安排办理。"
        assert (await other.next("push"))["key"] == pushes[0]["key"]  # every open tab hears it
        # a retried delivery of the same push adds nothing to the history
        notification = await _notification(stack, pushes[-1]["key"])
        await stack.app.notifiers["web"].send(notification)
    async with tab(stack, token) as socket:
        items = (await Tab(socket).next("history"))["items"]
    keyed = [i for i in items if i["key"]]
    assert [i["key"] for i in keyed] == [p["key"] for p in pushes]


async def _notification(stack: WebStack, key: str) -> Notification:
    async with stack.app.sessions() as session:
        row = (await session.execute(select(OutboxRow).where(OutboxRow.key == key))).scalar_one()
    return Notification(row.key, row.case_number, row.channel, row.recipient, row.text, tuple(row.choices))


async def test_a_message_resent_after_a_reconnect_counts_once(stack: WebStack) -> None:
    token = await new_resident(stack)
    for _ in range(2):
        async with tab(stack, token) as socket:
            chat = Tab(socket)
            await chat.next("history")
            replies = await chat.turn(type="text", text="噪音扰民", id="same-message-0001")
            assert replies[0]["text"] == "您反映的是：噪音扰民，对吗？"
    ref = user_ref_for(token)
    assert [i.text for i in stack.dialogue.inbound if i.user_ref == ref] == ["噪音扰民"]


async def test_flooding_one_resident_is_throttled_politely_while_another_is_served(stack: WebStack) -> None:
    flooder, neighbour = await new_resident(stack), await new_resident(stack)
    async with tab(stack, flooder) as a, tab(stack, neighbour) as b:
        noisy, calm = Tab(a), Tab(b)
        await noisy.next("history"), await calm.next("history")
        outcomes = []
        for i in range(12):
            await noisy.send(type="text", text=f"第{i}次反映")
            while (m := await noisy.next())["type"] not in ("ack", "refused"):
                pass
            outcomes.append(m)
        [reply] = await calm.say("我家门口的井盖丢了")
        assert "井盖" in reply["text"]
    assert [m["type"] for m in outcomes] == ["ack"] * 8 + ["refused"] * 4
    notices = [m["text"] for m in outcomes if m["type"] == "refused" and m["text"]]
    assert len(notices) == 1 and "稍等" in notices[0]


async def test_an_over_long_message_is_refused_with_a_reason(stack: WebStack) -> None:
    async with tab(stack, await new_resident(stack)) as socket:
        chat = Tab(socket)
        await chat.next("history")
        await chat.send(type="text", text="长" * 2001)
        refused = await chat.next("refused")
    assert "太长" in refused["text"] and "2000" in refused["text"]


async def test_a_foreign_page_cannot_open_the_residents_socket(stack: WebStack) -> None:
    token = await new_resident(stack)
    with pytest.raises(InvalidStatus) as refused:
        async with tab(stack, token, origin="http://evil.example"):
            pass
    assert refused.value.response.status_code == 403
    async with tab(stack, None) as socket:  # no cookie: told why, then closed
        message = json.loads(await socket.recv())
    assert message["type"] == "error" and "Cookie" in message["text"]


async def test_malformed_frames_get_an_answer_not_a_crash(stack: WebStack) -> None:
    async with tab(stack, await new_resident(stack)) as socket:
        chat = Tab(socket)
        await chat.next("history")
        for frame in ("not json", "[]", json.dumps({"type": "location", "id": "abcdefgh", "latitude": "x"})):
            await socket.send(frame)
            assert (await chat.next())["type"] == "notice"
        [reply] = await chat.say("还能继续说话吗")
    assert "还能继续说话吗" in reply["text"]


async def test_two_residents_whose_pages_pick_the_same_message_id_each_get_their_own_answer(stack: WebStack) -> None:
    async with tab(stack, await new_resident(stack)) as one, tab(stack, await new_resident(stack)) as two:
        first, second = Tab(one), Tab(two)
        await first.next("history"), await second.next("history")
        mine = await first.turn(type="text", text="小区门口的井盖丢了", id="same-id-from-two-pages")
        theirs = await second.turn(type="text", text="楼上天天半夜装修", id="same-id-from-two-pages")
    assert "井盖" in mine[0]["text"] and "装修" in theirs[0]["text"]
