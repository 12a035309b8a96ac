"""Choices work tapped, by number, or typed; the conversation state survives a JSON round trip;
the [dialogue] settings are checked."""

import json

import pytest

from flows.choices import normalise, picked
from flows.context import DialogueConfig
from flows.messages import Inbound
from flows.state import Candidate, ConversationState, Draft

OFFERED = (("确认提交", "submit"), ("修改", "edit"), ("取消", "cancel"))


def _in(text: str = "", choice: str | None = None) -> Inbound:
    return Inbound("test", "u", "1", text=text, choice=choice)


def test_a_tapped_button_is_its_value() -> None:
    assert picked(_in(choice="edit"), OFFERED) == "edit"


def test_a_typed_number_picks_by_position_full_width_too() -> None:
    assert picked(_in("2"), OFFERED) == "edit"
    assert picked(_in("３"), OFFERED) == "cancel"
    assert picked(_in("第1个"), OFFERED) == "submit"
    assert picked(_in("4"), OFFERED) is None


@pytest.mark.parametrize(("typed", "value"), [
    ("第一个", "submit"), ("第二个吧", "edit"), ("选三", "cancel"), ("我选第二个", "edit"), ("就第一个吧", "submit"),
    ("二", "edit"), ("最后一个", "cancel"), ("最后那个", "cancel"), ("第三项。", "cancel"),
])
def test_a_position_typed_in_chinese_numerals_picks_it(typed: str, value: str) -> None:
    assert picked(_in(typed), OFFERED) == value


@pytest.mark.parametrize("typed", ["第四个", "第十一个", "两个", "一二三", "十十"])
def test_a_position_that_is_not_offered_or_not_a_number_picks_nothing(typed: str) -> None:
    assert picked(_in(typed), OFFERED) is None


def test_numerals_up_to_ninety_nine_count() -> None:
    many = tuple((f"选项{n}", str(n)) for n in range(1, 25))
    assert [picked(_in(t), many) for t in ("第十个", "十二", "第二十一个", "24")] == ["10", "12", "21", "24"]


def test_typed_text_matches_the_label_or_its_start() -> None:
    assert picked(_in("确认提交"), OFFERED) == "submit"
    assert picked(_in("确认"), OFFERED) == "submit"
    assert picked(_in("我要修改"), OFFERED) == "edit"


def test_unrelated_or_ambiguous_text_picks_nothing() -> None:
    assert picked(_in("楼道的灯坏了"), OFFERED) is None
    assert picked(_in("修"), (("修改", "a"), ("修理", "b"))) is None


def test_a_stale_button_value_is_not_a_choice_now() -> None:
    assert picked(_in(choice="grid:QH01-C01-G01"), OFFERED) is None


def test_normalise_drops_punctuation_and_folds_width() -> None:
    assert normalise("  Ａｂ，１２！") == "ab12"


def test_state_round_trips_through_json_and_ignores_unknown_keys() -> None:
    draft = Draft(parts=("楼道灯坏了",), category="service", candidates=(Candidate("QH01-C01-G01", "幸福里小区", 0.95),))
    state = ConversationState(step="summary", draft=draft, question="请核对", offered=(("确认提交", "submit"),))
    state = state.pause()
    data = json.loads(json.dumps(state.to_dict()))
    data["from_a_newer_version"] = 1
    assert ConversationState.from_dict(data) == state
    assert ConversationState.from_dict(None) == ConversationState()


def test_unpausing_restores_the_question_that_was_on_screen() -> None:
    state = ConversationState(step="contact", draft=Draft(parts=("x",)), question="请留电话", offered=(("匿名反映", "anonymous"),))
    side = ConversationState.from_dict(json.loads(json.dumps(state.pause().to_dict())))
    back = side.unpaused()
    assert (back.step, back.question, back.offered, back.paused) == ("contact", "请留电话", (("匿名反映", "anonymous"),), None)


def test_the_dialogue_section_of_config_is_read_and_checked() -> None:
    config = DialogueConfig.from_section({"draft_ttl_minutes": 30, "max_location_tries": 3}, "Asia/Shanghai")
    assert (config.draft_ttl_minutes, config.max_location_tries, config.timezone) == (30, 3, "Asia/Shanghai")
    with pytest.raises(ValueError, match="未知配置项：draft_ttl"):
        DialogueConfig.from_section({"draft_ttl": 30})
    with pytest.raises(ValueError, match="至少为 1"):
        DialogueConfig.from_section({"max_location_tries": 0})
    with pytest.raises(ValueError, match="max_turn_attempts 至少为 1"):
        DialogueConfig.from_section({"max_turn_attempts": 0})
