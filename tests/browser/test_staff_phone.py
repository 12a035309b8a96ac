"""The department pages on a phone (390 px wide): no page scrolls sideways, tables stack into labelled
lines, the menu wraps by whole items, case numbers stay on one line, and 退回 does not look like 签收.
Screenshots go to tests/artifacts/."""

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Locator, Page, expect

from bot.web.accounts import add_staff, open_session
from bot.web.auth import STAFF_COOKIE
from handlers import commands as c
from storage.models import DepartmentRow
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_staff_work import as_clerk, filing, stack  # noqa: F401 - stack: this module's server
from tests.fakes.web_stack import PASSWORD, WebStack

pytestmark = pytest.mark.asyncio(loop_scope="module")
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
LONG_NAME = "试验街道综合行政执法队（城市管理和市场监管联合执法中队）"
NOTE = "已联系物业，物业称东门路灯线路老化需要整体更换，材料下周到货后安排施工，期间先加装两盏临时照明灯。"


@pytest_asyncio.fixture(loop_scope="module")
async def phone(browser: Browser) -> AsyncIterator[BrowserContext]:
    opened = await browser.new_context(**PHONE)
    yield opened
    await opened.close()


async def assert_no_sideways_scroll(page: Page) -> None:
    wide, window = await page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert wide <= window, f"{page.url} is {wide} px wide in a {window} px window"


async def lines(element: Locator) -> int:
    """How many lines the element's text takes (a block's own rect would say one however it wraps)."""
    return int(await element.evaluate("""el => {
        const text = document.createRange();
        text.selectNodeContents(el);
        return new Set([...text.getClientRects()].map(box => Math.round(box.top))).size;
    }"""))


@pytest_asyncio.fixture(loop_scope="module", scope="module", autouse=True)
async def long_names(stack: WebStack) -> None:
    """What a real district has and the test registry lacks: a department whose name fills a phone's width."""
    async with stack.app.sessions() as session:
        session.add(DepartmentRow(code="S-T01-ENFORCE", name=LONG_NAME, level="street", area="T01"))
        await session.commit()


async def test_a_clerk_reads_a_case_file_on_a_phone(phone: BrowserContext, stack: WebStack) -> None:
    filed = replace(filing("小区东门路灯坏了一周，晚上很黑，老人出门不方便"), model_version="0003-20261127T101500Z",
                    address="幸福里小区东门", latitude=31.2304567, longitude=121.4737012, phone="13912345678")
    number = (await stack.app.bus.handle(filed)).number
    await stack.app.bus.handle(c.AddNote("staff:shiyan-shequ-wangxiaoming", number, NOTE))
    page = await as_clerk(phone, stack)
    await assert_no_sideways_scroll(page)
    for item in await page.locator(".worknav a").all():
        assert await lines(item) == 1, await item.inner_text()  # 待办队列, not 待/办/队/列
    await page.screenshot(path=ARTIFACTS / "staff_queue_390.png", full_page=True)

    await page.get_by_role("link", name=number).click()
    await expect(page.locator("#case-text")).to_contain_text("小区东门路灯坏了一周")
    await assert_no_sideways_scroll(page)
    shown = page.locator("#case-number")
    await expect(shown).to_have_text(number)
    assert await shown.evaluate("el => getComputedStyle(el).whiteSpace") == "nowrap"
    assert await lines(shown) == 1
    note = page.locator("#events td", has_text=NOTE)
    assert (await note.bounding_box() or {"width": 0})["width"] > 300  # the 说明 column, not one character wide
    accept, give_back = page.get_by_role("button", name="签收"), page.get_by_role("button", name="退回分拨中心")
    fill = "el => getComputedStyle(el).backgroundColor"
    assert await accept.evaluate(fill) != await give_back.evaluate(fill)  # 退回 is outlined, 签收 filled
    await page.screenshot(path=ARTIFACTS / "staff_case_file_390.png", full_page=True)


async def test_the_dispatch_list_fits_a_phone(phone: BrowserContext, stack: WebStack) -> None:
    number = (await stack.app.bus.handle(filing("楼下餐馆油烟直排，家里窗户都不敢开"))).number
    await stack.app.bus.handle(c.ReturnCase("staff:clerk", number, "职能不符", "油烟归环保部门管理，非社区职能"))
    now = datetime.now(UTC)  # a supervisor: the longest menu, six items (排查预警, and last back to 热线坐席)
    member = await add_staff(stack.app.sessions, "chief", PASSWORD, "supervisor", None, now, reset=True)
    token, _ = await open_session(stack.app.sessions, member, now, 1)
    await phone.add_cookies([{"name": STAFF_COOKIE, "value": token, "url": stack.url}])
    page = await phone.new_page()
    await page.goto(stack.url + "/console/work/dispatch")
    row = page.locator(f'tr[data-number="{number}"]')
    await expect(row).to_contain_text("非社区职能")
    await assert_no_sideways_scroll(page)
    assert await lines(row.get_by_role("link", name=number)) == 1
    menu = page.locator(".worknav a")
    await expect(menu).to_have_count(6)
    for item in await menu.all():
        assert await lines(item) == 1, await item.inner_text()
    await page.screenshot(path=ARTIFACTS / "staff_dispatch_390.png", full_page=True)
