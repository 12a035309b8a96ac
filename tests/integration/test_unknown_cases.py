"""A case number nobody filed, on every page and staff action that takes one, is a 404 page in Chinese
that names the number, never a server error, whoever asks and whatever the number holds."""

import logging

import pytest

from bot.logsafe import SafeLogRecord
from bot.web.staff.casefile import ACTIONS
from tests.fakes.web_stack import WebStack
from tests.integration.test_staff_pages import filing, sign_in, stack  # noqa: F401 - stack: this module's app

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
UNKNOWN = "MS-20990101-9999"


async def test_every_staff_action_on_an_unknown_number_is_a_404_page(stack: WebStack) -> None:
    supervisor = await sign_in(stack, "chief", "supervisor")
    for action in ACTIONS:
        answer = await supervisor.post(f"/cases/NOPE/{action}", note="x", reply="x", reason="职能不符",
                                       amount="3", unit="days", department="B-HRSS", category="service")
        assert answer.status_code == 404, (action, answer.text)
        assert "诉求不存在" in answer.text and "未找到诉求编号 NOPE" in answer.text, action
    page = await supervisor.get(f"/cases/{UNKNOWN}")
    assert page.status_code == 404 and f"未找到诉求编号 {UNKNOWN}" in page.text
    assert '<a class="button" id="home" href="/console/work/supervise">' in page.text


async def test_the_console_s_case_page_and_a_clerk_s_action_say_the_same(stack: WebStack) -> None:
    operator = await sign_in(stack, "operator", "operator")
    page = await operator.client.get(f"/console/cases/{UNKNOWN.lower()}")
    assert page.status_code == 404 and f"未找到诉求编号 {UNKNOWN}" in page.text and "返回受理来电" in page.text
    clerk = await sign_in(stack, "clerk", "clerk", "C-T01-C01")
    answer = await clerk.post(f"/cases/{UNKNOWN}/accept")
    assert answer.status_code == 404 and "返回待办队列" in answer.text


async def test_an_unknown_action_on_a_real_case_is_a_missing_page(stack: WebStack) -> None:
    number = (await stack.app.bus.handle(filing())).number
    supervisor = await sign_in(stack, "chief", "supervisor")
    answer = await supervisor.post(f"/cases/{number}/delete")
    assert answer.status_code == 404 and "页面不存在" in answer.text
    assert (await supervisor.post("/cases/NOPE/delete")).status_code == 404


async def test_a_number_holding_markup_or_line_breaks_is_shown_as_text(stack: WebStack) -> None:
    supervisor = await sign_in(stack, "chief", "supervisor")
    answer = await supervisor.post("/cases/MS-1%0D%0AINFO%20forged%3Cb%3E/accept")
    assert answer.status_code == 404
    assert "MS-1\r\nINFO FORGED&lt;B&gt;" in answer.text and "<B>" not in answer.text
    assert logging.getLogRecordFactory() is SafeLogRecord  # the app's log keeps such a number on one line
