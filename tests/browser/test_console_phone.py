"""An administrator on a phone (390 px): signing in lands on the workbench, its menu leads to the call
console and the console's menu back to 工作台; the console's case file fits the screen (its log a timeline
as on the workbench), names who acted in words, keeps the caller's words beside the write-up and its case
number on one line.
Screenshots go to tests/artifacts/."""

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import pytest_asyncio
from playwright.async_api import BrowserContext, expect

from bot.web.accounts import add_staff
from handlers import commands as c
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.browser.test_staff_phone import assert_no_sideways_scroll, lines, phone  # noqa: F401 - phone: a fixture
from tests.fakes.analyzer import FakeTranscriptAnalyzer
from tests.fakes.web_stack import PASSWORD, WebStack, scratch_database, web_stack

pytestmark = pytest.mark.asyncio(loop_scope="module")
SAID = "喂，你好，我们幸福里3号楼地下车库入口积水一个星期了，车都开不进去，物业也不管。159****4567。好，谢谢啊。"


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def stack(sqlite_template, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[WebStack]:  # type: ignore[no-untyped-def]
    url = await scratch_database("sqlite", tmp_path_factory.mktemp("console-phone"), sqlite_template, None)
    async with web_stack(url, FakeTranscriptAnalyzer()) as running:
        await add_staff(running.app.sessions, "root", PASSWORD, "admin", None, datetime.now(UTC))
        yield running


async def test_an_admin_finds_both_workplaces_and_reads_a_hotline_case(phone: BrowserContext, stack: WebStack) -> None:
    number = (await stack.app.bus.handle(c.FileCase(
        actor="staff:op1", text="幸福里3号楼地下车库入口积水一周，车辆无法进出，物业未处理。", channel="hotline",
        user_ref="hotline:15901234567", phone="15901234567", grid_code="T01-C01-G01", original_text=SAID))).number
    page = await phone.new_page()
    await sign_in(page, stack.url, "root", PASSWORD, re.compile(r"/console/work/supervise$"))

    await page.get_by_role("link", name="热线坐席").click()
    await expect(page.get_by_role("heading", name="受理来电")).to_be_visible()
    menu = page.get_by_role("navigation", name="工作菜单")
    await expect(menu.get_by_role("link")).to_have_text(["受理来电", "工作台"])
    await assert_no_sideways_scroll(page)
    for item in await menu.get_by_role("link").all():
        assert await lines(item) == 1

    await page.goto(f"{stack.url}/console/cases/{number}")
    shown = page.locator("h2 .case-number")
    await expect(shown).to_have_text(number)
    await expect(page.locator("#case-original")).to_have_text(SAID)
    await expect(page.get_by_role("cell", name="工作人员 op1")).to_be_visible()
    await assert_no_sideways_scroll(page)
    assert await lines(shown) == 1
    notice = page.locator("#notices td", has_text="您的诉求已受理")
    assert (await notice.bounding_box() or {"width": 0})["width"] > 300  # the log reads as a timeline, not slivers
    await page.screenshot(path=ARTIFACTS / "console_case_390.png", full_page=True)

    await menu.get_by_role("link", name="工作台").click()
    await expect(page).to_have_url(re.compile(r"/console/work/supervise$"))


@pytest.mark.parametrize("markup", [
    '<fieldset class="parties"><label class="party"><input type="radio" name="p"> 邻居或家人</label></fieldset>',
    '<label class="compact"><input type="radio" name="a"> 内部备注：只记入档案，不推送给群众</label>',
])
async def test_a_radio_sits_beside_its_words(phone: BrowserContext, stack: WebStack, markup: str) -> None:
    """The staff pages' stylesheet made every input a full-width block, a radio too: it sat on a line of
    its own above what it chooses (类别拿不准's 「和谁之间」, the clerk's 告知群众 / 内部备注)."""
    page = await phone.new_page()
    await page.goto(f"{stack.url}/static/console.css")  # same origin, so the page may link it
    await page.set_content(f'<link rel="stylesheet" href="{stack.url}/static/console.css"><main>{markup}</main>')
    radio = await page.locator("input[type=radio]").bounding_box()
    label = await page.locator("label").bounding_box()
    assert radio is not None and label is not None
    assert radio["width"] < 40 and radio["y"] < label["y"] + label["height"] / 2 < radio["y"] + radio["height"] + 12
