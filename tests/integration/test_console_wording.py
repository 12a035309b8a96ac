"""The call console and the department pages share one way of saying things (issue 17): the console's
case page names actors, channel and grid in words from bot/wording.py; a caller's own words stand as
「群众原话」 beside the operator's write-up on the console, the department's case file and `case show`;
and the console's menu leads to the workbench, where an admin now lands."""

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
import pytest_asyncio
from rich.console import Console

from bot.cli.render import case_file
from bot.web.accounts import add_staff
from bot.web.staff.queues import departments_by_code
from handlers import commands as c
from tests.fakes.web_stack import PASSWORD, WebStack, scratch_database, web_stack
from tests.integration.test_web_console import csrf, login

pytestmark = pytest.mark.asyncio(loop_scope="module")
SAID = "喂，你好，我们幸福里3号楼地下车库入口积水一个星期了，车都开不进去。159****4567。好，谢谢啊。"
WRITTEN = "幸福里3号楼地下车库入口积水一周，车辆无法进出。"
RAW = re.compile(r"staff:|resident:|>\s*system\s*<|>\s*hotline\s*<|T01-C01-G01|试验街道 / ")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def stack(sqlite_template, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[WebStack]:  # type: ignore[no-untyped-def]
    url = await scratch_database("sqlite", tmp_path_factory.mktemp("console-words"), sqlite_template, None)
    async with web_stack(url) as running:
        await add_staff(running.app.sessions, "root", PASSWORD, "admin", None, datetime.now(UTC))
        yield running


async def hotline_case(stack: WebStack) -> str:
    filed = await stack.app.bus.handle(c.FileCase(
        actor="staff:op1", text=WRITTEN, channel="hotline", user_ref="hotline:15901234567", phone="15901234567",
        category="service", topic="城乡建设", classification_confirmed=True, grid_code="T01-C01-G01",
        address="幸福里3号楼地下车库入口", original_text=SAID))
    await stack.app.bus.handle(c.AcceptCase("system", filed.number))
    return filed.number


async def sign_in(stack: WebStack, username: str, next_url: str | None = None) -> tuple[httpx.AsyncClient, str]:
    """Through the login form as a person does; returns the client and where the login sent it."""
    client = httpx.AsyncClient(base_url=stack.url)
    form = {"username": username, "password": PASSWORD, "csrf_token": csrf((await client.get("/console/login")).text)}
    response = await client.post("/console/login", data=form | ({"next": next_url} if next_url is not None else {}))
    assert response.status_code == 303, response.text
    return client, response.headers["location"]


async def test_the_console_case_page_says_who_where_from_and_which_grid_in_words(stack: WebStack) -> None:
    number = await hotline_case(stack)
    client = await login(stack)
    page = (await client.get(f"/console/cases/{number}")).text
    await client.aclose()
    assert RAW.findall(page) == []
    for said in ("<td>工作人员 op1</td>", "<td>系统</td>", "<dd>12345热线</dd>", "<dd>试验街道试验社区一网格</dd>"):
        assert said in page
    assert page.index("<h3>群众原话</h3>") < page.index(SAID) < page.index("<h3>诉求内容（坐席整理）</h3>") < page.index(WRITTEN)


async def test_the_departments_case_file_shows_the_callers_words_beside_the_write_up(stack: WebStack) -> None:
    number = await hotline_case(stack)
    typed = (await stack.app.bus.handle(c.FileCase(
        actor="resident:web:web:9f86d081", text="小区路灯坏了", channel="web", user_ref="web:web:9f86d081",
        grid_code="T01-C01-G01", original_text="小区路灯坏了"))).number
    client, _ = await sign_in(stack, "root", "/console/work/supervise")
    hotline = (await client.get(f"/console/work/cases/{number}")).text
    web = (await client.get(f"/console/work/cases/{typed}")).text
    await client.aclose()
    assert re.search(r'<h3>群众原话</h3>\s*<p class="quote" id="case-original">' + re.escape(SAID), hotline)
    assert re.search(r'<h3>诉求内容（坐席整理）</h3>\s*<p class="quote" id="case-text">' + re.escape(WRITTEN), hotline)
    assert web.count("<h3>群众原话</h3>") == 1 and "坐席整理" not in web and 'id="case-original"' not in web


async def test_case_show_in_the_terminal_shows_both_texts(stack: WebStack) -> None:
    number = await hotline_case(stack)
    async with stack.app.uow() as uow:
        case = await uow.cases.get(number)
    console = Console(width=200, record=True)
    console.print(case_file(case, await departments_by_code(stack.app), []))
    shown = console.export_text()
    assert shown.index("群众原话") < shown.index(SAID) < shown.index("诉求内容（坐席整理）") < shown.index(WRITTEN)
    assert "工作人员 op1" in shown and "系统" in shown and "staff:" not in shown


@pytest.mark.parametrize(("username", "landing", "workbench"), [
    ("root", "/console/work/supervise", "/console/work/supervise"),  # an admin starts where supervision is
    ("operator", "/console", "/console/work/dispatch"),  # an operator takes calls and may dispatch
])
async def test_signing_in_lands_by_role_and_the_console_menu_leads_to_the_workbench(
    stack: WebStack, username: str, landing: str, workbench: str
) -> None:
    client, landed = await sign_in(stack, username)
    assert landed == landing
    console = (await client.get("/console")).text
    bench = (await client.get(workbench)).text
    await client.aclose()
    menu = re.search(r'<nav class="worknav"[^>]*>(.*?)</nav>', console).group(1)  # type: ignore[union-attr]
    assert re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', menu) == [("/console", "受理来电"), (workbench, "工作台")]
    assert '<a href="/console">热线坐席</a>' in bench  # and back again


async def test_a_page_asked_for_before_signing_in_still_wins(stack: WebStack) -> None:
    client, landed = await sign_in(stack, "root", "/console")
    await client.aclose()
    assert landed == "/console"
    client, landed = await sign_in(stack, "clerk", "/console")  # a clerk has no console: their queue instead
    await client.aclose()
    assert landed == "/console/work/queue"


async def test_the_workbench_names_grids_as_everyone_says_them(stack: WebStack) -> None:
    routed = await hotline_case(stack)  # 城乡建设 in 一网格: the community's queue
    waiting = (await stack.app.bus.handle(c.FileCase(
        actor="resident:web:web:9f86d081", text="说不清是什么事", channel="web", user_ref="web:web:9f86d081",
        grid_code="T01-C01-G01"))).number  # no classification: waits for 分拨
    client, _ = await sign_in(stack, "root", "/console/work/supervise")
    pages = {path: (await client.get(path)).text for path in (
        "/console/work/queue?dept=C-T01-C01", "/console/work/dispatch", f"/console/work/cases/{routed}")}
    await client.aclose()
    assert waiting in pages["/console/work/dispatch"] and routed in pages["/console/work/queue?dept=C-T01-C01"]
    for path, html in pages.items():
        assert "试验街道试验社区一网格" in html and not re.search(r">[^<]*T01-C01-G01", html), path
