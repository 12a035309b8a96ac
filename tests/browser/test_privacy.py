"""Residents' personal information in a real browser: a supervisor reads the phone and name masked on
the case file and in the queue's CSV download; the clerk holding the case presses 查看完整号码 and
sees it whole, logged; an administrator executes a resident's erasure request on 个人信息, then
filters 操作日志 by who, case and date and downloads it as CSV. Screenshots go to tests/artifacts/."""

import csv
import io
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Page, expect

from bot.web.accounts import add_staff
from handlers import commands as c
from tests.browser.conftest import ARTIFACTS, DESKTOP, sign_in
from tests.fakes.web_stack import PASSWORD, WebStack, scratch_database, web_stack

pytestmark = pytest.mark.asyncio(loop_scope="module")
PHONE, NAME = "13812345678", "王建国"


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def stack(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[WebStack]:
    url = await scratch_database("sqlite", tmp_path_factory.mktemp("privacy"), sqlite_template, None)
    async with web_stack(url) as running:
        yield running


@pytest_asyncio.fixture(loop_scope="module")
async def context(browser: Browser) -> AsyncIterator[BrowserContext]:
    opened = await browser.new_context(**DESKTOP, accept_downloads=True)
    yield opened
    await opened.close()


async def signed_in(context: BrowserContext, stack: WebStack, username: str, role: str,
                    department: str | None = None) -> Page:
    await add_staff(stack.app.sessions, username, PASSWORD, role, department, datetime.now(UTC), reset=True)
    await context.clear_cookies()
    page = await context.new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    await sign_in(page, stack.url, username, PASSWORD, re.compile(r"/console/work/"))
    return page


async def filed(stack: WebStack, key: str) -> str:
    case = await stack.app.bus.handle(c.FileCase(
        actor=f"resident:web:web:{key}", text=f"小区东门路灯坏了一周，晚上很黑，电话 {PHONE}", channel="web",
        user_ref=f"web:{key}", category="service", topic="城乡建设", classification_confirmed=True,
        grid_code="T01-C01-G01", phone=PHONE, contact_name=NAME, intake_key=key))
    return case.number


async def downloaded(page: Page, link: str) -> str:
    async with page.expect_download() as started:
        await page.locator(link).click()
    download = await started.value
    data = Path(await download.path()).read_bytes()
    assert data.startswith("\ufeff".encode()), "Excel needs the BOM to read the Chinese"
    return data.decode("utf-8-sig")


async def test_the_phone_stays_masked_for_a_supervisor_and_the_clerk_reveals_it_logged(
    context: BrowserContext, stack: WebStack
) -> None:
    number = await filed(stack, "browser-1")
    supervisor = await signed_in(context, stack, "zhang-sup", "supervisor")
    await supervisor.goto(f"{stack.url}/console/work/cases/{number}")
    await expect(supervisor.locator("#case-phone")).to_have_text("138****5678")
    await expect(supervisor.locator("#case-name")).to_have_text("王**")
    await expect(supervisor.locator("#case-text")).to_contain_text("电话 138****5678")
    await expect(supervisor.get_by_role("button", name="查看完整号码")).to_have_count(0)
    assert PHONE not in await supervisor.content() and NAME not in await supervisor.content()
    await supervisor.screenshot(path=ARTIFACTS / "privacy-case-masked-supervisor.png", full_page=True)
    await supervisor.goto(f"{stack.url}/console/work/queue?dept=C-T01-C01")
    rows = list(csv.reader(io.StringIO(await downloaded(supervisor, "#queue-csv"))))
    assert rows[1][0] == number and rows[1][8:10] == ["138****5678", "王**"]
    assert PHONE not in str(rows) and NAME not in str(rows)

    clerk = await signed_in(context, stack, "li-clerk", "clerk", "C-T01-C01")
    await clerk.goto(f"{stack.url}/console/work/cases/{number}")
    await expect(clerk.locator("#case-phone")).to_contain_text("138****5678")
    await clerk.get_by_role("button", name="查看完整号码").click()
    await expect(clerk.locator("#case-phone")).to_contain_text(PHONE)
    await expect(clerk.locator("#case-phone")).to_contain_text("已记入操作日志")
    await expect(clerk.locator("#case-name")).to_have_text(re.compile("王\\*\\*"))
    await clerk.screenshot(path=ARTIFACTS / "privacy-case-revealed-clerk.png", full_page=True)


async def test_an_administrator_executes_an_erasure_request_and_filters_the_audit_log(
    context: BrowserContext, stack: WebStack
) -> None:
    number = await filed(stack, "browser-2")
    for command in (c.AcceptCase("staff:li-clerk", number), c.ResolveCase("staff:li-clerk", number, "已修好"),
                    c.CloseCase("staff:li-clerk", number),
                    c.RequestErasure("resident:web:web:browser-2", number, "web", "web:browser-2", (number,))):
        await stack.app.bus.handle(command)
    page = await signed_in(context, stack, "chief", "admin")
    menu = page.get_by_role("navigation", name="工作菜单")
    await menu.get_by_role("link", name="个人信息").click()
    await expect(page).to_have_url(stack.url + "/console/admin/privacy")
    row = page.locator("#requests tbody tr", has_text=number)
    await expect(row).to_contain_text("待处理")
    await page.screenshot(path=ARTIFACTS / "admin-privacy-requests.png", full_page=True)
    await row.get_by_role("button", name="执行删除").click()
    await expect(page.locator("#done")).to_contain_text("已删除该申请涉及诉求中的个人信息")
    await expect(page.locator("#requests tbody tr", has_text=number)).to_contain_text("已删除")
    await page.screenshot(path=ARTIFACTS / "admin-privacy-executed.png", full_page=True)

    await menu.get_by_role("link", name="操作日志").click()
    await expect(page).to_have_url(stack.url + "/console/admin/audit")
    await expect(page.locator("#audit")).to_contain_text("执行删除申请")
    await page.get_by_label("操作人").select_option("li-clerk")
    await page.get_by_role("button", name="筛选").click()
    await expect(page.locator("#audit-count")).to_contain_text("共 1 条")
    await expect(page.locator("#audit tbody tr")).to_contain_text("查看联系电话")
    await page.get_by_label("操作人").select_option("")
    await page.get_by_label("诉求编号").fill(number)
    today = datetime.now(UTC).astimezone(stack.app.policies.calendar.tz).date().isoformat()  # the page's days are local
    await page.get_by_label("开始日期").fill(today)
    await page.get_by_label("结束日期").fill(today)
    await page.get_by_role("button", name="筛选").click()
    await expect(page.locator("#audit-count")).to_contain_text("共 1 条")
    await expect(page.locator("#audit tbody tr")).to_contain_text("执行删除申请")
    await page.screenshot(path=ARTIFACTS / "admin-audit-filtered.png", full_page=True)
    rows = list(csv.reader(io.StringIO(await downloaded(page, "#audit-csv"))))
    assert rows[0] == ["时间", "操作人", "模块", "操作", "对象", "原因", "内容"]
    assert [r[1:4] for r in rows[1:]] == [["chief", "个人信息", "执行删除申请"]]
    assert number in rows[1][6]
