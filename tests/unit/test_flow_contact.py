"""Contact phone or anonymity (explained), the summary, edits, and the FileCase it files."""

from dataclasses import replace

import pytest

from flows import contact, intake, location
from flows.state import ConversationState, Draft
from handlers.commands import FileCase
from tests.conversations.confirmations import reading
from tests.conversations.kit import at_step, context, said, turn, understood

LOCATED = dict(class_done=True, classification_confirmed=True, grid_code="QH01-C01-G01", street_code="QH01",
               community_code="QH01-C01", address="幸福里小区", location_by="text", location_done=True)


def _contact() -> ConversationState:
    return contact.ask_contact(at_step(ConversationState(), contact.CONTACT, **LOCATED)).state


def _summary(**draft: object) -> ConversationState:
    state = at_step(ConversationState(), contact.SUMMARY, **{**LOCATED, "contact_done": True, **draft})
    return contact.ask_summary(state, context()).state


def _draft(state: ConversationState) -> Draft:
    assert state.draft is not None
    return state.draft


def test_a_valid_phone_is_kept_and_shown_masked() -> None:
    out = turn(_contact(), "我的电话 138-0013-8000")
    assert out.state.draft is not None and out.state.draft.phone == "13800138000"
    assert "138****8000" in said(out) and out.state.step == contact.SUMMARY


def test_a_wrong_number_is_asked_again() -> None:
    out = turn(_contact(), "1380013")
    assert out.state.step == contact.CONTACT and "号码好像不对" in said(out)


def test_asking_what_anonymity_means_explains_it() -> None:
    out = turn(_contact(), "匿名是什么意思？")
    assert out.state.step == contact.CONTACT and "看不到您的身份" in said(out) and "不会打电话" in said(out)


def test_anonymous_filing_is_explained_and_drops_the_phone() -> None:
    out = turn(_contact(), "1")
    assert out.state.draft is not None and out.state.draft.anonymous and out.state.step == contact.SUMMARY
    assert "办理进度和结果仍会在这里告诉您" in said(out) and "联系方式：匿名反映" in said(out)


def test_no_phone_without_anonymity() -> None:
    out = turn(_contact(), "不留了")
    assert out.state.draft is not None and not out.state.draft.anonymous and out.state.draft.phone is None
    assert "未留电话" in said(out)


def test_the_summary_lists_everything_and_submitting_issues_filecase() -> None:
    state = _summary(phone="13800138000")
    assert "地点：青禾街道幸福社区第1网格（幸福里小区）" in state.question and "138****8000" in state.question
    out = turn(state, "确认提交")
    (command,) = out.commands
    assert isinstance(command, FileCase)
    assert (command.grid_code, command.phone, command.category, command.classification_confirmed) == (
        "QH01-C01-G01", "13800138000", "dispute", True)
    assert command.actor == "resident:test:resident-1" and out.state.step == contact.SUBMITTED


def test_an_anonymous_filing_names_no_resident_as_actor() -> None:
    command = contact.file_command(_draft(_summary(anonymous=True, phone="13800138000")), "web", "w-1", context())
    assert command.anonymous and command.phone is None and command.actor == "resident:anonymous"


def test_a_filing_without_a_grid_carries_everything_known_about_the_place() -> None:
    draft = _draft(_summary(grid_code=None, street_code="QH02", community_code="QH02-C02", address="桃源菜场后门"))
    command = contact.file_command(draft, "web", "w-1", context())
    assert command.grid_code is None and command.address == "白溪街道桃源社区 桃源菜场后门"


def test_every_edit_goes_back_to_its_question() -> None:
    edit = turn(_summary(), "修改").state
    assert edit.step == contact.EDIT
    assert turn(edit, "问题描述").state.step == intake.DESCRIBE
    assert turn(edit, "类别").state.step == intake.PICK_PARTY
    assert turn(edit, "地点").state.step == location.ASK
    assert turn(edit, "联系方式").state.step == contact.CONTACT


def test_an_edited_description_is_reclassified_and_comes_back_to_the_summary() -> None:
    state = turn(turn(_summary(), "修改").state, "1").state
    text = "小区的路灯坏了一个月"
    state = turn(state, text, u=understood(category="service", topic="城乡建设")).state
    assert state.step == intake.CONFIRM_CLASS
    out = turn(state, "对", u=understood("affirm"))
    assert out.state.step == contact.SUMMARY and "问题：小区的路灯坏了一个月" in said(out)


def test_bad_input_at_the_summary_and_the_edit_menu_is_asked_again() -> None:
    for state in (_summary(), turn(_summary(), "修改").state):
        out = turn(state, "嗯嗯啊啊")
        assert out.state.step == state.step and "没太明白" in said(out)


def test_more_of_the_story_told_at_the_summary_is_added_to_the_description() -> None:
    state = _summary()
    out = turn(state, "他家还在楼道里堆了很多杂物")
    assert out.state.step == contact.SUMMARY and "已补充到问题描述里" in said(out)
    assert _draft(out.state).parts == (*_draft(state).parts, "他家还在楼道里堆了很多杂物")
    assert "他家还在楼道里堆了很多杂物" in said(out)  # the summary shown again says it
    again = turn(out.state, "嗯嗯啊啊")  # not understood: the summary again, the note not repeated
    assert "没太明白" in said(again) and "他家还在楼道里堆了很多杂物" in said(again) and "已补充" not in said(again)


def test_a_question_or_an_intent_at_the_summary_is_not_added_to_the_description() -> None:
    for text, u in (("这个要多久才能处理好？", understood()), ("大概几天能办好呢", understood()),
                    ("不对不对我要改一下", understood("deny"))):
        out = turn(_summary(), text, u=u)
        assert "已补充" not in said(out) and _draft(out.state).parts == _draft(_summary()).parts, text


def test_the_filing_carries_the_draft_origin_so_a_retry_files_once() -> None:
    started = turn(ConversationState(), "楼上邻居天天半夜装修，吵得睡不着觉")
    assert started.state.draft is not None and started.state.draft.origin == "test/resident-1/m"
    command = contact.file_command(started.state.draft, "test", "resident-1", context())
    assert command.intake_key == started.state.draft.origin


def test_the_filing_names_the_model_that_classified_it() -> None:
    reading = replace(understood(category="dispute", topic="城乡建设"), model_version="0003-test")
    started = turn(ConversationState(), "楼上邻居天天半夜装修，吵得睡不着觉", u=reading)
    assert started.state.draft is not None and started.state.draft.model_version == "0003-test"
    command = contact.file_command(started.state.draft, "test", "resident-1", context())
    assert command.model_version == "0003-test"


@pytest.mark.parametrize(("said_as", "digits"), [("小区门口垃圾堆成山了 我电话1381234567", 10),
                                                 ("垃圾没人清，手机号：138 1234 56789", 12)])
def test_a_mobile_number_a_digit_short_or_long_is_pointed_out_at_the_summary(said_as: str, digits: int) -> None:
    text = contact.summary_text(replace(_draft(_summary()), parts=(said_as,)), context())
    assert f"是 {digits} 位，手机号是 11 位数字" in text and "直接回复正确的号码" in text


def test_other_numbers_in_the_story_are_no_phone() -> None:
    text = contact.summary_text(replace(_draft(_summary()), parts=("快递单号1381234567一直没更新",)), context())
    assert "11 位数字" not in text


@pytest.mark.parametrize("typed", ["確認", "確認提交"])
def test_submitting_in_traditional_characters_files_the_case(typed: str) -> None:
    out = turn(_summary(), typed, u=reading(typed))
    assert [type(command) for command in out.commands] == [FileCase]
