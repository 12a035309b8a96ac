"""The description and its classification: restated in the resident's words, correctable."""

import pytest

from flows import intake, location
from flows.state import ConversationState
from tests.conversations.confirmations import reading
from tests.conversations.kit import at_step, context, said, turn, understood, values

NOISE = "楼上邻居天天半夜装修，吵得睡不着觉"


def _described(category: str = "dispute", confidence: float = 0.8) -> ConversationState:
    u = understood(category=category, category_confidence=confidence, topic="城乡建设")
    return turn(ConversationState(), NOISE, u=u).state


def test_a_clear_complaint_is_restated_and_confirmed_with_buttons() -> None:
    out = turn(ConversationState(), NOISE, u=understood(category="dispute", topic="城乡建设"))
    assert out.state.step == intake.CONFIRM_CLASS
    assert "您反映的是“楼上邻居天天半夜装修，吵得睡不着觉”，属于需要调解的矛盾纠纷（城乡建设方面），对吗？" in said(out)
    assert values(out) == ["yes", "fix_category", "fix_topic"]


def test_a_vague_first_message_asks_for_more_then_restates_both() -> None:
    first = turn(ConversationState(), "我要投诉", u=understood(category="petition", category_confidence=0.3))
    assert first.state.step == intake.DESCRIBE and "具体说说" in said(first)
    second = turn(first.state, NOISE, u=understood(category="dispute", topic="城乡建设"))
    assert second.state.step == intake.CONFIRM_CLASS
    assert second.state.draft is not None and second.state.draft.parts == ("我要投诉", NOISE)
    assert second.state.draft.category == "dispute"


@pytest.mark.parametrize("answer", ["不想说", "不方便说", "就这些了", "不想多说"])
def test_asked_for_more_a_resident_who_will_not_say_more_goes_on_with_the_words_as_told(answer: str) -> None:
    first = turn(ConversationState(), "有狗天天叫", u=understood(category="dispute", category_confidence=0.3))
    assert first.state.step == intake.DESCRIBE
    out = turn(first.state, answer, u=understood(category="petition", category_confidence=0.2))
    assert out.state.draft is not None and out.state.draft.parts == ("有狗天天叫",)
    assert out.state.step != intake.DESCRIBE


def test_a_weak_classification_asks_who_is_on_the_other_side_not_for_a_category() -> None:
    out = turn(ConversationState(), NOISE, u=understood(category="petition", category_confidence=0.3))
    assert out.state.step == intake.PICK_PARTY
    assert "这件事主要是和谁之间的问题？" in said(out) and "信访" not in said(out) and "哪一类" not in said(out)
    assert values(out) == ["person", "company", "government", "none", "unknown"]
    assert [c.label for c in out.replies[-1].choices][:4] == [
        "邻居或家人", "公司、物业、商家或老板", "政府部门或公立学校、医院", "没有对方，需要办事、维修或咨询"]


def test_yes_confirms_and_moves_on_to_the_location() -> None:
    out = turn(_described(), "对", u=understood("affirm"))
    assert out.state.draft is not None and out.state.draft.classification_confirmed
    assert out.state.step in location.STEPS


def test_saying_which_category_it_is_corrects_it_and_restates() -> None:
    out = turn(_described(), "不对，这是信访", u=understood("deny"))
    assert out.state.draft is not None and out.state.draft.category == "petition"
    assert out.state.draft.category_confidence is None
    assert "信访事项" in said(out) and out.state.step == intake.CONFIRM_CLASS


def test_a_plain_no_asks_who_is_on_the_other_side() -> None:
    out = turn(_described(), "不对", u=understood("deny"))
    assert out.state.step == intake.PICK_PARTY


def test_fixing_the_topic_offers_the_districts_topics_and_records_the_pick() -> None:
    out = turn(_described(), choice="fix_topic")
    assert out.state.step == intake.PICK_TOPIC and "环境保护" in values(out)
    picked = turn(out.state, "环境保护")
    assert picked.state.draft is not None and picked.state.draft.topic == "环境保护"
    assert picked.state.draft.classification_confirmed and picked.state.step in location.STEPS


def test_answering_who_then_a_topic_when_the_topic_is_unsure() -> None:
    state = turn(at_step(_described(), intake.CONFIRM_CLASS, topic=None, topic_confidence=None), "2").state
    assert state.step == intake.PICK_PARTY
    state = turn(state, "3").state
    assert state.step == intake.PICK_TOPIC and state.draft is not None and state.draft.category == "petition"
    done = turn(state, "说不清")
    assert done.state.draft is not None and done.state.draft.class_done
    assert done.state.draft.category == "petition" and done.state.step in location.STEPS


def test_unsure_of_the_category_leaves_it_to_staff() -> None:
    out = turn(turn(_described(), choice="fix_category").state, "说不清")
    assert out.state.draft is not None and out.state.draft.class_done
    assert not out.state.draft.classification_confirmed and "工作人员" in said(out)


def test_more_description_at_the_confirmation_is_added_and_restated() -> None:
    more = "已经持续三个月了，物业也不管"
    out = turn(_described(), more, u=understood(category="dispute", topic="城乡建设"))
    assert out.state.draft is not None and out.state.draft.parts[-1] == more
    assert out.state.step == intake.CONFIRM_CLASS and "已补充" in said(out)


def test_gibberish_at_each_classification_step_is_asked_again() -> None:
    first = turn(ConversationState(), "我要投诉").state
    steps = (first, _described(), turn(_described(), choice="fix_category").state, turn(_described(), choice="fix_topic").state)
    for state in steps:
        out = turn(state, "？？")
        assert out.state.step == state.step and "没太明白" in said(out) and out.state.misses == 1
        assert out.replies[-1].choices == turn(state, "？？").replies[-1].choices


def test_more_description_instead_of_a_category_is_added_and_read_again() -> None:
    state = turn(ConversationState(), "我想问下小区停车的事", u=understood(category="petition", category_confidence=0.3)).state
    assert state.step == intake.PICK_PARTY
    more = "物业把公共车位租给外面的人，业主自己没地方停，找物业理论还吵了起来"
    out = turn(state, more, u=understood(category="dispute", category_confidence=0.8, topic="城乡建设"))
    assert out.state.step == intake.CONFIRM_CLASS and "已补充" in said(out) and "矛盾纠纷" in said(out)


@pytest.mark.parametrize(("answer", "kept"), [("对 我现在在我妈家 新桥小区", "我现在在我妈家 新桥小区"),
                                              ("是滴 我住阳光花园8栋 对门是802", "我住阳光花园8栋 对门是802"),
                                              ("嗯嗯对的 公司在金沙路200号", "公司在金沙路200号")])
def test_a_yes_with_more_of_the_story_confirms_and_keeps_the_rest_as_said(answer: str, kept: str) -> None:
    out = turn(_described(), answer, u=reading(answer))
    assert out.state.draft is not None and out.state.draft.classification_confirmed
    assert out.state.draft.parts[-1] == kept and out.state.step != intake.CONFIRM_CLASS



def test_a_correction_of_the_story_at_the_restatement_joins_the_description() -> None:
    said_first = "楼上老是往下扔垃圾，烟头瓜子壳都扔我家窗台上"
    state = turn(ConversationState(), said_first, u=understood(category="dispute", topic="城乡建设")).state
    answer = "对 哦不对，不是扔垃圾，是楼上晾衣服滴水"
    out = turn(state, answer, u=reading(answer))
    assert out.state.draft is not None and out.state.draft.parts == (said_first, answer)
    assert out.state.step == intake.CONFIRM_CLASS and "已把您的更正补充到问题描述里" in said(out)


@pytest.mark.parametrize("vague", ["就是那个嘛，你懂的", "我要反映一下问题，就是那个事情你懂的吧"])
def test_a_message_that_only_points_at_a_matter_is_asked_to_say_it(vague: str) -> None:
    out = turn(ConversationState(), vague, u=understood(category="petition", topic="环境保护"))
    assert out.state.step == intake.DESCRIBE and "具体说说" in said(out)


def test_a_short_message_that_says_the_matter_goes_on() -> None:
    out = turn(ConversationState(), "楼上漏水了怎么办啊", u=understood(category="dispute", topic="城乡建设"))
    assert out.state.step != intake.DESCRIBE


@pytest.mark.parametrize("unsure", ["不知道哪个部门管", "不清楚", "不好说"])
def test_not_knowing_the_department_in_ones_own_words_leaves_it_to_staff(unsure: str) -> None:
    asked = intake.ask_topic(_described(), context())
    out = turn(asked.state, unsure, u=reading(unsure))
    assert out.state.draft is not None and out.state.draft.topic is None and "工作人员会帮您确定" in said(out)
