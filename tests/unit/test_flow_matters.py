"""一事一单: a message that raises several matters in so many words is asked whether to file them
apart; apart, each is its own intake and case (its own category, topic and filing key), one after
the other, with the resident's phone or anonymity carried over and no place guessed."""

from dataclasses import replace

import pytest

from flows import contact, intake, location, matters
from flows.results import after
from flows.state import ConversationState, Draft
from flows.understanding import Guess, Matter, Understanding
from handlers.case import Case
from handlers.commands import FileCase
from handlers.status import Status
from tests.conversations.kit import at_step, context, said, turn, understood, values

LIGHT = "幸福里小区门口的路灯坏了一个星期了"
WAGES = "我在工地干活，老板拖欠了我三个月工资不给"


@pytest.mark.parametrize("text, parts", [
    (f"{LIGHT}。还有一件事，{WAGES}", (LIGHT, WAGES)),
    (f"我反映两个问题：一是{LIGHT}，二是{WAGES}", (LIGHT, WAGES)),
    ("我是幸福里小区的，反映两件事：1、楼道灯坏了好几天；2、门口垃圾没人清理已经一周",
     ("我是幸福里小区的，楼道灯坏了好几天", "门口垃圾没人清理已经一周")),
    ("（1）小区绿化被占用种菜（2）车库出口堵塞影响通行", ("小区绿化被占用种菜", "车库出口堵塞影响通行")),
    (f"{LIGHT}，另外还有个问题，{WAGES}", (LIGHT, WAGES)),
    (f"{LIGHT}，顺便反映一下，{WAGES}", (LIGHT, WAGES)),
    (f"{LIGHT} 另外再反映一个问题 {WAGES}", (LIGHT, WAGES)),  # no 「另外」 left behind
    (f"我反映两件事：一、{LIGHT}；二、{WAGES}", (LIGHT, WAGES)),
])
def test_matters_said_in_so_many_words_are_told_apart(text: str, parts: tuple[str, ...]) -> None:
    assert matters.split(text) == parts


@pytest.mark.parametrize("text", [
    "路灯坏了，另外晚上特别黑",  # 另外 alone adds to the same matter
    "楼上装修太吵，还有就是天天半夜砸墙",
    "第二天又坏了，物业说修好了其实没修",  # 第二天 is no second item
    "3栋2单元的楼道灯坏了，2.5米高的灯杆歪了",
    f"{LIGHT}。还有一件事",  # nothing said of the other matter yet
    "①垃圾桶满了②井盖丢了",  # too short to act on: one intake asks for more
    f"顺便反映一下，{LIGHT}",  # the words open the only matter
    "1、物业不公示账目，收支不明；2、停车费年年涨价没有依据；3、电梯坏了半年没人修；4、绿化被改成停车位",
])
def test_one_matter_stays_one(text: str) -> None:
    """A list of four or more is the points of one letter, as on a government message board."""
    assert matters.split(text) == (text,)


@pytest.mark.parametrize("text, parts", [
    (f"{LIGHT}。再说个事，阳光花园物业乱收停车费", (LIGHT, "阳光花园物业乱收停车费")),
    (f"阳光花园垃圾没人收，对了还有个事情，{WAGES}", ("阳光花园垃圾没人收", WAGES)),
    ("我要反映三件事：一是青禾路积水，二是公交车老是不准点，三是社区医院看病排队太久",
     ("青禾路积水", "公交车老是不准点", "社区医院看病排队太久")),
])
def test_the_words_that_announce_a_matter_are_not_part_of_it(text: str, parts: tuple[str, ...]) -> None:
    assert matters.split(text) == parts


@pytest.mark.parametrize("text, topics, asked", [
    (f"{LIGHT}。还有一件事，{WAGES}", ["城乡建设", "城乡建设"], True),  # said to be another matter
    (f"一是{LIGHT}，二是{WAGES}", ["城乡建设", "劳动和社会保障"], True),  # a list whose items go apart
    ("一是楼上半夜装修噪音太大，二是天天砸墙影响我们休息", ["城乡建设", "城乡建设"], False),  # one grievance
    ("井盖丢了好几天了，还有一件事就是那个井盖旁边也没有警示牌", ["城乡建设", "城乡建设"], False),  # points back
    ("幸福里小区路灯坏了，还有个问题是晚上太黑了老人不敢出门", ["城乡建设", "城乡建设"], False),  # a point, not a matter
    ("幸福里小区路灯坏了好几天。顺便问一下，孩子上学的学区怎么划的", ["城乡建设", "教育文体"], True),
    ("楼道灯坏了好几天 另外再反映一个问题 隔壁装修天天打钻", ["城乡建设", "城乡建设"], True),  # said in so many words
])
def test_asked_when_the_parts_go_apart_or_another_matter_is_announced(
        text: str, topics: list[str], asked: bool) -> None:
    assert matters.worth_asking(text, matters.split(text), [(t, 0.9) for t in topics]) is asked


def test_a_list_of_one_topic_whose_items_go_to_different_queues_is_asked_about() -> None:
    """A dispute with the 物业 and a street light to repair are both 城乡建设, and were filed as one."""
    text = "1、物业乱收电梯维修费，每户摊500；2、小区门口的路灯坏了好几天了"
    parts = matters.split(text)
    sure = 0.9
    assert matters.worth_asking(text, parts, [("城乡建设", sure)] * 2, [("dispute", sure), ("service", sure)], 0.5)
    assert not matters.worth_asking(text, parts, [("城乡建设", sure)] * 2, [("service", sure)] * 2, 0.5)
    assert not matters.worth_asking(text, parts, [("城乡建设", sure)] * 2, [("dispute", sure), ("service", 0.3)], 0.5)


def _two(phones: tuple[str, ...] = ()) -> Understanding:
    """The reading of 「路灯坏了…还有一件事，老板欠薪…」 as the runner gives it: the whole, and each matter."""
    return replace(understood(category="service", topic="城乡建设", phones=phones), matters=(
        Matter(LIGHT, understood(category="service", topic="城乡建设", places=(("QH01-C01-G01", "幸福里小区", 0.95),))),
        Matter(WAGES, understood(category="dispute", topic="劳动和社会保障", phones=phones)),
    ))


def test_two_matters_are_asked_about_and_split_files_the_first_on_its_own() -> None:
    asked = turn(ConversationState(), f"{LIGHT}。还有一件事，{WAGES}", u=_two())
    assert asked.state.step == matters.SPLIT and "像是 2 件事" in said(asked) and "一事一单" in said(asked)
    first = turn(asked.state, "分开登记")
    draft = first.state.draft
    assert draft is not None and draft.text == LIGHT and (draft.category, draft.topic) == ("service", "城乡建设")
    assert [d.text for d in first.state.queued] == [WAGES] and first.state.queued[0].topic == "劳动和社会保障"
    assert draft.origin == "test/resident-1/m" and first.state.queued[0].origin == "test/resident-1/m#2"


@pytest.mark.parametrize("answer", ["分开", "好的", "1", "一件一件登记吧", "分别登记吧", "都登记一下", "一件件来", "一个个登吧",
                                    "两件都登", "单独登记", "拆开", "要的"])
def test_apart_in_the_residents_words(answer: str) -> None:
    asked = turn(ConversationState(), f"{LIGHT}。还有一件事，{WAGES}", u=_two())
    u = understood("affirm") if answer == "好的" else understood()
    out = turn(asked.state, answer, u=u)
    assert out.state.draft is not None and out.state.draft.text == LIGHT and len(out.state.queued) == 1


@pytest.mark.parametrize("answer", ["算一件事", "不用分开", "一起登记就行", "2"])
def test_one_matter_after_all_keeps_the_whole_message(answer: str) -> None:
    asked = turn(ConversationState(), f"{LIGHT}。还有一件事，{WAGES}", u=_two())
    out = turn(asked.state, answer)
    assert out.state.draft is not None and WAGES in out.state.draft.text and out.state.queued == ()


def test_the_summary_says_what_comes_next_and_the_filing_starts_it() -> None:
    asked = turn(ConversationState(), f"{LIGHT}。还有一件事，{WAGES} 电话13800138000", u=_two(("13800138000",)))
    state = turn(asked.state, "分开").state
    for _ in range(3):  # confirm what is asked (category, place) until the summary
        if state.step != contact.SUMMARY:
            state = turn(state, "对", u=understood("affirm")).state
    assert f"提交后接着登记下一件：“{WAGES}”" in state.question
    submitted = turn(state, "确认提交")
    (command,) = submitted.commands
    assert isinstance(command, FileCase) and command.text == LIGHT and command.phone == "13800138000"
    filed = Case(number="MS-20261207-0001", text=LIGHT, channel="test", user_ref="resident-1", category="service",
                 status=Status.DISPATCHED, department="C-QH01-C01")
    following = after(state, submitted.state, command, filed, context())
    assert "已为您登记，诉求编号 MS-20261207-0001" in said(following) and f"接着登记下一件：“{WAGES}”" in said(following)
    nxt = following.state.draft
    assert nxt is not None and nxt.text == WAGES and nxt.phone == "13800138000" and following.state.queued == ()
    assert nxt.grid_code is None and following.state.step in (intake.CONFIRM_CLASS, location.ASK)  # no place guessed


def test_the_points_of_one_grievance_are_one_intake_without_a_question() -> None:
    text = "一是楼上半夜装修噪音太大，二是天天砸墙影响我们休息"
    parts = matters.split(text)
    u = replace(understood(category="dispute", topic="城乡建设"),
                matters=tuple(Matter(p, understood(category="dispute", topic="城乡建设")) for p in parts))
    out = turn(ConversationState(), text, u=u)
    assert out.state.step != matters.SPLIT and out.state.draft is not None and out.state.draft.text == text


def test_a_phone_given_at_the_question_stays_with_the_first_matter() -> None:
    asked = turn(ConversationState(), f"{LIGHT}。还有一件事，{WAGES}", u=_two())
    phoned = turn(asked.state, "先留个电话13800001111", u=understood(phones=("13800001111",)))
    assert "138****1111" in said(phoned) and phoned.state.step == matters.SPLIT
    first = turn(phoned.state, "分开").state.draft
    assert first is not None and first.phone == "13800001111"


def test_the_list_masks_a_phone_typed_into_a_matter() -> None:
    wages = f"{WAGES} 电话13900001111"
    u = replace(_two(("13900001111",)), matters=(Matter(LIGHT, understood(topic="城乡建设")),
                                                 Matter(wages, understood(topic="劳动和社会保障"))))
    asked = turn(ConversationState(), f"{LIGHT}。还有一件事，{wages}", u=u)
    assert "139****1111" in said(asked) and "13900001111" not in said(asked)


def _at_first_summary() -> ConversationState:
    state = turn(turn(ConversationState(), f"{LIGHT}。还有一件事，{WAGES}", u=_two()).state, "分开").state
    for _ in range(3):
        if state.step != contact.SUMMARY:
            state = turn(state, "对", u=understood("affirm")).state
    assert state.step == contact.SUMMARY
    return state


def test_calling_off_one_matter_takes_up_the_next_and_undo_brings_both_back() -> None:
    off = turn(_at_first_summary(), "取消")
    assert "这件事已取消" in said(off) and f"接着登记下一件：“{WAGES}”" in said(off)
    assert off.state.draft is not None and off.state.draft.text == WAGES and off.state.queued == ()
    back = turn(off.state, "点错了")
    assert back.state.draft is not None and back.state.draft.text == LIGHT
    assert [d.text for d in back.state.queued] == [WAGES]


def test_another_matter_announced_at_the_summary_waits_its_turn() -> None:
    state = _at_first_summary()
    out = turn(state, "还有一件事，书香门第楼下垃圾三天没人收了", u=understood(topic="城乡建设"))
    assert out.state.draft is not None and out.state.draft.text == LIGHT  # not added to the first
    assert [d.text for d in out.state.queued] == [WAGES, "书香门第楼下垃圾三天没人收了"]
    assert "这件事提交后接着登记" in said(out) and "（之后还有 1 件）" in said(out)


def test_a_point_of_the_same_matter_whose_department_is_a_guess_is_not_asked_about() -> None:
    text = "幸福里小区路灯坏了，还有个问题是晚上太黑了老人不敢出门"
    parts = matters.split(text)
    u = replace(understood(topic="城乡建设"), matters=(Matter(parts[0], understood(topic="城乡建设")),
                                                       Matter(parts[1], understood(topic="政法", topic_confidence=0.31))))
    out = turn(ConversationState(), text, u=u)
    assert out.state.step != matters.SPLIT and out.state.draft is not None and out.state.draft.text == text


def test_a_waiting_matter_survives_a_restart() -> None:
    asked = turn(ConversationState(), f"{LIGHT}。还有一件事，{WAGES}", u=_two())
    state = turn(asked.state, "分开").state
    assert ConversationState.from_dict(state.to_dict()) == state


def _second_matter_asked_where(first_grid: str | None) -> ConversationState:
    """The wages matter taken up after the street light was filed at `first_grid` (None: not placed)."""
    filed_light = at_step(ConversationState(), contact.SUMMARY, parts=(LIGHT,), origin="web:1:m1", category="service",
                          topic="城乡建设", class_done=True, grid_code=first_grid, address="幸福里小区" if first_grid else None,
                          location_done=True, contact_done=True)
    filed_light = replace(filed_light, queued=(Draft(parts=(WAGES,), origin="web:1:m1#2", category="dispute",
                                                     topic="劳动和社会保障", class_done=True),))
    following = filed_light.next_matter()
    assert following is not None
    return location.ask_location(following, context()).state


def test_the_next_matters_place_question_offers_the_place_just_given() -> None:
    asked = _second_matter_asked_where("QH01-C01-G01")
    assert asked.step == location.ASK and asked.offered[0] == ("同上一件（幸福里小区）", location.SAME)
    assert "同上一件" in asked.question
    for answer in ("同上一件", "还是刚才那个小区", "跟上一件一样", "同一个地方"):
        placed = turn(asked, answer).state.draft
        assert placed is not None and placed.grid_code == "QH01-C01-G01" and placed.address == "幸福里小区", answer
    elsewhere = turn(asked, "阳光花园", u=understood(places=(("QH01-C01-G03", "阳光花园", 0.95),))).state.draft
    assert elsewhere is not None and elsewhere.grid_code == "QH01-C01-G03"


def test_no_earlier_place_no_offer_and_the_words_are_no_place() -> None:
    asked = _second_matter_asked_where(None)
    assert asked.step == location.ASK and location.SAME not in [value for _, value in asked.offered]
    assert "同上一件" not in asked.question
    assert turn(asked, "还是刚才那个小区").state.draft.grid_code is None  # type: ignore[union-attr]


THIRD = "青禾路和幸福路路口的红绿灯坏了"


def _first_of_three() -> ConversationState:
    """At the first matter's summary, the wages and the traffic light waiting."""
    state = at_step(ConversationState(), contact.SUMMARY, parts=(LIGHT,), origin="web:1:m1", category="service",
                    topic="城乡建设", class_done=True, grid_code="QH01-C01-G01", location_done=True, contact_done=True)
    waiting = (Draft(parts=(WAGES,), origin="web:1:m1#2"), Draft(parts=(THIRD,), origin="web:1:m1#3"))
    return replace(state, queued=waiting)


@pytest.mark.parametrize("words, left", [
    ("第二件不用登记了", (THIRD,)),
    ("第3件算了", (WAGES,)),
    ("红绿灯那件先不报了", (WAGES,)),
    ("工资那件不用了", (THIRD,)),
    ("下一件不用登记了", (THIRD,)),
])
def test_a_waiting_matter_is_dropped_in_words_and_the_summary_asked_again(words: str, left: tuple[str, ...]) -> None:
    out = turn(_first_of_three(), words)
    assert tuple(d.text for d in out.state.queued) == left and out.commands == ()
    gone = WAGES if left == (THIRD,) else THIRD
    assert f"好的，“{gone}”这件不登记了。" in said(out)
    assert out.state.step == contact.SUMMARY and f"接着登记下一件：“{left[0]}”" in out.state.question
    assert out.state.draft is not None and out.state.draft.text == LIGHT  # not added to the description


@pytest.mark.parametrize("words", ["这件不用登记了", "电梯那件算了", "路灯那件不用登记了"])
def test_words_that_name_no_waiting_matter_drop_none(words: str) -> None:
    """「这件」 and the matter at hand are the current one's to call off (取消 takes up the next)."""
    out = turn(_first_of_three(), words)
    still = [d.text for d in out.state.queued] + ([out.state.draft.text] if out.state.draft else [])
    assert WAGES in still and THIRD in still and "这件不登记了" not in said(out)


def test_the_last_waiting_matter_dropped_at_a_question_puts_the_question_back() -> None:
    asked = _second_matter_asked_where("QH01-C01-G01")
    state = replace(asked, queued=(Draft(parts=(THIRD,), origin="web:1:m1#3"),))
    out = turn(state, "第三件不用了")
    assert out.state.queued == () and out.state.step == location.ASK and said(out).endswith(asked.question)


@pytest.mark.parametrize("step", [intake.CONFIRM_CLASS, location.ASK, contact.SUMMARY])
def test_another_matter_announced_at_any_question_waits_its_turn(step: str) -> None:
    """At the place question it was a place not found (a try used up, the matter lost); at the
    category question it joined the description and moved the topic."""
    state = at_step(ConversationState(), step, parts=(LIGHT,), category="service", topic="城乡建设",
                    class_done=step != intake.CONFIRM_CLASS, location_done=step == contact.SUMMARY, contact_done=True)
    later = "还有一件事，小区的电梯经常困人"
    out = turn(state, later, u=understood(topic="城乡建设"))
    assert [d.text for d in out.state.queued] == ["小区的电梯经常困人"] and out.state.step == step
    assert "好的，这件事提交后接着登记：“小区的电梯经常困人”。" in said(out)
    assert out.state.draft == state.draft  # no description, topic or place try touched


def test_an_intake_of_two_numbered_matters_of_one_topic_but_two_queues_asks() -> None:
    text = "1、物业乱收电梯维修费，每户摊500；2、小区门口的路灯坏了好几天了"
    parts = matters.split(text)
    u = replace(understood(category="dispute", topic="城乡建设"), matters=(
        Matter(parts[0], understood(category="dispute", topic="城乡建设")),
        Matter(parts[1], understood(category="service", topic="城乡建设"))))
    assert turn(ConversationState(), text, u=u).state.step == matters.SPLIT


LEAK = "我想反映楼上漏水的问题，楼上邻居家卫生间一直往我家渗水"


def _light_summary(**draft: object) -> ConversationState:
    """The street light summed up, as a service of 城乡建设 placed in its grid."""
    fields = {"parts": (LIGHT,), "category": "service", "category_confidence": 0.9, "topic": "城乡建设",
              "topic_confidence": 1.0, "class_done": True, "grid_code": "QH01-C01-G01", "location_done": True,
              "contact_done": True, **draft}
    return contact.ask_summary(at_step(ConversationState(), contact.SUMMARY, **fields), context()).state


def test_a_new_matter_told_at_the_summary_for_another_queue_is_asked_about_and_waits_its_turn() -> None:
    asked = turn(_light_summary(), LEAK, u=understood(category="dispute", category_confidence=0.64, topic="城乡建设"))
    assert asked.state.step == matters.OTHER and "听起来像是另一件事" in said(asked) and values(asked) == ["later", "add"]
    apart = turn(asked.state, "单独登记")
    assert apart.state.step == contact.SUMMARY and apart.state.draft is not None and apart.state.draft.text == LIGHT
    assert [d.text for d in apart.state.queued] == [LEAK] and apart.state.queued[0].category == "dispute"
    assert f"提交后接着登记下一件：“{LEAK}”" in said(apart)
    (command,) = turn(apart.state, "确认提交").commands
    assert isinstance(command, FileCase) and command.text == LIGHT


@pytest.mark.parametrize("answer, u", [("补充到这一件", understood()), ("不是，是同一件事", understood("deny")),
                                       ("不是另一件，算一件事", understood("deny")), ("不用", understood("deny")),
                                       ("2", understood()), ("补充进去", understood()), ("补充吧", understood()),
                                       ("不要单独登记", understood()), ("不单独", understood()), ("不用了", understood()),
                                       ("没必要", understood()), ("一回事", understood()), ("放一起", understood()),
                                       ("合并", understood()), ("同一个问题", understood())])
def test_more_of_the_same_problem_after_all_joins_the_description(answer: str, u: Understanding) -> None:
    asked = turn(_light_summary(), LEAK, u=understood(category="dispute", category_confidence=0.64, topic="城乡建设"))
    out = turn(asked.state, answer, u=u)
    assert out.state.step == contact.SUMMARY and out.state.queued == () and "已补充到问题描述里" in said(out)
    assert out.state.draft is not None and out.state.draft.text == f"{LIGHT}\n{LEAK}"


@pytest.mark.parametrize("answer, u", [("单独", understood()), ("对", understood("affirm")), ("是另一件事", understood()),
                                       ("不是一件事", understood("deny")), ("不是补充", understood("deny")),
                                       ("要", understood()), ("需要", understood()), ("另外登记", understood()),
                                       ("重新登记一个", understood())])
def test_another_matter_in_the_residents_words(answer: str, u: Understanding) -> None:
    asked = turn(_light_summary(), LEAK, u=understood(category="dispute", category_confidence=0.64, topic="城乡建设"))
    out = turn(asked.state, answer, u=u)
    assert [d.text for d in out.state.queued] == [LEAK]
    assert out.state.draft is not None and out.state.draft.text == LIGHT


@pytest.mark.parametrize("text, u", [
    # no complaint of its own is opened and the other reading is a guess
    ("晚上特别黑，上周有个老人在这里摔倒了", understood(category="service", topic="民政", topic_confidence=0.55)),
    ("物业也不管，打电话都不接", understood(category="dispute", category_confidence=0.75, topic="城乡建设")),
    # it points back at the matter summed up
    ("那个路灯旁边的井盖也松了，我想反映一下", understood(category="service", topic="交通运输", topic_confidence=0.99)),
    # it reads as the same queue
    ("我想反映一下，晚上这一段完全看不见路", understood(category="service", topic="城乡建设", topic_confidence=0.95)),
])
def test_more_of_the_same_problem_is_added_without_a_question(text: str, u: Understanding) -> None:
    out = turn(_light_summary(), text, u=u)
    assert out.state.step == contact.SUMMARY and "已补充到问题描述里" in said(out) and out.state.queued == ()


def test_a_near_certain_other_department_is_asked_about_without_words_announcing_it() -> None:
    out = turn(_light_summary(), "小区门口的垃圾也三天没人收了",
               u=understood(category="service", topic="环境保护", topic_confidence=0.97))
    assert out.state.step == matters.OTHER


def test_a_confirmed_reading_of_the_matter_summed_up_counts_as_sure() -> None:
    u = understood(category="dispute", category_confidence=0.64, topic="城乡建设")
    unsure = _light_summary(category_confidence=0.4)
    assert turn(unsure, LEAK, u=u).state.step == contact.SUMMARY  # the summed-up category was itself a guess
    confirmed = _light_summary(category_confidence=0.4, classification_confirmed=True)
    assert turn(confirmed, LEAK, u=u).state.step == matters.OTHER


NOWHERE = "门口的路灯坏了一个星期了，晚上很黑"  # no place named: asked again once the answer is settled


def _where(**draft: object) -> ConversationState:
    """A street light at the place question."""
    fields = {"parts": (NOWHERE,), "category": "service", "category_confidence": 0.9, "topic": "城乡建设",
              "topic_confidence": 1.0, "class_done": True, **draft}
    return location.ask_where(at_step(ConversationState(), location.ASK, **fields), context()).state


def test_a_new_matter_told_at_the_place_question_is_no_place_and_the_place_is_asked_again() -> None:
    asked = turn(_where(), LEAK, u=understood(category="dispute", category_confidence=0.64, topic="城乡建设"))
    assert asked.state.step == matters.OTHER
    apart = turn(asked.state, "单独登记")
    assert apart.state.step == location.ASK and "请告诉我问题发生在哪里" in said(apart)
    draft = apart.state.draft
    assert draft is not None and draft.text == NOWHERE and draft.address is None and draft.location_tries == 0
    assert [d.text for d in apart.state.queued] == [LEAK]


def test_more_of_the_problem_told_at_the_place_question_joins_it_without_using_a_try() -> None:
    more = "我想说一下，这个灯坏了以后晚上根本看不见路"
    out = turn(_where(), more, u=understood(category="service", topic="城乡建设", topic_confidence=0.95))
    assert out.state.step == location.ASK and "已补充到问题描述里" in said(out)
    draft = out.state.draft
    assert draft is not None and draft.text == f"{NOWHERE}\n{more}"
    assert draft.location_tries == 0 and draft.address is None


def test_a_place_said_after_the_same_words_is_the_answer() -> None:
    out = turn(_where(), "我想反映一下，就在幸福路100号旁边")
    assert out.state.draft is not None and out.state.draft.grid_code == "QH01-C01-G02"


@pytest.mark.parametrize("answer", ["算了", "取消", "不登了"])
def test_calling_it_off_at_the_question_drops_the_matter_just_told_not_the_first(answer: str) -> None:
    asked = turn(_light_summary(), LEAK, u=understood(category="dispute", category_confidence=0.64, topic="城乡建设"))
    out = turn(asked.state, answer)
    assert out.state.step == contact.SUMMARY and out.state.queued == () and "这件不登记了" in said(out)
    assert out.state.draft is not None and out.state.draft.text == LIGHT


def test_a_place_said_at_the_question_moves_neither_matter() -> None:
    asked = turn(_light_summary(), LEAK, u=understood(category="dispute", category_confidence=0.64, topic="城乡建设"))
    out = turn(asked.state, "和平新村5栋", u=understood(places=(("QH01-C01-G02", "和平新村", 0.9),)))
    assert out.state.step == matters.OTHER and out.state.draft is not None
    assert out.state.draft.grid_code == "QH01-C01-G01" and [d.text for d in out.state.queued] == [LEAK]


@pytest.mark.parametrize("text", ["我想反映的是我们小区门口", "我想说一下就在我家楼下", "我要反映的位置在菜市场旁边"])
def test_a_place_answer_opened_with_the_same_words_is_still_a_place_answer(text: str) -> None:
    out = turn(_where(), text, u=understood(category="dispute", category_confidence=0.9, topic="政法"))
    assert out.state.step != matters.OTHER and "已补充到问题描述里" not in said(out)


def test_a_side_the_matter_summed_up_has_not_gives_the_new_matters_category() -> None:
    """「我想反映楼上漏水的问题」 read alone as a service of 城乡建设, like the street light: its neighbour is a dispute."""
    short = "我想反映楼上漏水的问题"
    same = understood(category="service", category_confidence=0.6, topic="城乡建设")
    neighbour = replace(same, party=Guess("person", 0.9), party_words="楼上")
    assert turn(_light_summary(), short, u=same).state.step == contact.SUMMARY
    assert turn(_light_summary(), short, u=neighbour).state.step == matters.OTHER
    unannounced = "楼上邻居家也漏水"  # no complaint of its own opened: the side alone does not ask
    assert turn(_light_summary(), unannounced, u=neighbour).state.step == contact.SUMMARY


def test_a_phone_typed_with_more_words_at_the_summary_keeps_both() -> None:
    """Only the number was kept: 「我想反映一下楼下烧烤店油烟呛人，电话138…」 lost the complaint."""
    fumes = "我想反映一下楼下烧烤店油烟呛人，电话13812345678"
    u = understood(category="dispute", category_confidence=0.7, topic="环境保护", phones=("13812345678",))
    asked = turn(_light_summary(), fumes, u=u)
    assert asked.state.step == matters.OTHER and "138****5678" in said(asked)
    assert asked.state.draft is not None and asked.state.draft.phone == "13812345678"
    assert [d.text for d in asked.state.queued] == ["我想反映一下楼下烧烤店油烟呛人"]
    more = turn(_light_summary(), "已经一个星期了都没人修，我电话13812345678",
                u=understood(category="service", topic="城乡建设", phones=("13812345678",)))
    draft = more.state.draft
    assert draft is not None and draft.phone == "13812345678" and draft.text == f"{LIGHT}\n已经一个星期了都没人修"
    alone = turn(_light_summary(), "13812345678", u=understood(phones=("13812345678",)))
    assert alone.state.draft is not None
    assert alone.state.draft.text == LIGHT and alone.state.draft.phone == "13812345678"


def test_a_new_matter_with_its_own_place_at_the_place_question_moves_nothing_and_keeps_its_place() -> None:
    """「和平新村」 became the street light's place and the garbage was lost."""
    garbage = "我想反映和平新村门口的垃圾桶满了没人倒"
    u = understood(category="service", topic="环境保护", topic_confidence=0.95, places=(("QH01-C01-G02", "和平新村", 0.9),))
    asked = turn(_where(), garbage, u=u)
    assert asked.state.step == matters.OTHER and asked.state.draft is not None and asked.state.draft.grid_code is None
    (later,) = asked.state.queued
    assert later.text == garbage and [c.grid_code for c in later.candidates] == ["QH01-C01-G02"]


def test_more_of_this_matter_with_a_place_at_the_place_question_gives_both() -> None:
    garbage = "我想反映和平新村门口的垃圾桶也满了"
    out = turn(_where(), garbage, u=understood(category="service", topic="城乡建设", topic_confidence=0.95,
                                              places=(("QH01-C01-G02", "和平新村", 0.9),)))
    draft = out.state.draft
    assert draft is not None and draft.text == f"{NOWHERE}\n{garbage}" and draft.grid_code == "QH01-C01-G02"


def test_a_new_matter_told_at_the_category_question_is_asked_about_not_read_as_its_answer() -> None:
    """「想咨询一下低保怎么申请」 at 「…矛盾纠纷…对吗？」 made the neighbour quarrel a service."""
    state = at_step(ConversationState(), intake.CONFIRM_CLASS, category="dispute", category_confidence=0.8,
                    topic="城乡建设", topic_confidence=0.9)
    asked = intake.ask_classification(state, context()).state
    out = turn(asked, "想咨询一下低保怎么申请", u=understood(category="service", topic="民政", topic_confidence=0.95))
    assert out.state.step == matters.OTHER and out.state.draft is not None and out.state.draft.category == "dispute"
    back = turn(out.state, "单独登记")
    assert back.state.step == intake.CONFIRM_CLASS and [d.text for d in back.state.queued] == ["想咨询一下低保怎么申请"]


def test_the_hotlines_number_in_more_of_the_story_is_no_phone_mistyped() -> None:
    more = turn(_light_summary(), "打了好几次12345都没用，也没人来修", u=understood(category="service", topic="城乡建设"))
    assert "号码好像不对" not in said(more) and more.state.draft is not None
    assert more.state.draft.text == f"{LIGHT}\n打了好几次12345都没用，也没人来修"
    assert "号码好像不对" in said(turn(_light_summary(), "1381234567"))

