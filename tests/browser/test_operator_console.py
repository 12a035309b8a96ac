"""An operator logs in, pastes a call transcript, corrects the topic and files the case for the caller."""

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, expect

from tests.browser.conftest import ARTIFACTS, DESKTOP, sign_in
from tests.fakes.analyzer import FakeTranscriptAnalyzer
from tests.fakes.web_stack import PASSWORD, WebStack, scratch_database, web_stack

pytestmark = pytest.mark.asyncio(loop_scope="module")
TRANSCRIPT = """[00:00:02] 坐席：您好，12345 市民热线，请讲。
[00:00:05] 市民：你好，我是幸福里小区的，我家楼上卫生间漏水已经10天了，天花板都泡坏了。
[00:00:16] 坐席：跟楼上邻居沟通过吗？
[00:00:19] 市民：说了好几次，他就是不修，物业也不管。
[00:00:27] 坐席：好的，请留一个联系电话。
[00:00:30] 市民：13912345678。"""
PAYLOAD = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">"


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def stack(sqlite_template, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[WebStack]:  # type: ignore[no-untyped-def]
    url = await scratch_database("sqlite", tmp_path_factory.mktemp("console"), sqlite_template, None)
    async with web_stack(url, FakeTranscriptAnalyzer()) as running:
        yield running


@pytest_asyncio.fixture(loop_scope="module")
async def page(browser: Browser, stack: WebStack) -> AsyncIterator[Page]:
    context = await browser.new_context(**DESKTOP)
    opened = await context.new_page()
    opened.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    await opened.goto(stack.url + "/console")
    await expect(opened).to_have_url(stack.url + "/console/login?next=/console")  # anonymous: sent to login
    await sign_in(opened, stack.url, "operator", PASSWORD)
    await expect(opened.get_by_role("heading", name="受理来电")).to_be_visible()
    yield opened
    await context.close()


async def test_an_operator_corrects_the_topic_and_creates_the_case(page: Page, stack: WebStack) -> None:
    await page.locator("#transcript").fill(TRANSCRIPT)
    await page.screenshot(path=ARTIFACTS / "console-paste.png")
    await page.get_by_role("button", name="分析通话").click()

    evidence = page.locator("#evidence")
    await expect(evidence.locator("mark.grid")).to_have_text("幸福里")
    await expect(evidence.locator("mark.phone")).to_have_text("13912345678")
    await expect(page.locator("#topic option:checked")).to_contain_text("城乡建设（建议，置信度 71%）")
    await expect(page.locator("#phone")).to_have_value("13912345678")
    await expect(page.locator("#route-department")).to_have_text("试验社区居委会")

    await page.locator("#topic").select_option("劳动和社会保障")
    await expect(page.locator("#route-department")).to_have_text("区人力资源和社会保障局")
    await page.screenshot(path=ARTIFACTS / "console-review.png", full_page=True)
    await page.get_by_role("button", name="登记诉求").click()

    number = await page.locator("#case-number").inner_text()
    await expect(page.locator("#case-topic")).to_have_text("劳动和社会保障")
    await expect(page.locator("#case-department")).to_have_text("区人力资源和社会保障局")
    await page.screenshot(path=ARTIFACTS / "console-case.png", full_page=True)
    async with stack.app.uow() as uow:
        case = await uow.cases.get(number)
    assert (case.channel, case.user_ref, case.topic) == ("hotline", "hotline:13912345678", "劳动和社会保障")


async def test_a_script_in_a_transcript_is_shown_as_text_on_every_staff_page(page: Page) -> None:
    await page.goto(page.url.split("/console")[0] + "/console")
    await page.locator("#transcript").fill(f"市民：幸福里 {PAYLOAD} 漏水")
    await page.get_by_role("button", name="分析通话").click()
    await expect(page.locator("#evidence")).to_contain_text(PAYLOAD)
    await page.get_by_role("button", name="登记诉求").click()
    await expect(page.locator("#case-text")).to_contain_text(PAYLOAD)
    await page.get_by_role("link", name="受理下一个来电").click()
    await expect(page.locator("td.snippet").first).to_contain_text("<script>")
    assert await page.title() != "pwned"
    assert await page.locator("main img").count() == 0


async def test_a_call_told_with_a_fire_goes_to_a_dispatcher_unless_the_operator_says_otherwise(page: Page) -> None:
    await page.goto(page.url.split("/console")[0] + "/console")
    await page.locator("#transcript").fill("市民：幸福里3号楼楼道里起火了，烟很大，路灯也不亮了。13812345678")
    await page.get_by_role("button", name="分析通话").click()
    chosen = page.locator("#emergency")
    await expect(chosen).to_have_value("119")
    await expect(page.locator("#route-reason")).to_contain_text("已提示拨打 119")
    await chosen.select_option("")  # a false alarm: routed by the rules again
    await expect(page.locator("#route-department")).to_have_text("试验社区居委会")
    await expect(page.locator("#route-reason")).to_have_text("按分拨规则")
    await expect(page.locator("#emergency-field")).not_to_have_class("urgent")
    await chosen.select_option("119")
    await expect(page.locator("#route-reason")).to_contain_text("已提示拨打 119")
    await page.screenshot(path=ARTIFACTS / "console-emergency.png", full_page=True)
    await page.get_by_role("button", name="登记诉求").click()
    await expect(page.locator("#case-emergency")).to_contain_text("已提示拨打 119")
    await expect(page.locator("#case-department")).not_to_have_text("试验社区居委会")


async def test_a_field_left_blank_for_the_operator_is_not_marked_changed_until_they_choose(page: Page) -> None:
    await page.goto(page.url.split("/console")[0] + "/console")
    await page.locator("#transcript").fill("市民：幸福里的路灯坏了，我也拿不准该找谁。13812345678")
    await page.get_by_role("button", name="分析通话").click()
    category = page.locator("#category")
    await expect(category).to_have_value("")  # the reading was unsure: left to the operator, not pre-filled
    await expect(page.locator(".changed-note")).to_have_count(0)
    await category.select_option("service")
    await expect(page.locator(".changed-note")).to_have_count(1)
