"""The console's category field says what each category means in a caller's words and, when the
model is unsure, offers the operator the resident dialogue's question: who is on the other side?"""

import re
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
import pytest_asyncio

from bot.web.suggestions import Option, Suggestion
from tests.fakes.analyzer import FakeTranscriptAnalyzer
from tests.fakes.web_stack import WebStack, scratch_database, web_stack
from tests.integration.test_web_console import csrf, login

pytestmark = pytest.mark.asyncio(loop_scope="module")
TRANSCRIPT = """[00:00:03] 坐席：您好，12345 热线，请讲。
[00:00:06] 市民：幸福里那边天天晚上很吵，反映了好多次了。
[00:00:15] 坐席：请留一个联系电话。
[00:00:18] 市民：13812345678。"""


class UnsureAnalyzer(FakeTranscriptAnalyzer):
    """The model leans to 信访事项 but below the dialogue's classification_confidence, and the place
    is one of two grids, equally likely."""

    async def suggest(self, transcript: str) -> Suggestion:
        found = await super().suggest(transcript)
        return replace(found, categories=(Option("petition", "信访事项", 0.38), Option("dispute", "矛盾纠纷", 0.33)),
                       grids=(Option("T01-C01-G01", "幸福里", 0.67), Option("T01-C01-G02", "幸福里", 0.67)))


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def stack(sqlite_template, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[WebStack]:  # type: ignore[no-untyped-def]
    url = await scratch_database("sqlite", tmp_path_factory.mktemp("console-category"), sqlite_template, None)
    async with web_stack(url, UnsureAnalyzer()) as running:
        yield running


async def _file(stack: WebStack, **fields: str) -> str:
    client = await login(stack)
    token = csrf((await client.get("/console")).text)
    form = {"csrf_token": token, "transcript": TRANSCRIPT, "text": "幸福里晚上噪音扰民", "category": "petition",
            "topic": "城乡建设", "grid": "T01-C01-G01", "address": "幸福里", "phone": "13812345678", "department": "",
            "suggested_category": "petition", "category_confidence": "0.38", "suggested_topic": "",
            "topic_confidence": "", "model_version": "0007-fake", **fields}
    created = await client.post("/console/cases", data=form)
    assert created.status_code == 303, created.text
    page = await client.get(created.headers["location"])
    await client.aclose()
    return re.search(r'id="case-number">([^<]+)<', page.text).group(1)  # type: ignore[union-attr]


async def test_an_unsure_category_offers_who_is_on_the_other_side_and_says_each_category_plainly(stack: WebStack) -> None:
    client = await login(stack)
    token = csrf((await client.get("/console")).text)
    review = await client.post("/console/review", data={"transcript": TRANSCRIPT, "csrf_token": token})
    await client.aclose()
    html = review.text
    assert review.status_code == 200 and "这件事主要是和谁之间的问题？" in html
    for label, value, category in (("邻居或家人", "person", "dispute"), ("公司、物业、商家或老板", "company", "dispute"),
                                   ("政府部门或公立学校、医院", "government", "petition"),
                                   ("没有对方，需要办事、维修或咨询", "none", "service")):
        assert f'value="{value}" data-category="{category}"> {label}' in html
    assert "矛盾纠纷：和邻居、家人或公司、物业、商家、老板之间的矛盾" in html and "便民服务：没有对方" in html


async def test_the_operators_answer_decides_the_category_by_the_guide(stack: WebStack) -> None:
    number = await _file(stack, party="person")
    async with stack.app.uow() as uow:
        case = await uow.cases.get(number)
    assert (case.category, case.classification_confirmed, case.category_confidence) == ("dispute", True, None)


async def test_a_category_the_operator_chose_outranks_the_answer(stack: WebStack) -> None:
    number = await _file(stack, party="person", category="service")
    async with stack.app.uow() as uow:
        assert (await uow.cases.get(number)).category == "service"


async def test_a_guess_is_offered_but_left_for_the_operator_to_choose(stack: WebStack) -> None:
    """A label filed untouched counts as confirmed and is learned from: a guess is not filled in."""
    client = await login(stack)
    token = csrf((await client.get("/console")).text)
    html = (await client.post("/console/review", data={"transcript": TRANSCRIPT, "csrf_token": token})).text
    await client.aclose()
    selects = {name: re.search(rf'<select name="{name}".*?</select>', html, re.S)[0]  # type: ignore[index]
               for name in ("category", "grid")}
    assert '<option value="" selected>' in selects["category"] and "（建议，置信度 38%）" in selects["category"]
    assert '<option value="" selected>' in selects["grid"] and selects["grid"].count("（建议，置信度 67%）") == 2
