"""The resident page and server-signed ids (issue 12, item 2): a page whose id the server does not
accept reloads once, is given a real one and carries on; refused again within a minute (a browser
that keeps no cookie), it says why instead of reloading forever; a new resident queued behind a
crowd of new ones is told so and connects by itself soon after."""

from pathlib import Path

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, expect

from bot.web.admission import ResidentIds, web_secret
from bot.web.resident import COOKIE, NEWCOMERS_QUEUED, STALE
from tests.fakes.web_stack import WebStack, scratch_database, web_stack

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def stack(sqlite_template, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[WebStack]:  # type: ignore[no-untyped-def]
    url = await scratch_database("sqlite", tmp_path_factory.mktemp("ids"), sqlite_template, None)
    async with web_stack(url) as running:
        yield running


@pytest_asyncio.fixture(loop_scope="module")
async def context(browser: Browser) -> AsyncIterator[BrowserContext]:
    opened = await browser.new_context(locale="zh-CN")
    yield opened
    await opened.close()


async def resident_cookie(context: BrowserContext) -> str:
    return next(c["value"] for c in await context.cookies() if c["name"] == COOKIE)


async def test_a_page_with_an_id_the_server_did_not_sign_reloads_and_carries_on(
    context: BrowserContext, stack: WebStack
) -> None:
    page = await context.new_page()
    await page.goto(stack.url + "/")
    await expect(page.locator("#status")).to_have_text("在线")
    await context.add_cookies([{"name": COOKIE, "value": "made-up-by-someone-0001", "url": stack.url}])
    async with page.expect_event("load"):
        await stack.hub.close_all()  # the page reconnects, its id is refused, and it reloads
    await expect(page.locator("#status")).to_have_text("在线")
    assert ResidentIds(web_secret(stack.app.settings)).read(await resident_cookie(context)) is not None
    await page.locator("#input").fill("帮助")
    await page.locator("#input").press("Enter")
    await expect(page.locator(".msg.bot .bubble").last).to_have_text("您好！请直接描述您遇到的问题。")


async def test_a_page_refused_again_within_a_minute_says_why_instead_of_reloading(
    context: BrowserContext, stack: WebStack
) -> None:
    page = await context.new_page()
    await page.goto(stack.url + "/")
    await expect(page.locator("#status")).to_have_text("在线")
    forged = [{"name": COOKIE, "value": "made-up-by-someone-0002", "url": stack.url}]
    await context.add_cookies(forged)
    async with page.expect_event("load"):
        await stack.hub.close_all()
    await expect(page.locator("#status")).to_have_text("在线")
    loads: list[object] = []
    page.on("load", lambda _: loads.append(1))
    await context.add_cookies(forged)  # as a browser that keeps losing the cookie would
    await stack.hub.close_all()
    await expect(page.locator(".system", has_text=STALE)).to_be_visible()
    await expect(page.locator("#status")).to_have_text("未连接")
    await page.wait_for_timeout(1000)
    assert loads == []


@pytest_asyncio.fixture(loop_scope="module")
async def crowded(sqlite_template: Path, tmp_path: Path) -> AsyncIterator[WebStack]:
    url = await scratch_database("sqlite", tmp_path, sqlite_template, None)
    async with web_stack(url, limits={"new_resident_messages_per_minute": 6}) as running:  # one at once, one in 10 s
        yield running


@pytest.mark.slow
async def test_a_new_resident_queued_behind_others_is_told_and_connects_by_itself(
    browser: Browser, crowded: WebStack
) -> None:
    first, second = await browser.new_context(locale="zh-CN"), await browser.new_context(locale="zh-CN")
    try:
        ahead = await first.new_page()
        await ahead.goto(crowded.url + "/")
        await expect(ahead.locator("#status")).to_have_text("在线")
        queued = await second.new_page()
        await queued.goto(crowded.url + "/")
        await expect(queued.locator("#status")).to_have_text("排队中…")
        await expect(queued.locator(".system", has_text=NEWCOMERS_QUEUED)).to_have_count(1)
        await expect(queued.locator("#status")).to_have_text("在线", timeout=45_000)
    finally:
        await first.close()
        await second.close()
