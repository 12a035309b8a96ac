"""The console's filing form and the dispatcher's reclassification are checked on the server against
the registry and the taxonomy, with the limits the pages show: what is wrong is said in Chinese above
the form as it was typed, and nothing is filed or changed."""

import re
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest
import pytest_asyncio

from bot.web.case_fields import MAX_ADDRESS, MAX_TEXT
from tests.fakes.analyzer import FakeTranscriptAnalyzer
from tests.fakes.web_stack import WebStack, scratch_database, web_stack
from tests.integration.test_staff_pages import BASE, filing, sign_in
from tests.integration.test_web_console import TRANSCRIPT, csrf, login

pytestmark = pytest.mark.asyncio(loop_scope="module")
HYPERLINK = '=HYPERLINK("http://evil.example","点我")'
GOOD = {"transcript": TRANSCRIPT, "text": "幸福里3号楼楼上漏水十天，物业不管。", "said": "", "category": "service",
        "topic": "城乡建设", "grid": "T01-C01-G01", "address": "幸福里3号楼", "phone": "13812345678",
        "department": "", "suggested_category": "service", "suggested_topic": "城乡建设",
        "model_version": "0007-fake"}


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def stack(sqlite_template, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[WebStack]:  # type: ignore[no-untyped-def]
    url = await scratch_database("sqlite", tmp_path_factory.mktemp("console-checks"), sqlite_template, None)
    async with web_stack(url, FakeTranscriptAnalyzer()) as running:
        yield running
        for client in running.__dict__.pop("clients", []):  # sign_in's browsers
            await client.aclose()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def operator(stack: WebStack) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    client = await login(stack)
    yield client, csrf((await client.get("/console")).text)
    await client.aclose()


async def hotline_cases(stack: WebStack) -> int:
    async with stack.app.uow() as uow:
        return len(await uow.cases.find(channel="hotline", limit=100))


async def refused(stack: WebStack, operator: tuple[httpx.AsyncClient, str], **changes: str) -> httpx.Response:
    client, token = operator
    before = await hotline_cases(stack)
    response = await client.post("/console/cases", data={**GOOD, "csrf_token": token, **changes})
    assert response.status_code == 422, response.text[:500]
    assert await hotline_cases(stack) == before  # nothing half-written
    return response


def alerts(page: httpx.Response) -> list[str]:
    return re.findall(r'<p class="alert" role="alert">([^<]+)</p>', page.text)


async def test_the_review_page_shows_the_server_s_limits_and_only_the_taxonomy(
    stack: WebStack, operator: tuple[httpx.AsyncClient, str],
) -> None:
    client, token = operator
    page = await client.post("/console/review", data={"transcript": TRANSCRIPT, "csrf_token": token})
    assert f'<textarea name="text" rows="6" maxlength="{MAX_TEXT}"' in page.text
    assert re.search(rf'name="address" value="[^"]*" maxlength="{MAX_ADDRESS}"', page.text)
    topics = re.search(r'<select name="topic".*?</select>', page.text, re.S)
    assert topics and set(re.findall(r'<option value="([^"]*)"', topics[0])) == {"", "城乡建设", "劳动和社会保障"}
    home = (await client.get("/console")).text
    assert f"（不超过 {MAX_TEXT} 字）" in home and 'id="transcript" name="transcript" rows="12" required' in home


async def test_a_transcript_is_counted_as_typed_and_one_too_long_comes_back_whole(
    stack: WebStack, operator: tuple[httpx.AsyncClient, str],
) -> None:
    """The page no longer cuts a paste at the limit without a word (the browser's maxlength did), and a
    line break counts once, as on the page, though browsers post it as CRLF."""
    client, token = operator
    lines = [f"[00:{n // 60:02d}:{n % 60:02d}] 市民：{'嗯' * 15}" for n in range(655)]
    near = "\r\n".join([*lines, TRANSCRIPT.replace("\n", "\r\n")])
    assert len(near.replace("\r\n", "\n")) <= MAX_TEXT < len(near)
    accepted = await client.post("/console/review", data={"transcript": near, "csrf_token": token})
    assert accepted.status_code == 200 and "核对并登记" in accepted.text
    over = near + "\r\n" + "市民：" + "漏水" * 2000
    refused = await client.post("/console/review", data={"transcript": over, "csrf_token": token})
    count = len(over.replace("\r\n", "\n"))
    assert refused.status_code == 422
    assert alerts(refused) == [f"通话记录共 {count} 字，超过 {MAX_TEXT} 字的上限：请删去寒暄等与诉求无关的部分后再分析。"]
    assert "漏水" * 2000 + "</textarea>" in refused.text  # nothing of it lost


async def test_a_complaint_longer_than_the_page_allows_is_refused(
    stack: WebStack, operator: tuple[httpx.AsyncClient, str],
) -> None:
    page = await refused(stack, operator, text="漏水" * 50_000)
    assert alerts(page) == [f"诉求内容不能超过 {MAX_TEXT} 字（现为 100000 字），请精简后再登记。"]
    assert 'value="幸福里3号楼"' in page.text  # the rest of the form as it was typed
    page = await refused(stack, operator, address="幸福里" * 100)
    assert alerts(page) == [f"地址不能超过 {MAX_ADDRESS} 字（现为 300 字）。"]
    assert "幸福里" * 100 in page.text


async def test_a_topic_or_category_outside_the_taxonomy_is_refused(
    stack: WebStack, operator: tuple[httpx.AsyncClient, str],
) -> None:
    page = await refused(stack, operator, topic=HYPERLINK, category="bogus")
    assert alerts(page) == ["类别“bogus”不在可选类别中，请从列表中选择。",
                            "主题“=HYPERLINK(&#34;http://…”不在主题目录中，请从列表中选择。"]
    assert "幸福里3号楼楼上漏水十天" in page.text


async def test_an_unknown_grid_or_department_is_an_error_not_dropped(
    stack: WebStack, operator: tuple[httpx.AsyncClient, str],
) -> None:
    page = await refused(stack, operator, grid="T01-C01-G99", department="NOPE")
    assert alerts(page) == ["网格编码“T01-C01-G99”不在网格登记中，请从列表中选择，或选“未确定”交人工分拨。",
                            "指定部门“NOPE”不存在，请从列表中选择，或选“按规则自动分派”。"]


async def test_a_department_chosen_without_a_category_is_refused_for_want_of_limits(
    stack: WebStack, operator: tuple[httpx.AsyncClient, str],
) -> None:
    page = await refused(stack, operator, category="", department="C-T01-C01")
    assert any("类别决定签收和办结时限" in alert for alert in alerts(page))


async def test_forged_hidden_fields_and_confidences_are_refused_or_ignored(
    stack: WebStack, operator: tuple[httpx.AsyncClient, str],
) -> None:
    page = await refused(stack, operator, model_version="v" * 65, transcript=TRANSCRIPT * 1000)
    assert alerts(page) == ["表单内容异常，请重新粘贴通话记录后再登记。"]
    client, token = operator
    filed = await client.post("/console/cases", data={**GOOD, "csrf_token": token, "category_confidence": "nan",
                                                      "topic_confidence": "1e999"})
    assert filed.status_code == 303
    number = filed.headers["location"].split("/")[-1].split("?")[0]
    async with stack.app.uow() as uow:
        case = await uow.cases.get(number)
    assert (case.category_confidence, case.topic_confidence, case.grid_code) == (None, None, "T01-C01-G01")


async def test_the_dispatcher_corrects_a_topic_only_to_one_in_the_taxonomy(stack: WebStack) -> None:
    number = (await stack.app.bus.handle(filing())).number
    dispatcher = await sign_in(stack, "desk", "dispatcher")
    page = await dispatcher.get(f"/cases/{number}")
    form = re.search(r'<form [^>]*id="reclassify-form".*?</form>', page.text, re.S)
    assert form and '<option value="劳动和社会保障">劳动和社会保障</option>' in form[0]
    for fields, said in (({"topic": HYPERLINK}, "不在主题目录中"), ({"category": "other"}, "不在可选类别中")):
        answer = await dispatcher.post(f"/cases/{number}/reclassify", **fields)
        assert answer.status_code == 422 and said in answer.text
    async with stack.app.uow() as uow:
        case = await uow.cases.get(number)
    assert (case.category, case.topic) == ("service", "城乡建设") and case.events[-1].kind != "reclassified"
    done = await dispatcher.post(f"/cases/{number}/reclassify", topic="劳动和社会保障")
    assert done.status_code == 303 and done.headers["location"] == f"{BASE}/cases/{number}?done=reclassify"


async def test_the_dispatcher_places_a_case_only_on_a_grid_of_the_registry(stack: WebStack) -> None:
    number = (await stack.app.bus.handle(replace(filing(), grid_code=None))).number
    dispatcher = await sign_in(stack, "desk2", "dispatcher")
    page = await dispatcher.get(f"/cases/{number}")
    form = re.search(r'<form [^>]*id="locate-form".*?</form>', page.text, re.S)
    assert form and '<optgroup label="试验街道试验社区"><option value="T01-C01-G01">一网格</option>' in form[0]
    for grid, said in (("", "请选择这件诉求所在的网格"), ("T01-C01-G99", "没有编号为 T01-C01-G99 的网格")):
        answer = await dispatcher.post(f"/cases/{number}/locate", grid=grid)
        assert answer.status_code == 422 and said in answer.text
    async with stack.app.uow() as uow:
        assert (await uow.cases.get(number)).grid_code is None
    done = await dispatcher.post(f"/cases/{number}/locate", grid="T01-C01-G01")
    assert done.status_code == 303 and done.headers["location"] == f"{BASE}/cases/{number}?done=locate"
