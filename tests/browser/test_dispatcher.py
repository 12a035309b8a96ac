"""A dispatcher's morning on a phone (390 px): signing in lands on the 分拨 list, a case the classifier
was unsure of waits there as 待人工分拨 with the routing rules' department already chosen, one tap
sends it, and it is in that department's queue. Screenshots go to tests/artifacts/."""

import re
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, expect

from bot.web.accounts import add_staff
from handlers.status import Status
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.browser.test_staff_phone import PHONE, assert_no_sideways_scroll
from tests.browser.test_staff_work import filing, stack  # noqa: F401 - stack: this module's server
from tests.fakes.web_stack import PASSWORD, WebStack

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module")
async def phone(browser: Browser) -> AsyncIterator[BrowserContext]:
    opened = await browser.new_context(**PHONE)
    yield opened
    await opened.close()


async def test_a_dispatcher_sends_a_waiting_case_where_routing_suggests(phone: BrowserContext, stack: WebStack) -> None:
    unsure = replace(filing("小区东门路灯坏了一周，晚上很黑"), category_confidence=0.3, topic_confidence=0.35,
                     phone="13912345678")
    number = (await stack.app.bus.handle(unsure)).number
    await add_staff(stack.app.sessions, "fenbo", PASSWORD, "dispatcher", None, datetime.now(UTC))
    page = await phone.new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    await sign_in(page, stack.url, "fenbo", PASSWORD, re.compile(r"/console/work/dispatch$"))

    row = page.locator(f'tr[data-number="{number}"]')
    await expect(row).to_contain_text("待人工分拨")
    await expect(row).to_contain_text("分类置信度较低")
    picker = row.get_by_label("派往部门")
    await expect(picker).to_have_value("C-T01-C01")  # 试验社区居委会, not the list's first entry (一网格)
    await expect(row).to_contain_text("按分拨规则建议：试验社区居委会")
    await assert_no_sideways_scroll(page)
    await page.screenshot(path=ARTIFACTS / "dispatcher_390.png", full_page=True)

    await row.get_by_role("button", name="派单").click()
    await expect(page.locator("#done")).to_have_text("已派单")
    await expect(page.locator("#case-department")).to_contain_text("试验社区居委会")
    await expect(page.locator("#case-status")).to_have_text("已派单")
    async with stack.app.uow() as uow:
        case = await uow.cases.get(number)
    assert case.status is Status.DISPATCHED and case.department == "C-T01-C01"
    assert case.events[-1].kind == "dispatched" and case.events[-1].actor == "staff:fenbo"
    await page.goto(stack.url + "/console/work/dispatch")
    await expect(page.locator(f'tr[data-number="{number}"]')).to_have_count(0)


async def test_a_dispatcher_places_a_case_the_resident_could_not_and_sends_it_to_that_grid(
    phone: BrowserContext, stack: WebStack
) -> None:
    unplaced = filing("楼上邻居每天半夜拖椅子，说了几次都不听", category="dispute", grid=None)  # type: ignore[arg-type]
    number = (await stack.app.bus.handle(unplaced)).number
    await add_staff(stack.app.sessions, "dingwei", PASSWORD, "dispatcher", None, datetime.now(UTC))
    page = await phone.new_page()
    await sign_in(page, stack.url, "dingwei", PASSWORD, re.compile(r"/console/work/dispatch$"))
    row = page.locator(f'tr[data-number="{number}"]')
    await expect(row).to_contain_text("网格位置未确定")
    await expect(row).to_contain_text("分拨规则给不出建议")

    await row.get_by_role("link", name="确定网格").click()
    locate = page.locator("#locate-form")
    await locate.get_by_label("确定网格").select_option(label="二网格")
    await locate.get_by_role("button", name="保存网格").click()
    await expect(page.locator("#done")).to_have_text("网格已更正，派单建议已按新网格更新")
    await expect(page.locator("#case-grid")).to_contain_text("试验社区二网格")
    await expect(page.locator("#events")).to_contain_text("未定位 → 试验街道试验社区二网格")
    await assert_no_sideways_scroll(page)
    await page.screenshot(path=ARTIFACTS / "dispatcher_locate_390.png", full_page=True)

    dispatch = page.locator("#dispatch-form")
    await expect(dispatch.get_by_label("派往部门")).to_have_value("W-T01-C01-G02")
    await dispatch.get_by_role("button", name="派单").click()
    await expect(page.locator("#case-status")).to_have_text("已派单")
    async with stack.app.uow() as uow:
        case = await uow.cases.get(number)
    assert (case.grid_code, case.department) == ("T01-C01-G02", "W-T01-C01-G02")
    assert [e.kind for e in case.events[-2:]] == ["located", "dispatched"]
