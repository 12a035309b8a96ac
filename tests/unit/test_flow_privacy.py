"""查询我的信息 and 删除我的信息 in the pure dialogue: recognised in the residents' own wordings before
any intent (「查询我的信息」 is not a status query), never taken from a complaint about someone
else's handling of personal data, answered with masked details, and a request only for finished cases."""

import pytest

from flows import contact, privacy
from flows.state import ConversationState
from handlers.case import Case
from handlers.commands import RequestErasure
from handlers.status import Status
from tests.conversations.kit import at_step, context, said, turn, understood

IDLE = ConversationState()


def _case(number: str, status: Status, phone: str | None = "13812345678", name: str | None = None) -> Case:
    return Case(number=number, text="路灯坏了", channel="test", user_ref="resident-1", phone=phone,
                contact_name=name, status=status)


@pytest.mark.parametrize("text", ["查询我的信息", "我的个人信息", "你们存了我什么信息？", "你们保存了我哪些资料",
                                  "查看我的个人信息", "我的信息有哪些", "我要查一下我的资料", "你们有我哪些信息"])
def test_ways_of_asking_what_is_held(text: str) -> None:
    assert privacy.asked(text) == privacy.HELD


@pytest.mark.parametrize("text", ["删除我的信息", "请删除我的个人信息", "把我的信息删了", "我的资料全部删除",
                                  "注销我的个人信息", "删掉我的联系方式"])
def test_ways_of_asking_for_erasure(text: str) -> None:
    assert privacy.asked(text) == privacy.ERASE


@pytest.mark.parametrize("text", ["物业泄露了我的个人信息", "有人冒用我的信息办了手机卡", "查询", "查询信息", "不留电话",
                                  "电话删掉", "小区物业收集业主个人信息还拿去卖给装修公司，天天有人打电话推销",
                                  "物业收集了多少个人信息都不说清楚", "这个App不让注销我的个人信息"])
def test_other_messages_are_not_privacy_errands(text: str) -> None:
    assert privacy.asked(text) is None


def test_what_is_held_comes_before_the_status_intent_and_is_masked() -> None:
    cases = (_case("MS-20261127-0002", Status.DISPATCHED, name="王先生"), _case("MS-20261120-0001", Status.CLOSED))
    out = turn(IDLE, "查询我的信息", u=understood("ask_status"), ctx=context(cases))
    text = said(out)
    assert "诉求 2 件（办理中 1 件，已办结归档或撤销 1 件）" in text and "MS-20261120-0001（已归档）" in text
    assert "138****5678" in text and "13812345678" not in text and "王**" in text and "王先生" not in text
    assert not out.commands and "当前状态" not in text


def test_erasure_is_requested_for_finished_cases_only() -> None:
    cases = (_case("MS-20261127-0003", Status.IN_PROGRESS), _case("MS-20261127-0002", Status.CANCELLED),
             _case("MS-20261120-0001", Status.CLOSED))
    out = turn(IDLE, "删除我的信息", ctx=context(cases))
    [command] = out.commands
    assert isinstance(command, RequestErasure)
    assert (command.number, command.numbers, command.channel, command.user_ref) == (
        "MS-20261127-0002", ("MS-20261127-0002", "MS-20261120-0001"), "test", "resident-1")
    text = privacy.requested_text(command, context(cases))
    assert "MS-20261127-0002、MS-20261120-0001" in text and "办理中的诉求 MS-20261127-0003 不在这次申请范围内" in text


def test_erasure_with_only_open_cases_or_none_is_explained_without_a_request() -> None:
    out = turn(IDLE, "删除我的信息", ctx=context((_case("MS-20261127-0003", Status.ACCEPTED),)))
    assert not out.commands and "还在办理中" in said(out)
    out = turn(IDLE, "删除我的信息")
    assert not out.commands and "不需要删除" in said(out)


def test_asked_mid_intake_the_intake_waits() -> None:
    state = at_step(IDLE, contact.SUMMARY, class_done=True, location_done=True, contact_done=True)
    out = turn(state, "你们存了我什么信息", u=understood("ask_status"))
    assert "没有保存您的其他信息" in said(out) and out.state.step == contact.SUMMARY and out.state.draft is not None
