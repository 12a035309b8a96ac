"""账号管理 and 辖区名录 in a real browser: an administrator creates an account, disables it (its
member's open page stops working, and only once ticked), enables it and resets its password; a grid
worker's grids are ticked under their community; a clerk can open neither admin
page nor another department's case; a registry upload with a bad row is refused with its line listed
and nothing written, and a good one is previewed and then loaded. Screenshots go to tests/artifacts/."""

import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Page, expect

from bot.web.accounts import add_staff
from bot.web.admin.registry_uploads import MAX_BYTES
from handlers import commands as c
from storage.audit_log import recent
from storage.importers import load_directory
from tests.browser.conftest import ARTIFACTS, DESKTOP, sign_in
from tests.fakes.web_stack import PASSWORD, WebStack, scratch_database, web_stack

pytestmark = pytest.mark.asyncio(loop_scope="module")
SAMPLE = Path(__file__).resolve().parents[2] / "sample_district"
FIRST, SECOND = "wangxh-initial-pw", "wangxh-second-pw"


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def stack(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[WebStack]:
    folder = tmp_path_factory.mktemp("admin-accounts")
    url = await scratch_database("sqlite", folder, sqlite_template, None)
    async with web_stack(url) as running:
        running.app.settings = replace(running.app.settings, data_dir=folder / "data")
        yield running


async def signed_in(context: BrowserContext, stack: WebStack, username: str, password: str = PASSWORD) -> Page:
    page = await context.new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    await sign_in(page, stack.url, username, password, re.compile(r"/console/work/"))
    return page


async def as_admin(context: BrowserContext, stack: WebStack) -> Page:
    await add_staff(stack.app.sessions, "admin", PASSWORD, "admin", None, datetime.now(UTC), reset=True)
    return await signed_in(context, stack, "admin")


async def test_an_administrator_creates_disables_and_resets_an_account(browser: Browser, context: BrowserContext,
                                                                       stack: WebStack) -> None:
    page = await as_admin(context, stack)
    await page.get_by_role("navigation", name="工作菜单").get_by_role("link", name="账号管理").click()
    await expect(page).to_have_url(stack.url + "/console/admin/accounts")
    create = page.locator("#create-form")
    await create.get_by_label("用户名").fill("wangxh")
    await create.get_by_label("角色").select_option(label="部门办理人员")
    await create.get_by_label("所属部门").select_option(label="试验社区居委会（C-T01-C01）")
    await create.get_by_label("初始密码").fill(FIRST)
    await page.screenshot(path=ARTIFACTS / "admin-accounts.png", full_page=True)
    await create.get_by_role("button", name="创建账号").click()
    await expect(page).to_have_url(stack.url + "/console/admin/accounts/wangxh?done=created")
    await expect(page.locator("#done")).to_contain_text("账号已创建")
    await expect(page.locator("#account-role")).to_have_text("部门办理人员")

    await page.goto(stack.url + "/console/admin/accounts")
    create = page.locator("#create-form")
    await create.get_by_label("用户名").fill("wangxh")
    await create.get_by_label("所属部门").select_option(label="试验社区居委会（C-T01-C01）")
    await create.get_by_label("初始密码").fill("someone-elses-pw")
    await create.get_by_role("button", name="创建账号").click()
    await expect(page.locator("#error")).to_contain_text("用户名 wangxh 已被使用")
    await page.screenshot(path=ARTIFACTS / "admin-accounts-duplicate.png", full_page=True)

    member = await browser.new_context(**DESKTOP)
    try:
        theirs = await signed_in(member, stack, "wangxh", FIRST)
        await expect(theirs).to_have_url(stack.url + "/console/work/queue")
        await page.goto(stack.url + "/console/admin/accounts/wangxh")
        await expect(page.locator("#account-sessions")).to_have_text("1 处已登录")
        await page.get_by_role("button", name="停用账号").click()  # not ticked: the browser holds the form back
        await expect(page.locator("#account-state")).to_have_text("启用")
        await page.get_by_label("确认停用 wangxh").check()
        await page.get_by_role("button", name="停用账号").click()
        await expect(page.locator("#done")).to_contain_text("账号已停用，并已在所有设备上退出登录")
        await expect(page.locator("#account-state")).to_have_text("已停用")
        await page.screenshot(path=ARTIFACTS / "admin-account-disabled.png", full_page=True)

        await theirs.reload()  # the member's open page: their session has ended
        await expect(theirs).to_have_url(re.compile(r"/console/login\?next="))
        await sign_in(theirs, stack.url, "wangxh", FIRST)
        await expect(theirs.get_by_role("alert")).to_contain_text("该账号已停用，请联系系统管理员")  # their password is right
        await theirs.screenshot(path=ARTIFACTS / "admin-account-disabled-member.png", full_page=True)

        await page.get_by_role("button", name="启用账号").click()
        await expect(page.locator("#account-state")).to_have_text("启用")
        await page.locator("#password-form").get_by_label("新密码").fill(SECOND)
        await page.get_by_role("button", name="重设密码").click()
        await expect(page.locator("#done")).to_contain_text("密码已重设")

        again = await member.new_page()
        await sign_in(again, stack.url, "wangxh", FIRST)
        await expect(again.get_by_role("alert")).to_contain_text("用户名或密码不正确")
        await sign_in(again, stack.url, "wangxh", SECOND, stack.url + "/console/work/queue")
    finally:
        await member.close()

    await page.goto(stack.url + "/console/admin/accounts")
    audit = page.locator("#audit tbody tr")
    await expect(audit).to_have_text([re.compile("重设密码"), re.compile("启用账号"), re.compile("停用账号"),
                                      re.compile("新建账号.*部门办理人员，部门 C-T01-C01", re.S)])
    await page.screenshot(path=ARTIFACTS / "admin-accounts-audit.png", full_page=True)
    logged = await recent(stack.app.sessions, "accounts")
    assert [(e.actor, e.action, e.subject) for e in logged] == [
        ("admin", "password_reset", "wangxh"), ("admin", "enabled", "wangxh"), ("admin", "disabled", "wangxh"),
        ("admin", "created", "wangxh")]


async def test_a_grid_workers_grids_are_ticked_under_their_community(context: BrowserContext, stack: WebStack) -> None:
    page = await as_admin(context, stack)
    await page.goto(stack.url + "/console/admin/accounts")
    create = page.locator("#create-form")
    await create.get_by_label("用户名").fill("zhou-grid")
    await create.get_by_label("角色").select_option(label="网格员")
    await create.get_by_label("初始密码").fill(FIRST)
    choices = create.locator("#grid-choices")
    first = choices.get_by_role("checkbox").first
    await expect(first).to_be_hidden()  # each community folded until opened
    await choices.locator("summary").first.click()
    await first.check()
    await create.get_by_role("button", name="创建账号").click()
    await expect(page.locator("#done")).to_contain_text("账号已创建")
    await expect(page.locator("#grid-choices details[open] input:checked")).to_have_count(1)
    await expect(page.locator("#grid-choices summary").first).to_contain_text("已选 1 个")
    await expect(page.locator("#account-grids")).not_to_have_text("—")


async def test_a_clerk_cannot_open_the_admin_pages_or_another_departments_case(context: BrowserContext,
                                                                               stack: WebStack) -> None:
    filed = await stack.app.bus.handle(c.FileCase(
        actor="resident", text="二网格菜市场门口污水外溢，气味很大", channel="web", user_ref="web:b1", category="service",
        topic="城乡建设", category_confidence=0.2, topic_confidence=0.2, grid_code="T01-C01-G02"))
    await stack.app.bus.handle(c.DispatchCase("staff:disp", filed.number, "W-T01-C01-G02"))
    page = await signed_in(context, stack, "clerk")  # C-T01-C01, the community office
    menu = page.get_by_role("navigation", name="工作菜单")
    await expect(menu).not_to_contain_text("账号管理")
    await expect(menu).not_to_contain_text("辖区名录")
    for path, what in (("/console/admin/accounts", "没有管理账号的权限"),
                       ("/console/admin/registry", "没有管理辖区名录的权限")):
        response = await page.goto(stack.url + path)
        assert response is not None and response.status == 403
        await expect(page.locator("main")).to_contain_text(what)
    await page.screenshot(path=ARTIFACTS / "admin-accounts-refused-clerk.png", full_page=True)
    response = await page.goto(f"{stack.url}/console/work/cases/{filed.number}")
    assert response is not None and response.status == 403
    await expect(page.locator("#reason")).to_have_text("这件诉求不在您所在部门办理。")
    await expect(page.locator("main")).not_to_contain_text("污水外溢")
    await page.screenshot(path=ARTIFACTS / "case-refused-other-department.png", full_page=True)


async def test_a_registry_upload_is_checked_previewed_and_loaded(context: BrowserContext, stack: WebStack,
                                                                 tmp_path: Path) -> None:
    for name in ("grids.geojson", "places.csv", "departments.csv"):
        shutil.copy(SAMPLE / name, tmp_path / name)
    bad = tmp_path / "bad"
    bad.mkdir()
    places = (SAMPLE / "places.csv").read_text(encoding="utf-8") + "新建小区,小区,QH09-C01-G01,,,,\n"
    (bad / "places.csv").write_text(places, encoding="utf-8")
    line = len(places.splitlines())
    async with stack.app.sessions() as session:
        before = await load_directory(session)

    page = await as_admin(context, stack)
    await page.get_by_role("navigation", name="工作菜单").get_by_role("link", name="辖区名录").click()
    await expect(page).to_have_url(stack.url + "/console/admin/registry")
    await choose(page, tmp_path / "grids.geojson", bad / "places.csv", tmp_path / "departments.csv")
    await page.get_by_role("button", name="检查并预览（不会写入）").click()
    problems = page.locator("#problems li")
    await expect(problems).to_have_text([f"places.csv 第{line}行：网格编码 QH09-C01-G01 不存在"])
    await expect(page.locator("#problems h2")).to_have_text("文件有 1 处问题，未导入任何数据")
    await page.screenshot(path=ARTIFACTS / "admin-registry-refused.png", full_page=True)
    async with stack.app.sessions() as session:
        assert await load_directory(session) == before  # nothing written
    assert await recent(stack.app.sessions, "registry") == []

    await choose(page, tmp_path / "grids.geojson", tmp_path / "places.csv", tmp_path / "departments.csv")
    await page.get_by_role("button", name="检查并预览（不会写入）").click()
    summary = page.locator("#summary li")
    await expect(summary.first).to_have_text("网格：新增 36 个、删除 2 个（导入后共 36 个）。")
    await expect(page.locator("#grids-removed")).to_contain_text("T01-C01-G02")
    await page.screenshot(path=ARTIFACTS / "admin-registry-preview.png", full_page=True)
    async with stack.app.sessions() as session:
        assert await load_directory(session) == before  # a preview writes nothing either

    await page.get_by_role("button", name="确认导入").click()
    await expect(page.locator("#done")).to_contain_text("名录已导入")
    await expect(page.locator("#current-counts")).to_contain_text("36 个")
    await expect(page.locator("#audit tbody tr").first).to_contain_text("导入名录")
    await page.screenshot(path=ARTIFACTS / "admin-registry-loaded.png", full_page=True)
    async with stack.app.sessions() as session:
        after = await load_directory(session)
    assert len(after.grids) == 36 and "T01-C01-G01" not in {g.code for g in after.grids}
    [entry] = await recent(stack.app.sessions, "registry")
    assert (entry.actor, entry.action) == ("admin", "loaded")


async def test_a_registry_file_over_the_limit_is_refused_before_it_is_sent(context: BrowserContext, stack: WebStack,
                                                                          tmp_path: Path) -> None:
    """The page names the file and the limit and posts nothing: past the sum of the limits the server
    could only answer with the web framework's bare 413. Within the limit the form goes as before."""
    too_big = tmp_path / "grids.geojson"
    too_big.write_bytes(b" " * (MAX_BYTES + 1))
    page = await as_admin(context, stack)
    await page.goto(stack.url + "/console/admin/registry")
    posted: list[str] = []
    page.on("request", lambda request: posted.append(request.url) if request.method == "POST" else None)
    await choose(page, too_big, SAMPLE / "places.csv", SAMPLE / "departments.csv")
    await page.get_by_role("button", name="检查并预览（不会写入）").click()
    await expect(page.get_by_role("alert")).to_have_text("网格文件（GeoJSON）超过 20 MB，请检查是否选错了文件。")
    await page.screenshot(path=ARTIFACTS / "admin-registry-too-big.png", full_page=True)
    assert posted == [] and page.url == stack.url + "/console/admin/registry"

    await choose(page, SAMPLE / "grids.geojson", SAMPLE / "places.csv", SAMPLE / "departments.csv")
    await page.get_by_role("button", name="检查并预览（不会写入）").click()
    await expect(page).to_have_url(stack.url + "/console/admin/registry/preview")
    assert posted == [stack.url + "/console/admin/registry/preview"]


async def choose(page: Page, grids: Path, places: Path, departments: Path) -> None:
    await page.get_by_label("网格文件（GeoJSON）").set_input_files(grids)
    await page.get_by_label("地名文件（CSV）").set_input_files(places)
    await page.get_by_label("部门文件（CSV）").set_input_files(departments)
