"""A clerk sees only their own department's cases, on every page that shows a case, on SQLite and
PostgreSQL: another department's case file and its actions, that department's queue, the search, the
dispatch list, the statistics and their CSV exports, the hotline console and the admin pages are all
closed to them, and they cannot merge their case into another department's; their own stays open."""

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from bot.web.staff.dashboard import TABLES
from handlers import commands as c
from tests.fakes.web_stack import WebStack
from tests.integration.test_staff_pages import numbers_in, sign_in

pytestmark = pytest.mark.asyncio(loop_scope="module")
MINE, THEIRS = "C-T01-C01", "W-T01-C01-G02"


@pytest_asyncio.fixture(loop_scope="module", autouse=True)
async def closing(stack: WebStack) -> AsyncIterator[None]:
    yield
    for client in stack.__dict__.pop("clients", []):
        await client.aclose()


async def held_by(stack: WebStack, department: str, text: str) -> str:
    """A case the dispatcher sent to `department`."""
    filed = await stack.app.bus.handle(c.FileCase(
        actor="resident", text=text, channel="web", user_ref="web:scope", category="service", topic="城乡建设",
        category_confidence=0.2, topic_confidence=0.2, grid_code="T01-C01-G02", phone="13912340000"))
    await stack.app.bus.handle(c.DispatchCase("staff:disp", filed.number, department))
    return filed.number


async def test_a_clerk_sees_only_their_own_departments_cases(stack: WebStack) -> None:
    theirs = await held_by(stack, THEIRS, "二网格菜市场门口污水外溢，气味很大")
    ours = await held_by(stack, MINE, "小区东门路灯坏了三盏，晚上看不清路")
    clerk = await sign_in(stack, "scope-clerk", "clerk", MINE)

    assert (await clerk.get(f"/cases/{ours}")).status_code == 200
    file = await clerk.get(f"/cases/{theirs}")
    assert file.status_code == 403 and "这件诉求不在您所在部门办理" in file.text and "污水外溢" not in file.text
    for action in ("accept", "note", "return", "resolve", "transfer", "extension", "dispatch", "reclassify",
                   "supervise"):
        assert (await clerk.post(f"/cases/{theirs}/{action}", note="越权", reason="越权", reply="越权",
                                 department=MINE)).status_code == 403, action
    assert (await clerk.post(f"/cases/{ours}/merge", other=theirs)).status_code == 403  # theirs is the older

    assert numbers_in((await clerk.get("/queue")).text) == [ours]
    assert (await clerk.get("/queue", dept=THEIRS)).status_code == 403
    for query in (theirs, "污水外溢", "0000"):
        assert numbers_in((await clerk.get("/search", q=query)).text) == ([ours] if query == "0000" else []), query
    assert numbers_in((await clerk.get("/search", q="路灯")).text) == [ours]

    for path in ("/dispatch", "/supervise", "/dashboard", *(f"/dashboard/{table}.csv" for table in TABLES)):
        assert (await clerk.get(path)).status_code == 403, path
    async with stack.app.uow() as uow:
        assert (await uow.cases.get(theirs)).status.value == "dispatched"  # untouched by the refused actions

    console = httpx.AsyncClient(base_url=stack.url, cookies=clerk.client.cookies)
    stack.__dict__["clients"].append(console)
    assert (await console.get(f"/console/cases/{theirs}")).status_code == 403
    for path in ("/console/admin/accounts", "/console/admin/registry", "/console/admin/models"):
        assert (await console.get(path)).status_code == 403, path
