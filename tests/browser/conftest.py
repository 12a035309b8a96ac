"""Browser tests: Playwright driving Debian's chromium against the app on a loopback port.

Chromium comes from the system (`apt-get install chromium fonts-noto-cjk`, done by .ci/run);
without it these tests are skipped on a developer machine and fail on CI.
"""

import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

CHROMIUM = Path(os.environ.get("MINSHENG_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN",
                           "timezone_id": "Asia/Shanghai"}


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"chromium is required on CI but missing at {CHROMIUM}")
        pytest.skip(f"chromium not installed at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        await launched.close()


@pytest_asyncio.fixture(loop_scope="module")
async def context(browser: Browser) -> AsyncIterator[BrowserContext]:
    """A desktop browser window; a module whose pages need other options defines its own `context`."""
    opened = await browser.new_context(**DESKTOP)
    yield opened
    await opened.close()


async def sign_in(page: Page, base_url: str, username: str, password: str,
                  lands_on: str | re.Pattern[str] | None = None) -> None:
    """Sign a staff member in through the real login form, as a member would, rather than by planting a
    session cookie: the form, its redirect and its `next` are part of what the browser tests cover.

    The form is opened unless the page already shows it (after a redirect to /console/login?next=…, or a
    refused attempt). With `lands_on`, the page must then be at that URL.
    """
    if "/console/login" not in page.url:
        await page.goto(base_url + "/console/login")
    await page.get_by_label("用户名").fill(username)
    await page.get_by_label("密码").fill(password)
    await page.get_by_role("button", name="登录").click()
    if lands_on is not None:
        await expect(page).to_have_url(lands_on)
