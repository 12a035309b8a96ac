"""Resident ids through the real app (issue 12, item 2): only ids the server signed open the chat,
an old unsigned token with a conversation is signed once and keeps it, one address gets a few new
ids, and new residents share one budget while established ones are served."""

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from websockets.asyncio.client import connect

from bot.web.admission import ResidentIds, web_secret
from bot.web.resident import ADDRESS_BUSY, COOKIE, NEWCOMERS_BUSY, NEWCOMERS_QUEUED, STALE, user_ref_for
from flows.messages import Inbound
from tests.fakes.web_stack import WebStack, scratch_database, web_stack

pytestmark = pytest.mark.asyncio(loop_scope="module")
PER_ADDRESS = 3


STACK_OPTIONS = {"limits": {"new_residents_per_address": PER_ADDRESS}}


async def page(stack: WebStack, address: str, cookie: str | None = None) -> httpx.Response:
    """The chat page as a browser at `address` loads it (behind the proxy that says so)."""
    cookies = {COOKIE: cookie} if cookie else None
    async with httpx.AsyncClient(base_url=stack.url, headers={"X-Forwarded-For": address}, cookies=cookies) as client:
        return await client.get("/")


def socket(stack: WebStack, cookie: str | None, address: str = "127.0.0.1") -> Any:
    headers = {"X-Forwarded-For": address} | ({"Cookie": f"{COOKIE}={cookie}"} if cookie else {})
    return connect(stack.url.replace("http", "ws") + "/ws", additional_headers=headers)


async def turned_away(stack: WebStack, cookie: str | None, address: str = "127.0.0.1") -> tuple[dict[str, Any], int]:
    async with socket(stack, cookie, address) as ws:
        frame = json.loads(await ws.recv())
        await ws.wait_closed()
        return frame, ws.close_code


async def say(ws: Any, text: str, message_id: str) -> dict[str, Any]:
    """The frame that settles the message: its ack, or its refusal."""
    await ws.send(json.dumps({"type": "text", "id": message_id, "text": text}))
    while (frame := json.loads(await ws.recv()))["type"] not in ("ack", "refused", "error"):
        pass
    return frame


async def test_an_invented_id_is_sent_to_reload_and_the_page_gives_a_real_one(stack: WebStack) -> None:
    issued = (await page(stack, "10.1.0.1")).cookies[COOKIE]
    token, when, _ = issued.split(".")
    for invented in ("made-up-resident-0001", f"{token}.{when}.forged-signature-xxxxxxxxxxx", "x" * 300):
        frame, code = await turned_away(stack, invented)
        assert (frame, code) == ({"type": "error", "text": STALE}, 4401)
    reload = await page(stack, "10.1.0.1", "made-up-resident-0001")
    fresh = reload.cookies[COOKIE]
    assert fresh != issued and "HttpOnly" in reload.headers["set-cookie"]
    async with socket(stack, fresh) as ws:
        assert json.loads(await ws.recv())["type"] == "history"
        assert (await say(ws, "小区门口的路灯坏了", "admit-0001"))["type"] == "ack"


async def test_an_old_token_with_a_conversation_is_signed_and_keeps_it(stack: WebStack) -> None:
    old = "Resident-from-before-signing-01"
    await stack.dialogue.handle(Inbound("web", user_ref_for(old), "before-signing-01", text="噪音扰民"))
    _, code = await turned_away(stack, old)  # a tab open across the upgrade: reload
    assert code == 4401
    migrated = (await page(stack, "10.1.0.2", old)).cookies[COOKIE]
    assert migrated.startswith(old + ".") and user_ref_for(migrated) == user_ref_for(old)
    async with socket(stack, migrated) as ws:
        items = json.loads(await ws.recv())["items"]
        assert items[0]["text"] == "噪音扰民"
        assert (await say(ws, "是的", "admit-0002"))["type"] == "ack"
    assert (await page(stack, "10.1.0.2", migrated)).headers.get("set-cookie") is None  # signed once


async def test_an_old_looking_token_without_a_conversation_gains_nothing(stack: WebStack) -> None:
    invented = "Nobody-ever-had-this-token-0001"
    fresh = (await page(stack, "10.1.0.3", invented)).cookies[COOKIE]
    assert not fresh.startswith(invented) and user_ref_for(fresh) != user_ref_for(invented)


async def test_one_address_gets_a_few_new_ids_and_is_told_when_to_come_back(stack: WebStack) -> None:
    cookies = [(await page(stack, "10.2.0.1")).cookies.get(COOKIE) for _ in range(PER_ADDRESS + 1)]
    assert all(cookies[:PER_ADDRESS]) and cookies[PER_ADDRESS] is None
    frame, code = await turned_away(stack, None, "10.2.0.1")
    assert code == 4429 and frame["text"] == ADDRESS_BUSY.format(minutes=20)
    frame, code = await turned_away(stack, None, "10.2.0.2")  # elsewhere: cookies must be off
    assert code == 4401 and "Cookie" in frame["text"]
    assert (await page(stack, "10.2.0.2")).cookies.get(COOKIE)
    async with socket(stack, cookies[0], "10.2.0.1") as ws:  # ids already given keep working
        assert json.loads(await ws.recv())["type"] == "history"


@pytest_asyncio.fixture(loop_scope="module")
async def tight(sqlite_template: Path, tmp_path: Path) -> AsyncIterator[WebStack]:
    url = await scratch_database("sqlite", tmp_path, sqlite_template, None)
    async with web_stack(url, limits={"new_resident_messages_per_minute": 30}) as running:  # three at once
        yield running


async def test_new_residents_share_a_budget_and_established_ones_are_served(tight: WebStack) -> None:
    first, second = [(await page(tight, f"10.3.0.{n}")).cookies[COOKIE] for n in (1, 2)]
    ids = ResidentIds(web_secret(tight.app.settings))
    regular = ids.issue(issued=int(tight.app.policies.clock.now().timestamp()) - 2 * 3600)  # issued on an earlier visit
    async with socket(tight, first) as a, socket(tight, regular) as c:  # opening a new resident's chat: one
        for ws in (a, c):
            await ws.recv()
        assert [(await say(a, f"第{n}次", f"first-{n:04d}"))["type"] for n in range(2)] == ["ack"] * 2  # two, three
        frame, code = await turned_away(tight, second)  # queued: the page reconnects shortly
        assert (frame, code) == ({"type": "error", "text": NEWCOMERS_QUEUED}, 4503)
        refused = await say(a, "我还想补充", "first-0002")
        assert refused == {"type": "refused", "id": "first-0002", "text": NEWCOMERS_BUSY}
        assert [(await say(c, f"第{n}次", f"regular-{n:04d}"))["type"] for n in range(5)] == ["ack"] * 5
