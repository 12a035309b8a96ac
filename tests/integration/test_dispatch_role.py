"""Dispatching is a role (issue 17): `minsheng staff add --role dispatcher`, and a clerk of the dispatch
centre works as one. A dispatcher starts at the 分拨 list, where the routing rules' department is
already chosen in each form (or none is, when the rules have no answer), and never at a queue."""

import re
from dataclasses import replace

import httpx
import pytest
from sqlalchemy import create_engine, select
from typer.testing import CliRunner

from bot.cli.main import app as cli
from bot.web.accounts import add_staff
from handlers import commands as c
from handlers.status import Status
from storage.staff_models import StaffRow
from tests.fakes.web_stack import PASSWORD, WebStack
from tests.integration.test_staff_pages import BASE, filing, numbers_in, sign_in, stack  # noqa: F401 - stack: fixture
from tests.integration.test_web_console import csrf

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
SUGGESTED = '<option value="C-T01-C01" selected>'  # 试验社区居委会: service / 城乡建设 in 一网格 goes to the community


def unsure(text: str = "小区路灯坏了三盏，晚上看不清路", grid: str | None = "T01-C01-G01") -> c.FileCase:
    """A filing the classifier was unsure of, so routing sends it to 待人工分拨."""
    return replace(filing(text), category_confidence=0.3, topic_confidence=0.35, grid_code=grid)


def dispatch_form(html: str) -> str:
    return re.search(r'id="dispatch-form".*?</form>', html, re.S).group()  # type: ignore[union-attr]


async def test_a_dispatch_centre_clerk_signs_in_to_the_dispatch_list_and_dispatches(stack: WebStack) -> None:
    number = (await stack.app.bus.handle(unsure())).number
    await add_staff(stack.app.sessions, "hub", PASSWORD, "clerk", stack.app.policies.routing.dispatcher,
                    stack.app.policies.clock.now())
    async with httpx.AsyncClient(base_url=stack.url) as client:
        page = await client.get("/console/login")
        signed = await client.post("/console/login", data={"username": "hub", "password": PASSWORD,
                                                            "csrf_token": csrf(page.text)})
        assert signed.status_code == 303 and signed.headers["location"] == f"{BASE}/dispatch"
        listing = await client.get(f"{BASE}/dispatch")
        assert listing.status_code == 200 and "hub（分拨员）" in listing.text
        assert numbers_in(listing.text) == [number] and "待人工分拨" in listing.text
        assert SUGGESTED in listing.text and "按分拨规则建议：试验社区居委会" in listing.text
        assert (await client.get(f"{BASE}/queue")).status_code == 403
        sent = await client.post(f"{BASE}/cases/{number}/dispatch",
                                 data={"csrf_token": csrf(listing.text), "department": "C-T01-C01"})
        assert sent.status_code == 303
    async with stack.app.uow() as uow:
        case = await uow.cases.get(number)
    assert case.status is Status.DISPATCHED and case.department == "C-T01-C01"
    assert case.events[-1].actor == "staff:hub"


async def test_the_case_file_preselects_the_suggestion_and_nothing_when_there_is_none(stack: WebStack) -> None:
    bus = stack.app.bus
    sure = (await bus.handle(unsure("楼道灯坏了"))).number
    nowhere = (await bus.handle(unsure("路灯坏了，不知道在哪个网格", grid=None))).number
    returned = (await bus.handle(filing("井盖松动"))).number  # routed straight to the community …
    await bus.handle(c.ReturnCase("staff:clerk", returned, "属地不符", "在二网格"))  # … which sent it back
    dispatcher = await sign_in(stack, "disp", "dispatcher")
    start = await dispatcher.get("")
    assert start.status_code == 303 and start.headers["location"] == f"{BASE}/dispatch"
    assert SUGGESTED in dispatch_form((await dispatcher.get(f"/cases/{sure}")).text)
    for number in (nowhere, returned):
        form = dispatch_form((await dispatcher.get(f"/cases/{number}")).text)
        assert '<option value="">请选择派往部门</option>' in form and " selected" not in form
        assert "分拨规则给不出建议" in form
    assert (await dispatcher.get("/queue")).status_code == 403
    assert (await dispatcher.get("/supervise")).status_code == 403
    assert (await dispatcher.post(f"/cases/{sure}/dispatch", department="W-T01-C01-G02")).status_code == 303
    assert (await dispatcher.post(f"/cases/{sure}/accept")).status_code == 403  # 签收 is the department's


def test_staff_add_makes_a_dispatcher(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINSHENG_DATABASE_URL", db_url)
    runner = CliRunner()
    added = runner.invoke(cli, ["staff", "add", "fenbo", "--role", "dispatcher", "--password-stdin"],
                          input="a long enough password\n")
    assert added.exit_code == 0 and "已添加分拨员账号 fenbo" in added.output
    assert "dispatcher 分拨员" in runner.invoke(cli, ["staff", "add", "--help"], env={"COLUMNS": "250"}).output
    assert "分拨员" in runner.invoke(cli, ["staff", "list"]).output
    with create_engine(db_url).connect() as conn:
        assert conn.execute(select(StaffRow.role, StaffRow.department)).all() == [("dispatcher", None)]
