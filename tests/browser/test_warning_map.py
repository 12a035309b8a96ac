"""Early warning in a real browser: twelve ordinary weeks in 一网格, then a surge this week; the scan
flags it, and a supervisor sees the flag and the grid map on the dashboard and acknowledges it.
Screenshots go to tests/artifacts/."""

import re
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, expect
from sqlalchemy import update

from bot.warning_scan import scan, warning_policy
from bot.web.accounts import add_staff
from handlers import commands as c
from storage.models import GridRow
from tests.browser.conftest import ARTIFACTS, DESKTOP, sign_in
from tests.fakes.web_stack import PASSWORD, SQUARE, WebStack, scratch_database, web_stack
from tests.support import FakeClock

pytestmark = pytest.mark.asyncio(loop_scope="module")
EAST = [[[x + 0.02, y] for x, y in SQUARE[0]]]


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def stack(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[WebStack]:
    url = await scratch_database("sqlite", tmp_path_factory.mktemp("warning"), sqlite_template, None)
    async with web_stack(url) as running:
        yield running


async def file(stack: WebStack, clock: FakeClock, when: datetime, grid: str, who: str) -> None:
    clock.current = when
    await stack.app.bus.handle(c.FileCase(
        actor="resident", text="楼上装修噪音扰民", channel="web", user_ref=who, category="dispute", topic="城乡建设",
        category_confidence=0.9, topic_confidence=0.9, grid_code=grid))


async def a_surge_is_scanned(stack: WebStack) -> None:
    """History at one or two disputes a week per grid, eight in 一网格 this week; then the scan."""
    async with stack.app.sessions() as session:
        await session.execute(update(GridRow).where(GridRow.code == "T01-C01-G02").values(polygon=EAST))
        await session.commit()
    now = datetime.now(UTC)
    clock = FakeClock(now)
    stack.app.policies = replace(stack.app.policies, clock=clock)
    stack.app.bus.policies = stack.app.policies
    for week in range(1, 13):
        for grid in ("T01-C01-G01", "T01-C01-G02"):
            for i in range(1 + week % 2):
                await file(stack, clock, now - timedelta(weeks=week, hours=i), grid, f"web:{grid}-{week}-{i}")
    for i in range(8):
        await file(stack, clock, now - timedelta(minutes=i), "T01-C01-G01", f"web:surge-{i}")
    clock.current = now
    assert len(await scan(stack.app, warning_policy(stack.app.settings.section("warning")))) == 1


async def as_supervisor(browser: Browser, stack: WebStack) -> Page:
    await add_staff(stack.app.sessions, "chief", PASSWORD, "supervisor", None, datetime.now(UTC), reset=True)
    context = await browser.new_context(**DESKTOP)
    page = await context.new_page()
    await page.goto(stack.url + "/console/work/dashboard")
    await sign_in(page, stack.url, "chief", PASSWORD, re.compile(r"/console/work/dashboard"))
    return page


async def test_a_surge_is_flagged_and_shown_on_the_dashboard_map(browser: Browser, stack: WebStack) -> None:
    await a_surge_is_scanned(stack)
    page = await as_supervisor(browser, stack)
    await expect(page.get_by_role("link", name="排查预警（1）")).to_be_visible()
    grid_map = page.locator("#grid-map svg")
    await expect(grid_map.locator("path[data-grid]")).to_have_count(2)
    await expect(grid_map.locator('path[data-grid="T01-C01-G01"][data-flagged="1"]')).to_have_count(1)
    await expect(grid_map.locator('path[data-grid="T01-C01-G02"][data-flagged]')).to_have_count(0)
    await expect(grid_map.locator('.flag-marker[data-grid="T01-C01-G01"]')).to_be_visible()
    row = page.locator('#warnings tr[data-grid="T01-C01-G01"]')
    await expect(row).to_contain_text("一网格 本周矛盾纠纷·城乡建设 8 件")
    await expect(row).to_contain_text("达到预警线")
    await page.locator("#warnings").scroll_into_view_if_needed()
    await page.screenshot(path=ARTIFACTS / "staff-warning-map.png", full_page=True)

    await row.get_by_label("处理意见").fill("已请社区网格员入户排查，约谈装修户")
    await row.get_by_role("button", name="确认预警").click()
    await expect(page).to_have_url(re.compile(r"/console/work/dashboard\?acknowledged="))
    await expect(page.locator("#warnings")).to_contain_text("已请社区网格员入户排查")
    await expect(page.locator("#grid-map svg .flag-marker")).to_have_count(0)
    await expect(page.get_by_role("link", name="排查预警", exact=True)).to_be_visible()

    await page.get_by_role("link", name="本周排查报告（按街道）").click()
    await expect(page.locator('#report tr[data-grid="T01-C01-G01"]')).to_contain_text("已确认：已请社区网格员入户排查")
    await page.screenshot(path=ARTIFACTS / "staff-warning-report.png", full_page=True)
    await page.context.close()
