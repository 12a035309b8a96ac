"""What the console pre-fills from a call, read by the real NLU extraction (gazetteer, entities, transcripts),
what a filed case keeps of it, and the warning that SMS is not configured.

Classification is no part of these claims, so the analyzer runs without a trained model."""

import re
from collections.abc import AsyncIterator
from contextlib import aclosing
from functools import lru_cache
from html import unescape
from typing import Any

import pytest
import pytest_asyncio

from handlers.phones import phone_digits
from bot.web.nlu_suggestions import NluTranscriptAnalyzer
from handlers.case import replay
from handlers.ports import Notification
from nlu.analyzer import Analyzer
from nlu.gazetteer import Gazetteer, GridEntry, PlaceEntry
from tests.fakes.web_stack import WebStack, scratch_database, web_stack
from tests.integration.test_web_console import csrf, field, login

GRID = "T01-C01-G01"
CALL = """[00:00:02] 坐席：您好，12345市民热线，请讲。
[00:00:05] 市民：喂，你好，我要反映一下，我们幸福里3号楼地下车库入口积水一个星期了，车都开不进去，物业也不管。
[00:00:20] 坐席：请问您的联系电话？
[00:00:23] 市民：幺五九，零一二三，四五六七。
[00:00:30] 坐席：好的，已为您登记，我们会转交相关部门。
[00:00:34] 市民：好，谢谢啊。"""


class NoModel:
    """A model that knows no labels: the analysis then has extraction only."""

    def predict_one(self, text: str, words: Any) -> dict[str, Any]:
        return {}

    def classifier(self, task: str) -> None:
        return None


class FakeNotifier:
    """An SMS notifier that is configured; this server never calls it (it runs no outbox loop)."""

    async def send(self, notification: Notification) -> None:
        raise AssertionError("no push is sent here")


@lru_cache(maxsize=1)
def reader() -> NluTranscriptAnalyzer:
    places = [PlaceEntry("幸福里", GRID, "小区", aliases=("幸福里小区",))]
    grids = [GridEntry(GRID, "一网格", "试验社区", "试验街道")]
    return NluTranscriptAnalyzer(Analyzer(NoModel(), Gazetteer(places, grids), version="test"))  # type: ignore[arg-type]


def test_the_complaint_is_the_callers_substance_without_courtesy_or_number() -> None:
    suggestion = reader().read(CALL)
    assert suggestion.complaint == "我们幸福里3号楼地下车库入口积水一个星期了，车都开不进去，物业也不管。"
    assert "喂，你好" in suggestion.text and "幺五九" in suggestion.text  # the evidence shown stays whole


def test_a_number_said_in_chinese_digits_fills_the_phone_field() -> None:
    suggestion = reader().read(CALL)
    assert [(o.value, o.label) for o in suggestion.phones] == [("15901234567", "幺五九，零一二三，四五六七")]
    start = suggestion.text.index("幺五九")
    assert [(s.start, s.end) for s in suggestion.phones[0].spans] == [(start, start + len("幺五九，零一二三，四五六七"))]


def test_a_long_call_is_searched_to_its_end_for_the_emergency_the_place_and_the_phone() -> None:
    """Callers say the danger, the address and the number last, when asked: past the 1,000 characters
    a resident's message is searched to."""
    story = "市民：" + "楼上那家人每天晚上都在拖椅子、跺脚，孩子跑来跑去，我们去敲过好几次门都没用，" * 30
    call = f"{story}\n坐席：地址是哪里？\n市民：幸福里3号楼。对了，刚才楼道里好像有很浓的煤气味。\n坐席：请留个电话。\n市民：13822223333"
    suggestion = reader().read(call)
    assert suggestion.text.index("煤气味") > 1000
    assert suggestion.emergency_line == "119" and "燃气" in suggestion.emergency
    assert [o.value for o in suggestion.phones] == ["13822223333"] and suggestion.grids[0].value == GRID


def test_of_a_calls_matters_the_one_told_with_an_emergency_comes_first() -> None:
    suggestion = reader().read("市民：幸福里小区的垃圾好几天没人清运了。还有一件事，三楼楼道里冒烟着火了！")
    assert [m.emergency for m in suggestion.matters] == [True, False]
    assert "着火" in suggestion.matters[0].text and "垃圾" in suggestion.matters[1].text


def test_a_spoken_landline_is_offered_as_the_digits_the_form_accepts() -> None:
    suggestion = reader().read("市民：幸福里路灯不亮了，我家座机零幺零，一二三四，五六七八")
    assert [o.value for o in suggestion.phones] == ["01012345678"]
    assert phone_digits(suggestion.phones[0].value) == "01012345678"


READ_BACK = """坐席：您好，请讲。
市民：幸福里3号楼门口的路灯坏了好几天了。
坐席：来电显示的号码是13912345678，这个号码能联系到您吗？
市民：{answer}
坐席：好的，已为您登记。"""


@pytest.mark.parametrize("answer, phones", [
    ("对的，打这个就行。", ["13912345678"]),
    ("嗯，是的。", ["13912345678"]),
    ("不是，这个是我家老人的。", []),
    ("不对，你打13800001111吧。", ["13800001111"]),  # the caller's own number wins
])
def test_a_number_the_operator_reads_back_and_the_caller_confirms_fills_the_phone(answer: str,
                                                                                  phones: list[str]) -> None:
    suggestion = reader().read(READ_BACK.format(answer=answer))
    assert [o.value for o in suggestion.phones] == phones
    assert "13912345678" not in suggestion.complaint


def test_the_address_keeps_what_the_caller_said_after_the_place() -> None:
    suggestion = reader().read(CALL)
    assert suggestion.grids[0].value == GRID and suggestion.address == "幸福里3号楼地下车库入口"


def test_the_callers_words_kept_for_the_case_have_the_number_masked() -> None:
    suggestion = reader().read(CALL)
    assert suggestion.said == suggestion.text.replace("幺五九，零一二三，四五六七", "159****4567")


# The same reading behind the console, over a real server: what the form holds, what the case keeps.

@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def stack(sqlite_template, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[WebStack]:  # type: ignore[no-untyped-def]
    url = await scratch_database("sqlite", tmp_path_factory.mktemp("reading"), sqlite_template, None)
    async with web_stack(url, reader()) as running:
        yield running


@pytest.mark.asyncio(loop_scope="module")
async def test_the_filed_case_keeps_the_callers_words_and_the_operators_write_up(stack: WebStack) -> None:
    async with aclosing(await login(stack)) as client:
        home = await client.get("/console")
        assert "短信通知未配置" in home.text  # said where the operator starts, before anything is filed
        review = await client.post("/console/review", data={"transcript": CALL, "csrf_token": csrf(home.text)})
        assert review.status_code == 200
        said = field(review.text, "said")
        assert field(review.text, "text") == reader().read(CALL).complaint
        assert (field(review.text, "phone"), field(review.text, "address")) == ("15901234567", "幸福里3号楼地下车库入口")
        assert 'id="sms-warning"' in review.text and "[sms]" in review.text
        written = "幸福里3号楼地下车库入口积水一周，车辆无法进出，物业不处理。"
        form = {name: field(review.text, name) for name in ("csrf_token", "transcript", "said", "phone", "address",
                                                             "suggested_category", "suggested_topic", "model_version")}
        created = await client.post("/console/cases", data={
            **form, "text": written, "grid": GRID, "category": "service", "topic": "城乡建设", "department": ""})
        assert created.status_code == 303
        page = await client.get(created.headers["location"])
        number = re.search(r'id="case-number">([^<]+)<', page.text).group(1)  # type: ignore[union-attr]
        async with stack.app.uow() as uow:
            case = await uow.cases.get(number)
        assert (case.text, case.original_text, case.phone) == (written, said, "15901234567")
        assert "159****4567" in said and replay(number, case.events).snapshot() == case.snapshot()
        original = re.search(r'<h3>群众原话</h3>\s*<p class="quote" id="case-original">([^<]*)</p>', page.text)
        assert original and unescape(original.group(1)) == said and "喂，你好" in said
        assert re.search(r'<h3>诉求内容（坐席整理）</h3>\s*<p class="quote" id="case-text">' + written, page.text)
        assert "15901234567" not in page.text  # the whole number stays in its own, masked, field
        assert re.search(r'<h3>给群众的通知</h3>\s*<p class="alert" role="status" id="sms-warning">短信通知未配置', page.text)
        assert "待发送" in page.text


@pytest.mark.asyncio(loop_scope="module")
async def test_no_sms_warning_where_no_push_waits_or_sms_is_configured(stack: WebStack) -> None:
    async with aclosing(await login(stack)) as client:
        token = csrf((await client.get("/console")).text)
        anonymous = await client.post("/console/cases", data={"csrf_token": token, "transcript": CALL, "text": "路灯不亮",
                                                              "phone": "", "grid": GRID, "category": "service"})
        assert 'id="sms-warning"' not in (await client.get(anonymous.headers["location"])).text  # nobody to text
        stack.app.notifiers["hotline"] = FakeNotifier()
        try:
            home = await client.get("/console")
            review = await client.post("/console/review", data={"transcript": CALL, "csrf_token": token})
            created = await client.post("/console/cases", data={
                "csrf_token": token, "transcript": CALL, "text": "积水", "phone": "15901234567", "grid": GRID,
                "category": "service"})
            case_page = await client.get(created.headers["location"])
        finally:
            del stack.app.notifiers["hotline"]
        assert "待发送" in case_page.text  # the push waits for the outbox loop, which this server does not run
        for page in (home, review, case_page):
            assert page.status_code == 200 and "短信通知未配置" not in page.text


def test_each_matter_a_caller_raises_is_read_on_its_own() -> None:
    two = CALL.replace("物业也不管。", "物业也不管。还有一件事，幸福里门口的路灯坏了好几天了。")
    matters = reader().read(two).matters
    assert [m.text for m in matters] == ["我们幸福里3号楼地下车库入口积水一个星期了，车都开不进去，物业也不管",
                                         "幸福里门口的路灯坏了好几天了"]
    assert reader().read(CALL).matters == ()


def test_a_call_where_only_the_operator_speaks_is_read_whole_and_said_so() -> None:
    suggestion = reader().read("[00:00:02] 坐席：您好，12345市民热线，请讲。\n[00:00:09] 坐席：喂？您好？对方已挂断。")
    assert suggestion.notice.startswith("这段通话记录里没有来电人说的话") and "对方已挂断" in suggestion.text
    assert reader().read(CALL).notice == ""


@pytest.mark.asyncio(loop_scope="module")
async def test_the_name_the_caller_gave_fills_the_form(stack: WebStack) -> None:
    named = CALL.replace("[00:00:34] 市民：好，谢谢啊。", "[00:00:34] 市民：我姓刘。\n[00:00:36] 坐席：好的刘先生。")
    assert reader().read(CALL).contact_name == ""
    async with aclosing(await login(stack)) as client:
        home = await client.get("/console")
        review = await client.post("/console/review", data={"transcript": named, "csrf_token": csrf(home.text)})
    assert field(review.text, "contact_name") == "刘先生"
