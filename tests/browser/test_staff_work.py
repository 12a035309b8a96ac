"""Department work in a real browser: a clerk accepts and resolves a case from the queue page; the
leadership dashboard renders its charts and tables. Screenshots go to tests/artifacts/."""

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import BrowserContext, Page, expect

from bot.web.accounts import add_staff
from handlers import commands as c
from handlers.status import Status
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.fakes.web_stack import PASSWORD, WebStack, scratch_database, web_stack

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def stack(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[WebStack]:
    url = await scratch_database("sqlite", tmp_path_factory.mktemp("staff"), sqlite_template, None)
    async with web_stack(url) as running:
        yield running


async def as_clerk(context: BrowserContext, stack: WebStack) -> Page:
    """A clerk signs in through the login form and lands on the department's queue."""
    await add_staff(stack.app.sessions, "clerk", PASSWORD, "clerk", "C-T01-C01", datetime.now(UTC), reset=True)
    page = await context.new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    await sign_in(page, stack.url, "clerk", PASSWORD, re.compile(r"/console/work/queue"))
    return page


def filing(text: str, category: str = "service", grid: str = "T01-C01-G01", topic: str = "城乡建设") -> c.FileCase:
    return c.FileCase(actor="resident", text=text, channel="web", user_ref="web:browser", category=category,
                      topic=topic, category_confidence=0.9, topic_confidence=0.8, grid_code=grid)


async def test_a_clerk_accepts_and_resolves_a_case_from_the_queue(context: BrowserContext, stack: WebStack) -> None:
    number = (await stack.app.bus.handle(filing("小区东门路灯坏了一周，晚上很黑"))).number
    page = await as_clerk(context, stack)
    await page.goto(stack.url + "/console/work")
    await expect(page).to_have_url(stack.url + "/console/work/queue")
    row = page.locator(f'tr[data-number="{number}"]')
    await expect(row).to_contain_text("已派单")
    await page.screenshot(path=ARTIFACTS / "staff-queue.png", full_page=True)

    await row.get_by_role("link", name=number).click()
    await expect(page.locator("#case-text")).to_have_text("小区东门路灯坏了一周，晚上很黑")
    await page.get_by_role("button", name="签收").click()
    await expect(page.locator("#done")).to_have_text("已签收")
    await expect(page.locator("#case-status")).to_have_text("已签收")
    await page.locator("#resolve-form textarea").fill("已更换东门两盏路灯，恢复照明。")
    await page.get_by_role("button", name="办结").click()
    await expect(page.locator("#case-status")).to_have_text("已办结")
    await expect(page.locator("#notices")).to_contain_text("已更换东门两盏路灯")
    await page.screenshot(path=ARTIFACTS / "staff-case-resolved.png", full_page=True)

    async with stack.app.uow() as uow:
        case = await uow.cases.get(number)
    assert case.status is Status.RESOLVED and case.reply == "已更换东门两盏路灯，恢复照明。"
    assert [e.actor for e in case.events if e.kind in ("accepted", "resolved")] == ["staff:clerk"] * 2
    await page.goto(stack.url + "/console/work/queue")
    await expect(page.locator(f'tr[data-number="{number}"]')).to_have_count(0)


async def test_the_dashboard_renders_with_data(context: BrowserContext, stack: WebStack) -> None:
    bus = stack.app.bus
    samples = [("楼上漏水", "dispute", "T01-C01-G01", 5), ("广场舞噪音", "dispute", "T01-C01-G02", 2),
               ("路灯坏了", "service", "T01-C01-G01", 4), ("工资被拖欠", "petition", "T01-C01-G02", None)]
    for text, category, grid, rating in samples:
        topic = "劳动和社会保障" if category == "petition" else "城乡建设"
        number = (await bus.handle(filing(text, category, grid, topic))).number
        if rating is not None:
            for command in (c.AcceptCase("w", number), c.ResolveCase("w", number, "已处理"),
                            c.RateCase("r", number, rating)):
                await bus.handle(command)
    page = await context.new_page()
    await page.goto(stack.url + "/console/work/dashboard")
    await expect(page).to_have_url(stack.url + "/console/login?next=/console/work/dashboard")
    await add_staff(stack.app.sessions, "chief", PASSWORD, "supervisor", None, datetime.now(UTC), reset=True)
    await sign_in(page, stack.url, "chief", PASSWORD, stack.url + "/console/work/dashboard")

    await expect(page.locator("#volume-chart svg rect").first).to_be_visible()
    await expect(page.locator("#total")).to_contain_text("共 5 件")
    await expect(page.locator("#grids tbody tr")).to_have_count(2)
    await expect(page.locator("#departments")).to_contain_text("试验社区一网格")
    await expect(page.locator("#satisfaction-chart svg circle")).to_have_count(1)
    await expect(page.locator("#satisfaction tbody")).to_contain_text("3.67")
    await page.screenshot(path=ARTIFACTS / "staff-dashboard.png", full_page=True)

    async with page.expect_download() as download:
        await page.get_by_role("link", name="部门", exact=True).click()
    saved = ARTIFACTS / "staff-departments.csv"
    await (await download.value).save_as(saved)
    assert saved.read_text(encoding="utf-8-sig").startswith("部门,派办次数")
