"""Patrol reports through the real web app (issue 14, part 1): a grid worker signed in to the staff
console reports in the web chat, settled on the spot or sent on; the dashboard counts both as 巡查,
apart from residents' cases. Residents never reach the patrol flow, and a grid worker sees and
annotates only their own grids' cases. On SQLite and PostgreSQL."""

import asyncio
import json
import re
import uuid
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from bot.web.accounts import add_staff, open_session
from bot.web.auth import STAFF_COOKIE
from bot.web.resident import COOKIE, staff_ref, user_ref_for
from handlers.case import Case
from handlers.status import Status
from tests.fakes.web_stack import PASSWORD, WebStack
from tests.support import outbox_rows

pytestmark = pytest.mark.asyncio(loop_scope="module")
NUMBER = re.compile(r"MS-\d{8}-\d{4}")
WORK = "/console/work"


STACK_OPTIONS = {"real_dialogue": True}  # the real flows/ dialogue with keyword understanding


async def signed_in(stack: WebStack, username: str, role: str, grids: tuple[str, ...] = ()) -> tuple[str, str]:
    """(session cookie, CSRF token) of a member signed in as the login page signs them in."""
    now = stack.app.policies.clock.now()
    member = await add_staff(stack.app.sessions, username, PASSWORD, role, None, now, reset=True, grids=grids)
    token, session = await open_session(stack.app.sessions, member, now, 8)
    return token, session.csrf_token


async def turn(ws: Any, n: int, **payload: Any) -> str:
    await ws.send(json.dumps({"id": f"patrol-{n:04d}-{uuid.uuid4().hex}", **payload}))
    replies = []
    while (message := json.loads(await asyncio.wait_for(ws.recv(), 10)))["type"] != "ack":
        assert message["type"] == "reply", message
        replies.append(message)
    return "\n".join(r["text"] for r in replies)


async def report(stack: WebStack, cookie: str, text: str, choice: str) -> Case:
    """One patrol report in the web chat, as the worker's phone sends it: words, then the ending chosen."""
    async with connect(stack.url.replace("http", "ws") + "/ws", additional_headers={"Cookie": cookie}) as ws:
        json.loads(await ws.recv())  # the history the page draws first
        summary = await turn(ws, 1, type="text", text=text)
        assert "巡查上报：" in summary and "联系方式" not in summary
        filed = await turn(ws, 2, type="choice", value=choice)
    [number] = NUMBER.findall(filed)
    async with stack.app.uow() as uow:
        return await uow.cases.get(number)


async def test_a_grid_worker_reports_in_the_web_chat_and_it_counts_as_patrol(stack: WebStack) -> None:
    token, _ = await signed_in(stack, "wangxh", "grid_worker", ("T01-C01-G01",))
    cookie = f"{STAFF_COOKIE}={token}"
    async with httpx.AsyncClient(base_url=stack.url, cookies={STAFF_COOKIE: token}) as browser:
        page = (await browser.get("/")).text
    assert "网格员巡查上报" in page and 'href="/console/work/grid"' in page

    settled = await report(stack, cookie, "楼道里堆满了纸箱杂物，已劝说住户当场清理完毕", "settled")
    assert (settled.source, settled.status, settled.grid_code) == ("patrol", Status.CLOSED, "T01-C01-G01")
    assert (settled.channel, settled.user_ref, settled.events[0].actor) == ("web", staff_ref("wangxh"), "staff:wangxh")
    assert [e.kind for e in settled.events] == ["filed", "dispatched", "accepted", "resolved", "closed"]
    assert settled.department == "W-T01-C01-G01"

    sent_on = await report(stack, cookie, "二网格路口的井盖破损塌陷，需要更换", "report")
    assert (sent_on.source, sent_on.grid_code) == ("patrol", "T01-C01-G02")  # the words named another grid
    assert sent_on.status is Status.DISPATCHED
    pushes = [row for row in await outbox_rows(stack.app) if row.recipient == staff_ref("wangxh")]
    assert pushes and all(row.status == "sent" for row in pushes)  # the chat's own answers said it all

    chief, _ = await signed_in(stack, "chief", "supervisor")
    async with httpx.AsyncClient(base_url=stack.url, cookies={STAFF_COOKIE: chief}) as supervisor:
        board = (await supervisor.get(f"{WORK}/dashboard")).text
        csv = (await supervisor.get(f"{WORK}/dashboard/patrol.csv")).text
    assert re.search(r"巡查 2 件", board) and re.search(r"群众反映 \d+ 件", board)
    table = board.split('id="patrol"', 1)[1].split("</table>", 1)[0]
    assert re.search(r"<td>网格</td><td>试验街道试验社区一网格</td><td>1</td><td>1</td><td>0</td>", table)
    assert re.search(r"<td>网格</td><td>试验街道试验社区二网格</td><td>1</td><td>0</td><td>1</td>", table)
    assert re.search(r"<td>网格员</td><td>工作人员 wangxh</td><td>2</td><td>1</td><td>1</td>", table)
    assert "网格员,工作人员 wangxh,2,1,1" in csv.replace("\r", "")


async def test_a_resident_cannot_reach_the_patrol_flow(stack: WebStack) -> None:
    clerk, _ = await signed_in(stack, "clerk2", "clerk")  # staff of another role chat as residents
    async with httpx.AsyncClient(base_url=stack.url, cookies={STAFF_COOKIE: clerk}) as client:
        page = await client.get("/")
        resident = page.cookies[COOKIE]
    assert "网格员巡查上报" not in page.text
    cookie = f"{COOKIE}={resident}; {STAFF_COOKIE}={clerk}"
    async with connect(stack.url.replace("http", "ws") + "/ws", additional_headers={"Cookie": cookie}) as ws:
        json.loads(await ws.recv())
        said = await turn(ws, 1, type="text", text="巡查上报：一网格的小区门口路灯坏了一个多月了")
        assert "请核对您要反映的内容" in said and "情况：" not in said and "已现场化解" not in said
        filed = await turn(ws, 2, type="text", text="确认提交")
    [number] = NUMBER.findall(filed)
    async with stack.app.uow() as uow:
        case = await uow.cases.get(number)
    assert (case.source, case.user_ref) == ("resident", user_ref_for(resident))


async def test_a_grid_worker_sees_and_annotates_only_their_grids(stack: WebStack) -> None:
    token, csrf = await signed_in(stack, "lichm", "grid_worker", ("T01-C01-G02",))
    async with stack.app.uow() as uow:
        open_cases = await uow.cases.find(statuses=[s for s in Status if s not in (Status.CLOSED, Status.CANCELLED)])
    mine = next(c for c in open_cases if c.grid_code == "T01-C01-G02")
    other = next(c for c in open_cases if c.grid_code == "T01-C01-G01")
    async with httpx.AsyncClient(base_url=stack.url, cookies={STAFF_COOKIE: token}) as worker:
        todo = (await worker.get(f"{WORK}/grid")).text
        assert mine.number in todo and other.number not in todo and "巡查" in todo
        assert (await worker.get(f"{WORK}/cases/{other.number}")).status_code == 403
        assert (await worker.get(f"{WORK}/queue")).status_code == 403
        assert (await worker.get(f"{WORK}/dashboard")).status_code == 403
        found = (await worker.get(f"{WORK}/search", params={"q": "路灯"})).text
        assert other.number not in found
        file = (await worker.get(f"{WORK}/cases/{mine.number}")).text
        assert 'id="note-form"' in file and 'id="resolve-form"' not in file and 'id="accept-form"' not in file
        assert "告知群众" not in file  # a 现场记录 is internal: it starts nothing and is pushed to no one
        noted = await worker.post(f"{WORK}/cases/{mine.number}/note",
                                  data={"csrf_token": csrf, "note": "现场查看：井盖已用围挡隔离", "audience": "resident"})
        assert noted.status_code == 303
        refused = await worker.post(f"{WORK}/cases/{other.number}/note", data={"csrf_token": csrf, "note": "x"})
        assert refused.status_code == 403
    async with stack.app.uow() as uow:
        annotated = await uow.cases.get(mine.number)
    last = annotated.events[-1]
    assert (last.kind, last.actor, last.note, last.changes.get("internal")) == (
        "noted", "staff:lichm", "现场查看：井盖已用围挡隔离", True)
    assert annotated.status is mine.status


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def test_a_grid_workers_photo_is_uploaded_filed_with_the_report_and_shown_to_staff_only(stack: WebStack) -> None:
    token, csrf = await signed_in(stack, "zhaowb", "grid_worker", ("T01-C01-G01",))
    async with httpx.AsyncClient(base_url=stack.url, cookies={STAFF_COOKIE: token}) as worker:
        assert 'id="photo"' in (await worker.get("/")).text
        assert (await worker.post("/photos", content=PNG, headers={"x-csrf-token": "forged"})).status_code == 403
        assert (await worker.post("/photos", content=b"GIF89a...", headers={"x-csrf-token": csrf})).status_code == 415
        uploaded = await worker.post("/photos", content=PNG, headers={"x-csrf-token": csrf})
        address = uploaded.json()["photo"]
        assert re.fullmatch(r"/console/work/photos/[0-9a-f]{64}\.png", address)
        shown = await worker.get(address)
        assert shown.content == PNG and shown.headers["content-type"] == "image/png"
    async with httpx.AsyncClient(base_url=stack.url) as anyone:
        page = await anyone.get("/")
        assert 'id="photo"' not in page.text
        assert (await anyone.post("/photos", content=PNG)).status_code == 403
        assert (await anyone.get(address)).status_code in (303, 401)  # staff only: sent to the login page
        resident = page.cookies[COOKIE]
    chat = stack.url.replace("http", "ws") + "/ws"
    async with connect(chat, additional_headers={"Cookie": f"{COOKIE}={resident}"}) as ws:
        json.loads(await ws.recv())
        await ws.send(json.dumps({"id": "resident-photo-1", "type": "photo", "photo": address}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "notice"

    cookie = f"{STAFF_COOKIE}={token}"
    async with connect(stack.url.replace("http", "ws") + "/ws", additional_headers={"Cookie": cookie}) as ws:
        json.loads(await ws.recv())
        assert "图片收到了" in await turn(ws, 1, type="photo", photo=address)
        summary = await turn(ws, 2, type="text", text="小区东门的围墙裂开一道大缝，有倒塌风险")
        assert "图片：1 张" in summary
        filed = await turn(ws, 3, type="choice", value="report")
    [number] = NUMBER.findall(filed)
    async with stack.app.uow() as uow:
        case = await uow.cases.get(number)
    assert case.attachments == (address,) and case.source == "patrol"
    chief, _ = await signed_in(stack, "chief", "supervisor")
    async with httpx.AsyncClient(base_url=stack.url, cookies={STAFF_COOKIE: chief}) as supervisor:
        file = (await supervisor.get(f"{WORK}/cases/{number}")).text
    assert f'href="{address}"' in file and "网格员拍摄的图片" in file and 'id="case-source">巡查<' in file


async def test_a_grid_worker_adds_a_photo_to_their_grids_case_with_a_note(stack: WebStack) -> None:
    token, csrf = await signed_in(stack, "lichm", "grid_worker", ("T01-C01-G02",))
    async with stack.app.uow() as uow:
        [case] = [c for c in await uow.cases.find() if c.grid_code == "T01-C01-G02" and c.status is Status.DISPATCHED]
    async with httpx.AsyncClient(base_url=stack.url, cookies={STAFF_COOKIE: token}) as worker:
        form = {"csrf_token": csrf, "note": "现场照片：井盖已围挡"}
        refused = await worker.post(f"{WORK}/cases/{case.number}/note", data=form,
                                    files={"photo": ("x.gif", b"GIF89a", "image/gif")})
        assert refused.status_code == 422 and "JPG、PNG 或 WebP" in refused.text
        no_photo = await worker.post(f"{WORK}/cases/{case.number}/note", data={**form, "note": "已到现场查看"},
                                     files={"photo": ("", b"", "application/octet-stream")})  # as a browser sends it
        assert no_photo.status_code == 303
        noted = await worker.post(f"{WORK}/cases/{case.number}/note", data=form,
                                  files={"photo": ("site.png", PNG, "image/png")})
        assert noted.status_code == 303
        file = (await worker.get(f"{WORK}/cases/{case.number}")).text
    async with stack.app.uow() as uow:
        *_, plain, last = (await uow.cases.get(case.number)).events
    assert plain.note == "已到现场查看" and "attachments" not in plain.changes
    [address] = last.changes["attachments"]
    assert (last.note, last.changes.get("internal")) == ("现场照片：井盖已围挡", True)
    assert f'href="{address}"' in file and "现场照片 1" in file
