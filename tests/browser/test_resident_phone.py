"""The resident chat on a 390 px phone (issue 17): a whole filing, buttons and all, never scrolls sideways,
and the case number in the bot's answer never breaks at its hyphens (「MS-20261204-」/「0001」), whatever
the width puts it at the end of a line. Screenshots go to tests/artifacts/."""

import re
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_resident_page import PHONE, say
from tests.browser.test_staff_phone import lines
from tests.fakes.web_stack import WebStack, scratch_database, web_stack

pytestmark = pytest.mark.asyncio(loop_scope="module")
NUMBER = re.compile(r"MS-\d{8}-\d{4}")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def stack(sqlite_template, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[WebStack]:  # type: ignore[no-untyped-def]
    url = await scratch_database("sqlite", tmp_path_factory.mktemp("resident-phone"), sqlite_template, None)
    async with web_stack(url, real_dialogue=True) as running:
        yield running


@pytest_asyncio.fixture(loop_scope="module")
async def page(browser: Browser, stack: WebStack) -> AsyncIterator[Page]:
    context = await browser.new_context(**PHONE)
    opened = await context.new_page()
    await opened.goto(stack.url + "/")
    await expect(opened.locator("#status")).to_have_text("在线")
    yield opened
    await context.close()


async def assert_no_sideways_scroll(page: Page) -> None:
    """Neither the page nor the chat log scrolls sideways, and no bubble or button pokes out of the window."""
    page_wide, log_wide, log_box, window, widest = await page.evaluate("""() => {
        const log = document.querySelector('.log');
        const right = [...document.querySelectorAll('.bubble, .choices button, .composer')]
            .map(el => el.getBoundingClientRect().right);
        return [document.scrollingElement.scrollWidth, log.scrollWidth, log.clientWidth, window.innerWidth,
                Math.max(...right)];
    }""")
    assert page_wide <= window and log_wide <= log_box and widest <= window, (page_wide, log_wide, log_box, widest)


async def test_a_filing_with_buttons_fits_a_phone_and_its_number_stays_whole(page: Page) -> None:
    await say(page, "一网格的小区门口路灯坏了一个多月了，晚上出门很不方便，老人孩子都容易摔倒")
    await expect(page.get_by_role("button", name="匿名反映")).to_be_visible()
    await assert_no_sideways_scroll(page)
    await page.get_by_role("button", name="匿名反映").click()
    await expect(page.locator(".msg.bot .bubble", has_text="按匿名反映登记")).to_be_visible()
    await expect(page.get_by_role("button", name="确认提交").last).to_be_enabled()
    await assert_no_sideways_scroll(page)
    await page.get_by_role("button", name="确认提交").last.click()
    filed = page.locator(".msg.bot .bubble", has_text=NUMBER).last
    await expect(filed).to_be_visible()
    number = NUMBER.search(await filed.inner_text()).group()  # type: ignore[union-attr]
    shown = filed.locator(".case-number", has_text=number)
    await expect(shown).to_have_count(1)
    assert await shown.evaluate("el => getComputedStyle(el).whiteSpace") == "nowrap"
    await assert_no_sideways_scroll(page)
    assert await lines(shown) == 1
    await page.screenshot(path=ARTIFACTS / "resident_filed_390.png")

    # At some of these widths the number falls at the end of a line: it must move whole, never split.
    for width in range(300, 391, 3):
        await page.set_viewport_size({"width": width, "height": 780})
        assert await lines(shown) == 1, f"{number} broke across lines at {width} px"
        await assert_no_sideways_scroll(page)
