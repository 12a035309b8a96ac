"""A grid worker on their phone (390 px wide): signs in, lands on 本网格待办, opens 巡查上报 in the
same browser, sends a photo and the words, and files the report as 已现场化解. Screenshots go to
tests/artifacts/."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, expect

from bot.web.accounts import add_staff
from handlers.status import Status
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.fakes.web_stack import PASSWORD, WebStack, scratch_database, web_stack

pytestmark = pytest.mark.asyncio(loop_scope="module")
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def stack(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[WebStack]:
    url = await scratch_database("sqlite", tmp_path_factory.mktemp("patrol"), sqlite_template, None)
    async with web_stack(url, real_dialogue=True) as running:
        yield running


@pytest_asyncio.fixture(loop_scope="module")
async def phone(browser: Browser) -> AsyncIterator[BrowserContext]:
    opened = await browser.new_context(**PHONE)
    yield opened
    await opened.close()


async def test_a_grid_worker_reports_from_a_phone(phone: BrowserContext, stack: WebStack) -> None:
    await add_staff(stack.app.sessions, "wangxh", PASSWORD, "grid_worker", None, datetime.now(UTC),
                    grids=("T01-C01-G01",))
    page = await phone.new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    await sign_in(page, stack.url, "wangxh", PASSWORD)
    await expect(page.locator("h2")).to_contain_text("本网格待办")

    await page.get_by_role("link", name="巡查上报").first.click()
    await expect(page.locator("h1")).to_have_text("民声 · 网格员巡查上报")
    await expect(page.locator("#status")).to_have_text("在线")
    await page.set_input_files("#photo", files=[{"name": "site.png", "mimeType": "image/png", "buffer": PNG}])
    await expect(page.locator(".msg.bot").last).to_contain_text("图片收到了")
    await page.locator("#input").fill("楼道里堆满了纸箱杂物，已劝说住户当场清理完毕")
    await page.get_by_role("button", name="发送", exact=True).click()
    await expect(page.locator(".msg.bot").last).to_contain_text("图片：1 张")
    await page.get_by_role("button", name="已现场化解").last.click()
    await expect(page.locator(".msg.bot").last).to_contain_text("按现场化解办结归档")
    await page.screenshot(path=ARTIFACTS / "patrol_chat_390.png", full_page=True)

    async with stack.app.uow() as uow:
        [case] = await uow.cases.find(user_ref="web:staff-wangxh")
        case = await uow.cases.get(case.number)
    assert (case.source, case.status, case.grid_code, len(case.attachments)) == ("patrol", Status.CLOSED,
                                                                                 "T01-C01-G01", 1)
