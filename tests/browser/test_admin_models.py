"""模型管理 in a real browser: an administrator retrains from the archive and watches it end promoted,
opens a version's confusion heat maps, compares the two versions, and rolls back with a reason that the audit log shows; a
clerk cannot open the page. Screenshots go to tests/artifacts/."""

import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import BrowserContext, Page, expect

from bot.web.accounts import add_staff
from nlu.registry import ModelRegistry
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.fakes.model_archive import archive_seen_cases, archive_unseen_cases, seed_model
from tests.fakes.web_stack import PASSWORD, WebStack, scratch_database, web_stack

pytestmark = pytest.mark.asyncio(loop_scope="module")
RETRAIN_MS = 90_000  # a retrain of 80 cases on a busy two-core machine


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def stack(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[WebStack]:
    folder = tmp_path_factory.mktemp("admin-models")
    url = await scratch_database("sqlite", folder, sqlite_template, None)
    async with web_stack(url) as running:
        running.app.settings = replace(running.app.settings, models_dir=seed_model(folder / "models"))
        await archive_seen_cases(running.app, folder)
        yield running
        shutil.rmtree(folder / "models", ignore_errors=True)


async def signed_in(context: BrowserContext, stack: WebStack, username: str, role: str,
                    department: str | None = None) -> Page:
    await add_staff(stack.app.sessions, username, PASSWORD, role, department, datetime.now(UTC), reset=True)
    page = await context.new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    await sign_in(page, stack.url, username, PASSWORD, re.compile(r"/console/work/"))
    return page


async def test_an_administrator_retrains_inspects_and_rolls_back(context: BrowserContext, stack: WebStack,
                                                                 tmp_path: Path) -> None:
    registry = ModelRegistry(stack.app.settings.models_dir)
    [seed] = [v.name for v in registry.list_versions()]
    page = await signed_in(context, stack, "admin", "admin")
    await page.get_by_role("navigation", name="工作菜单").get_by_role("link", name="模型管理").click()
    await expect(page).to_have_url(stack.url + "/console/admin/models")
    await expect(page.locator(f'tr[data-version="{seed}"]')).to_contain_text("尚无真实数据评估")
    await page.screenshot(path=ARTIFACTS / "admin-models.png", full_page=True)

    await page.get_by_role("button", name="用已归档诉求再训练").click()
    result = page.locator("#retrain-result")
    await expect(result).to_contain_text("已启用", timeout=RETRAIN_MS)
    await expect(result).to_contain_text("第 2 版")
    new = registry.active_version()
    assert new is not None and new != seed
    await expect(page.locator(f'tr[data-version="{new}"]')).to_contain_text("使用中")
    await page.screenshot(path=ARTIFACTS / "admin-models-promoted.png", full_page=True)

    await page.locator(f'tr[data-version="{new}"]').get_by_role("link").first.click()
    await expect(page).to_have_url(stack.url + f"/console/admin/models/{new}")
    heatmaps = page.locator("svg.heatmap")
    await expect(heatmaps).to_have_count(2)
    await expect(heatmaps.first).to_be_visible()
    await expect(page.get_by_role("img", name="类别混淆矩阵")).to_be_visible()
    await page.screenshot(path=ARTIFACTS / "admin-model-confusion.png", full_page=True)

    await archive_unseen_cases(stack.app, tmp_path)  # archived since, so neither version learned from them
    await page.get_by_role("link", name="返回全部版本").click()
    await page.get_by_role("button", name="在同一批诉求上比较").click()
    await expect(page.locator("#compare-category")).to_contain_text("两版判断不同的有")
    await page.screenshot(path=ARTIFACTS / "admin-models-compared.png", full_page=True)

    await page.get_by_role("link", name="返回全部版本").click()
    row = page.locator(f'tr[data-version="{seed}"]')
    await row.get_by_label("原因").fill("新版本把物业纠纷判成便民服务")
    await row.get_by_role("button", name="回滚到此版本").click()
    await expect(page.locator(f'tr[data-version="{seed}"]')).to_contain_text("使用中")
    audit = page.locator("#audit tbody tr")
    await expect(audit.first).to_contain_text("回滚到旧版本")
    await expect(audit.first).to_contain_text("新版本把物业纠纷判成便民服务")
    await expect(page.locator("#audit")).to_contain_text("再训练完成，新版本已启用")
    await page.screenshot(path=ARTIFACTS / "admin-models-rolled-back.png", full_page=True)
    assert registry.active_version() == seed


async def test_a_clerk_cannot_open_the_models_page(context: BrowserContext, stack: WebStack) -> None:
    page = await signed_in(context, stack, "clerk", "clerk", "C-T01-C01")
    await expect(page.get_by_role("navigation", name="工作菜单")).not_to_contain_text("模型管理")
    response = await page.goto(stack.url + "/console/admin/models")
    assert response is not None and response.status == 403
    await expect(page.locator("main")).to_contain_text("没有管理模型的权限")
    await page.screenshot(path=ARTIFACTS / "admin-models-refused-clerk.png", full_page=True)
