"""The web chat with the real dialogue (flows/): a resident files a case, comes back, hears of progress."""

import asyncio
import json
import re
import uuid
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from bot.web.resident import COOKIE, user_ref_for
from handlers import commands as c
from tests.fakes.web_stack import WebStack

pytestmark = pytest.mark.asyncio(loop_scope="module")
NUMBER = re.compile(r"MS-\d{8}-\d{4}")


STACK_OPTIONS = {"real_dialogue": True}  # the real flows/ dialogue with keyword understanding


async def turn(ws: Any, n: int, **payload: Any) -> list[dict[str, Any]]:
    await ws.send(json.dumps({"id": f"turn-{n:04d}-{uuid.uuid4().hex}", **payload}))
    replies = []
    while (message := json.loads(await asyncio.wait_for(ws.recv(), 10)))["type"] != "ack":
        assert message["type"] == "reply", message
        replies.append(message)
    return replies


def offered(replies: list[dict[str, Any]]) -> dict[str, str]:
    return {c["label"]: c["value"] for c in replies[-1]["choices"]}


async def test_a_resident_files_a_case_through_the_real_dialogue_and_hears_of_progress(stack: WebStack) -> None:
    async with httpx.AsyncClient(base_url=stack.url) as client:
        token = (await client.get("/")).cookies[COOKIE]
    socket = stack.url.replace("http", "ws") + "/ws"
    async with connect(socket, additional_headers={"Cookie": f"{COOKIE}={token}"}) as ws:
        assert json.loads(await ws.recv())["items"] == []
        replies = await turn(ws, 1, type="text", text="一网格的小区门口路灯坏了一个多月了")
        said = "\n".join(r["text"] for r in replies)  # what is certain is said, not asked
        assert "便民服务诉求为您登记" in said and "地点记为：试验街道试验社区一网格" in said
        assert "直接回复手机号" in said  # the phone is offered at the summary, not asked
        replies = await turn(ws, 2, type="choice", value=offered(replies)["确认提交"])
        [number] = {m for r in replies for m in NUMBER.findall(r["text"])}
        async with stack.app.uow() as uow:
            case = await uow.cases.get(number)
        assert (case.channel, case.user_ref, case.grid_code) == ("web", user_ref_for(token), "T01-C01-G01")

        await stack.app.bus.handle(c.AcceptCase(actor="staff:li", number=number))
        deliverer = stack.app.deliverer()
        while (await deliverer.deliver_due()).sent:
            pass
        push = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert push["type"] == "push" and number in push["text"] and "签收" in push["text"]

    async with connect(socket, additional_headers={"Cookie": f"{COOKIE}={token}"}) as ws:
        items = json.loads(await ws.recv())["items"]
    assert items[0] == {"role": "resident", "text": "一网格的小区门口路灯坏了一个多月了", "choices": [], "key": None}
    assert any(number in i["text"] and i["role"] == "bot" for i in items)
    assert items[-1]["key"] and "签收" in items[-1]["text"]  # the push, kept for a resident who comes back
