"""The patrol report steps (flows/patrol.py) through the pure router: a grid worker's turn never
becomes a resident's intake, a photo joins the report, corrections reuse the intake's questions,
and the filing is a patrol FileCase without a phone."""

from dataclasses import replace

from flows import intake, patrol
from flows.messages import Inbound, Reporter
from flows.router import step
from flows.state import ConversationState
from handlers.case import PATROL
from handlers.commands import FileCase
from flows.context import Outcome
from tests.conversations.kit import context, said, understood

WORKER = Reporter("staff:wangxh", ("QH01-C01-G01",))
LITTER = "楼道里堆满纸箱杂物，挡住了消防通道，住户电话13800138000"


def patrol_turn(state: ConversationState, text: str = "", *, choice: str | None = None, photo: str | None = None,
                **reading: object) -> Outcome:
    inbound = Inbound("web", "web:staff-wangxh", "m1", text=text, choice=choice, attachment=photo, reporter=WORKER)
    return step(state, inbound, understood(**reading), context())  # type: ignore[arg-type]


def test_the_words_alone_make_a_report_in_the_workers_grid_with_both_endings_offered() -> None:
    out = patrol_turn(ConversationState(), LITTER, category="service", topic="城乡建设")
    assert out.state.step == patrol.SUMMARY
    assert "地点：青禾街道幸福社区第1网格" in said(out) and "类别：便民服务（城乡建设）" in said(out)
    assert [c.value for c in out.replies[-1].choices][:2] == [patrol.SETTLED, patrol.REPORT]
    assert out.replies[-1].request_location  # the map button moves the report


def test_settled_on_the_spot_files_a_patrol_case_without_the_phone_in_the_words() -> None:
    summary = patrol_turn(ConversationState(), LITTER, category="service", topic="城乡建设")
    out = patrol_turn(summary.state, choice=patrol.SETTLED)
    [command] = out.commands
    assert isinstance(command, FileCase)
    assert (command.source, command.resolved_on_spot, command.actor) == (PATROL, True, "staff:wangxh")
    assert command.phone is None  # the number in the words is someone's on site
    assert command.grid_code == "QH01-C01-G01" and command.user_ref == "web:staff-wangxh"


def test_a_photo_first_starts_a_report_and_is_filed_with_it() -> None:
    out = patrol_turn(ConversationState(), photo="https://example.org/p1.jpg")
    assert out.state.step == patrol.DESCRIBE and "图片收到了" in said(out)
    out = patrol_turn(out.state, LITTER, category="service", topic="城乡建设")
    assert "图片：1 张" in said(out)
    out = patrol_turn(out.state, photo="https://example.org/p2.jpg")
    assert out.state.step == patrol.SUMMARY and "图片：2 张" in said(out)
    [command] = patrol_turn(out.state, choice=patrol.REPORT).commands
    assert isinstance(command, FileCase)
    assert command.attachments == ("https://example.org/p1.jpg", "https://example.org/p2.jpg")
    assert not command.resolved_on_spot


def test_a_named_place_is_confirmed_as_for_a_resident_and_the_category_is_corrected_by_the_intakes_questions() -> None:
    out = patrol_turn(ConversationState(), "幸福里小区门口两户邻居因为停车吵架", category="dispute", topic="城乡建设",
                      places=(("QH01-C01-G02", "幸福里小区", 0.95),))
    assert "青禾街道幸福社区第2网格" in said(out) and out.state.step == patrol.SUMMARY
    out = patrol_turn(out.state, choice="fix_category")
    assert out.state.step == intake.PICK_PARTY
    out = patrol_turn(out.state, choice="government")
    assert out.state.step == patrol.SUMMARY and "类别：信访事项" in said(out)


def test_more_words_at_the_summary_add_to_the_report_and_cancel_files_nothing() -> None:
    summary = patrol_turn(ConversationState(), LITTER, category="service", topic="城乡建设")
    out = patrol_turn(summary.state, "已经通知物业明天上午清理")
    assert "好的，已补充" in said(out) and "通知物业" in said(out)
    out = patrol_turn(out.state, choice=patrol.CANCEL)
    assert out.state == replace(ConversationState(), updated_at=out.state.updated_at) and not out.commands


def test_a_greeting_explains_the_patrol_report_and_the_same_words_from_a_resident_are_an_intake() -> None:
    assert "巡查上报" in said(patrol_turn(ConversationState(), "你好", intent="greet"))
    resident = step(ConversationState(), Inbound("web", "web:abc", "m1", text=LITTER),
                    understood(category="service", topic="城乡建设"), context())
    assert resident.state.step not in patrol.STEPS and "巡查上报" not in said(resident)
