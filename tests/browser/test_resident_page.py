"""A resident files a case in the web page, sees it again after a reload, and gets the status push live."""

import re
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, expect

from handlers import commands as c
from tests.browser.conftest import ARTIFACTS
from tests.fakes.web_stack import WebStack, scratch_database, web_stack

pytestmark = pytest.mark.asyncio(loop_scope="module")
PHONE = {"viewport": {"width": 390, "height": 780}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
PAYLOAD = """<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>"""


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def stack(sqlite_template, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[WebStack]:  # type: ignore[no-untyped-def]
    url = await scratch_database("sqlite", tmp_path_factory.mktemp("browser"), sqlite_template, None)
    async with web_stack(url, real_dialogue=True) as running:
        yield running


@pytest_asyncio.fixture(loop_scope="module")
async def page(browser: Browser, stack: WebStack) -> AsyncIterator[Page]:
    context = await browser.new_context(**PHONE, permissions=["geolocation"],
                                        geolocation={"latitude": 31.2304, "longitude": 121.4737})
    opened = await context.new_page()
    opened.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    await opened.goto(stack.url + "/")
    await expect(opened.locator("#status")).to_have_text("在线")
    yield opened
    await context.close()


async def say(page: Page, text: str) -> None:
    await page.locator("#input").fill(text)
    await page.locator("#input").press("Enter")


async def test_a_resident_files_a_case_and_later_sees_the_status_push(page: Page, stack: WebStack) -> None:
    bot = page.locator(".msg.bot .bubble")
    await say(page, "小区门口的路灯坏了一个多月了，晚上很黑")
    await expect(page.locator(".msg.bot .bubble", has_text="便民服务诉求为您登记")).to_be_visible()
    await expect(bot.last).to_contain_text("直接发送定位")
    await expect(page.locator("#locate")).to_have_class("locate wanted")
    await page.locator("#locate").click()  # the browser shares its position (granted to this page)
    await expect(page.locator(".msg.bot .bubble", has_text="地点记为：试验街道试验社区一网格")).to_be_visible()
    await expect(bot.last).to_contain_text("确认无误")
    await page.get_by_role("button", name="确认提交").click()
    filed = page.locator(".msg.bot .bubble", has_text="诉求编号")
    await expect(filed).to_be_visible()
    number = re.search(r"MS-\d{8}-\d{4}", await filed.inner_text()).group()  # type: ignore[union-attr]
    await page.screenshot(path=ARTIFACTS / "resident-filed.png")

    await page.reload()  # the conversation survives a reload
    await expect(page.locator("#status")).to_have_text("在线")
    await expect(page.locator(".msg.resident .bubble").first).to_have_text("小区门口的路灯坏了一个多月了，晚上很黑")
    await expect(page.locator(".msg.bot .bubble", has_text=number).first).to_be_visible()

    await stack.app.bus.handle(c.AcceptCase(actor="staff:wang", number=number))
    deliverer = stack.app.deliverer()
    while (await deliverer.deliver_due()).sent:
        pass
    push = page.locator(".msg.push .bubble").last
    await expect(push).to_have_text(f"您的诉求 {number} 已由 试验社区居委会 签收，正在安排办理。")
    await page.screenshot(path=ARTIFACTS / "resident-push.png")
    async with stack.app.uow() as uow:
        case = await uow.cases.get(number)
    assert (case.channel, case.grid_code, case.latitude, case.longitude) == ("web", "T01-C01-G01", 31.2304, 121.4737)


async def test_a_script_in_a_complaint_is_shown_as_text(page: Page) -> None:
    await say(page, f"楼道里有人写了 {PAYLOAD} 很吓人")
    mine = page.locator(".msg.resident .bubble").last
    await expect(mine).to_have_text(f"楼道里有人写了 {PAYLOAD} 很吓人")
    await say(page, "不清楚")
    await expect(page.locator(".msg.bot .bubble").last).to_contain_text('<img src=x onerror="')  # restated, as text
    await page.reload()
    await expect(page.locator(".msg.resident .bubble", has_text=PAYLOAD)).to_have_count(1)
    assert await page.evaluate("window.__pwned") is None
    assert await page.locator(".log img").count() == 0


async def test_the_connection_comes_back_after_a_drop(page: Page, stack: WebStack) -> None:
    await stack.hub.close_all()  # as when a server restarts
    await expect(page.locator("#status")).to_have_text("连接中断，正在重连…")
    await say(page, "帮助")  # typed while offline: kept, and sent once the page reconnects
    await expect(page.locator("#status")).to_have_text("在线")
    await expect(page.locator(".msg.bot .bubble").last).to_contain_text("查询进度")
