"""Hotline transcripts in the forms operators paste."""

import pytest

from nlu.transcripts import TranscriptError, parse_transcript


def test_named_labels_one_turn_per_line():
    t = parse_transcript("坐席：您好，这里是12345热线，请问有什么可以帮您？\n市民：我家楼上天天半夜装修，吵得睡不着。\n"
                         "坐席：请问您的地址？\n来电人：幸福里3栋。\n话务员：好的，已为您登记。")
    assert [turn.speaker for turn in t.turns] == ["operator", "caller", "operator", "caller", "operator"]
    assert t.caller_text == "我家楼上天天半夜装修，吵得睡不着。幸福里3栋。"


def test_full_width_and_ascii_colons_and_run_together():
    t = parse_transcript("话务员:您好请讲 市民：我想问社保卡丢了怎么补办 话务员：请带身份证到人社局 市民:好的谢谢")
    assert [turn.speaker for turn in t.turns] == ["operator", "caller", "operator", "caller"]
    assert "社保卡丢了" in t.caller_text and "身份证" not in t.caller_text


def test_timestamps_are_dropped():
    t = parse_transcript("[00:00:01] 坐席：您好 [00:00:04] 市民：小区门口井盖丢了 [00:01:02] 坐席：好的")
    assert t.caller_text == "小区门口井盖丢了"
    assert all("00:" not in turn.text for turn in t.turns)


def test_a_b_form_operator_decided_by_content():
    t = parse_transcript("A: 喂，我要反映我们小区物业乱收费\nB: 您好，这里是12345热线，请问您的地址？\nA: 书香门第\nB: 已为您登记，我们会转交相关部门")
    roles = {turn.text[:2]: turn.speaker for turn in t.turns}
    assert roles["喂，"] == "caller" and roles["您好"] == "operator"
    assert t.caller_text.startswith("喂，我要反映") and "书香门第" in t.caller_text


def test_a_b_form_operator_speaks_first():
    t = parse_transcript("B：您好，市民热线，工号0231为您服务\nA：楼下饭店油烟太大了\nB：请问具体位置\nA：青禾路128号")
    assert t.turns[0].speaker == "operator"
    assert t.caller_text == "楼下饭店油烟太大了，青禾路128号"


def test_filler_turns_do_not_pollute_the_complaint():
    t = parse_transcript("坐席：您好\n市民：喂\n坐席：请讲\n市民：路灯坏了\n坐席：好的\n市民：嗯嗯")
    assert t.caller_text == "路灯坏了"


def test_no_labels_is_the_callers_own_words():
    t = parse_transcript("  我家门口路灯坏了  ")
    assert t.caller_text == "我家门口路灯坏了" and t.turns[0].speaker == "unknown"


@pytest.mark.parametrize("text", ["", "   ", "\n\n"])
def test_empty_input(text):
    assert parse_transcript(text).caller_text == ""


def test_labels_without_words_is_a_clear_error():
    with pytest.raises(TranscriptError, match="没有内容"):
        parse_transcript("坐席：\n市民：")


def test_bracketed_labels():
    t = parse_transcript("【话务员】您好，12345热线，请讲。\n【市民】我们小区门口的路灯坏了一个星期了。\n【话务员】好的，已为您登记。")
    assert [turn.speaker for turn in t.turns] == ["operator", "caller", "operator"]
    assert t.caller_text == "我们小区门口的路灯坏了一个星期了。"


def test_speech_recognition_labels_alone_on_their_line_leave_no_seconds_behind():
    t = parse_transcript("话务员 14:02:11\n您好，12345热线，请讲。\n市民 14:02:15\n我是青禾嘉园的业主，地下车库漏水。\n"
                         "话务员 14:02:33\n好的，我们记录一下。")
    assert [turn.speaker for turn in t.turns] == ["operator", "caller", "operator"]
    assert t.caller_text == "我是青禾嘉园的业主，地下车库漏水。"


@pytest.mark.parametrize("call, name", [
    ("坐席：您好，请问您贵姓？\n市民：我姓刘。\n坐席：好的刘先生，您请讲。\n市民：楼道灯坏了。", "刘先生"),
    ("坐席：您好，请讲。\n市民：免贵姓王，我们小区门口路灯坏了。", "王"),
    ("坐席：您好。\n市民：我叫张小梅，我要反映物业乱收费。", "张小梅"),
    ("坐席：您好王女士，请讲。\n市民：路灯坏了。", "王女士"),
    ("坐席：请问您的姓名？\n市民：不方便说，小区门口路灯坏了。", ""),
])
def test_how_the_caller_asked_to_be_called(call: str, name: str) -> None:
    assert parse_transcript(call).caller_name == name


@pytest.mark.parametrize("answer, read_back", [
    ("对", True), ("对的，没错", True), ("嗯对", True), ("是的是的", True), ("没错。", True),
    ("不对", False), ("不是，号码换了", False), ("什么？你再说一遍", False),
])
def test_what_the_operator_read_back_counts_only_when_the_caller_says_yes(answer: str, read_back: bool) -> None:
    call = f"坐席：您的电话是13812345678，对吗？\n市民：{answer}\n坐席：好的。\n市民：谢谢"
    assert parse_transcript(call).read_back == ("您的电话是13812345678，对吗？" if read_back else "")


def test_a_number_the_operator_only_tells_is_not_the_callers() -> None:
    call = "市民：路灯坏了\n坐席：好的，您也可以拨打01012345678咨询进度。\n市民：好的谢谢"
    assert parse_transcript(call).read_back == ""
