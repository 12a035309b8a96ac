"""A yes is a yes however a resident says it, at every kind of confirmation; a near-miss never is."""

import pytest

from nlu.answers import describes_place, read_answer
from nlu.intents import detect_intent
from tests.conversations.confirmations import KINDS, taken
from tests.conversations.everyday_answers import CORRECTIONS, NO, NOT_YES, YES


def test_the_set_is_big_enough_to_mean_something() -> None:
    assert len(YES) + len(NO) + len(CORRECTIONS) >= 60 and len(NOT_YES) >= 15


@pytest.mark.parametrize("text", YES)
def test_yes(text: str) -> None:
    assert read_answer(text).kind == "yes" and detect_intent(text).name == "affirm"


@pytest.mark.parametrize("text", NO)
def test_no(text: str) -> None:
    assert read_answer(text).kind == "no" and detect_intent(text).name == "deny"


@pytest.mark.parametrize(("text", "rest"), CORRECTIONS)
def test_a_no_keeps_the_correction_that_follows(text: str, rest: str) -> None:
    answer = read_answer(text)
    assert (answer.kind, answer.pure, answer.rest) == ("no", False, rest)


@pytest.mark.parametrize("text", NOT_YES)
def test_near_misses_are_not_a_yes(text: str) -> None:
    assert read_answer(text).kind != "yes" and detect_intent(text).name != "affirm"


@pytest.mark.parametrize("text", YES)
def test_every_yes_is_taken_at_every_confirmation(text: str) -> None:
    assert [kind for kind in KINDS if not taken(kind, text)] == []


@pytest.mark.parametrize("text", NOT_YES + NO)
def test_no_near_miss_confirms_anything(text: str) -> None:
    assert [kind for kind in KINDS if taken(kind, text)] == []


@pytest.mark.parametrize("text", ["老水厂那边", "菜市场门口", "火星路", "幸福里3栋", "我家楼下", "学校后面那条小巷子",
                                  "怡景居", "邻居家门口", "就在火星路上", "火星路88号"])
def test_a_description_of_somewhere_is_a_place(text: str) -> None:
    assert describes_place(text)


@pytest.mark.parametrize("text", ["跟老板之间的", "让他把钱结了", "他们一直不理我", "快点处理吧", "邻居", "我也不知道啊",
                                  "城管不管", "路灯坏了", "楼梯扶手松了", "井盖也松了", "场面很乱", "道歉了也没用"])
def test_talk_about_something_else_is_no_place(text: str) -> None:
    assert not describes_place(text)
