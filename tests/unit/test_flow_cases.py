"""A resident's own cases: status, add information, rate, cancel (only before acceptance)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from flows import cases
from flows.state import ConversationState
from handlers.case import Case
from handlers.commands import AddInfo, CancelCase, RateCase
from handlers.status import Status
from tests.conversations.confirmations import reading
from tests.conversations.kit import NOW, context, said, turn, understood, values

IDLE = ConversationState()


def _case(number: str, status: Status, **fields: object) -> Case:
    return Case(number=number, text="楼道的灯坏了一个月没人修", channel="test", user_ref="resident-1",
                category="service", status=status, department="C-QH01-C01", **fields)  # type: ignore[arg-type]


DISPATCHED = _case("MS-20261127-0001", Status.DISPATCHED, sign_deadline=datetime(2026, 11, 30, 15, 59, tzinfo=UTC))
ACCEPTED = _case("MS-20261127-0002", Status.ACCEPTED, resolve_deadline=datetime(2026, 12, 4, 15, 59, tzinfo=UTC))
RESOLVED = _case("MS-20261126-0003", Status.RESOLVED, reply="已更换灯泡")


def test_status_of_the_only_case_is_shown_in_detail_with_what_can_be_done() -> None:
    out = turn(IDLE, "我的诉求到哪一步了", u=understood("ask_status"), ctx=context((DISPATCHED,)))
    assert "当前状态：已派单" in said(out) and "幸福社区居委会" in said(out) and "2026年11月30日" in said(out)
    assert values(out) == ["add:MS-20261127-0001", "cancel:MS-20261127-0001"]


def test_several_cases_are_listed_and_a_number_opens_one() -> None:
    out = turn(IDLE, "查询", u=understood("ask_status"), ctx=context((ACCEPTED, DISPATCHED)))
    assert "MS-20261127-0002（已签收）" in said(out) and out.state.step == cases.PICK_CASE
    detail = turn(out.state, "2", ctx=context((ACCEPTED, DISPATCHED)))
    assert "MS-20261127-0001" in said(detail) and "当前状态：已派单" in said(detail)


def test_someone_elses_case_number_is_not_found() -> None:
    u = understood("ask_status", case_number="MS-20261101-0009")
    assert "没有找到您提交的编号为 MS-20261101-0009" in said(turn(IDLE, "查询", u=u, ctx=context((DISPATCHED,))))


def test_no_cases_yet() -> None:
    assert "还没有在这里反映过问题" in said(turn(IDLE, "查询", u=understood("ask_status")))


def test_cancel_before_acceptance_is_confirmed_then_issued() -> None:
    ctx = context((DISPATCHED,))
    ask = turn(IDLE, "撤销", u=understood("cancel"), ctx=ctx)
    assert ask.state.step == cases.CANCEL_CONFIRM and "确定要撤销诉求 MS-20261127-0001" in said(ask)
    out = turn(ask.state, "确定撤销", ctx=ctx)
    assert out.commands == (CancelCase("resident:test:resident-1", "MS-20261127-0001", "群众主动撤销"),)


def test_keeping_the_case_after_all() -> None:
    ctx = context((DISPATCHED,))
    ask = turn(IDLE, "撤销", u=understood("cancel"), ctx=ctx)
    out = turn(ask.state, "不撤销", ctx=ctx)
    assert not out.commands and "继续办理" in said(out) and out.state.step == "idle"


@pytest.mark.parametrize("words", ["算了", "不用了", "算了不用了", "不撤销", "别取消"])
def test_never_mind_after_a_look_at_ones_cases_withdraws_nothing(words: str) -> None:
    """「查询 → 算了 → 好」 once withdrew the case: 「算了」 asked 「确定要撤销…吗？」 and 「好」 said yes."""
    ctx = context((DISPATCHED, ACCEPTED))
    listed = turn(IDLE, "查询", u=understood("ask_status"), ctx=ctx)
    out = turn(listed.state, words, u=reading(words), ctx=ctx)
    assert out.state.step not in cases.STEPS and not out.commands and "撤销" not in said(out)
    assert not turn(out.state, "好", u=reading("好"), ctx=ctx).commands


def test_cancel_after_acceptance_is_explained_not_done() -> None:
    out = turn(IDLE, "撤销", u=understood("cancel"), ctx=context((ACCEPTED,)))
    assert not out.commands and "签收后就不能撤销" in said(out)


def test_rating_with_a_comment_in_one_message() -> None:
    out = turn(IDLE, "4分，处理挺快的", u=understood("rate", rating=4), ctx=context((RESOLVED,)))
    assert out.commands == (RateCase("resident:test:resident-1", "MS-20261126-0003", 4, "处理挺快的"),)


def test_rating_from_the_push_button_then_a_comment() -> None:
    ctx = context((RESOLVED,))
    ask = turn(IDLE, choice="2 不满意", ctx=ctx)
    assert ask.state.step == cases.RATE_COMMENT and "收到您的 2 分评价" in said(ask)
    out = turn(ask.state, "灯还是不亮", ctx=ctx)
    assert out.commands == (RateCase("resident:test:resident-1", "MS-20261126-0003", 2, "灯还是不亮"),)


def test_rating_asks_for_the_score_and_takes_no_comment() -> None:
    ctx = context((RESOLVED,))
    ask = turn(IDLE, "我要评价", ctx=ctx)
    assert ask.state.step == cases.RATE and values(ask)[0] == "5"
    scored = turn(ask.state, "5", ctx=ctx)
    out = turn(scored.state, "没有了", ctx=ctx)
    assert out.commands == (RateCase("resident:test:resident-1", "MS-20261126-0003", 5, ""),)


@pytest.mark.parametrize(("text", "rating"), [("灯还是不亮啊，根本没修", 1), ("还是不亮", 1), ("水管依然漏水", 1)])
def test_the_problem_still_there_at_the_rating_question_is_a_low_rating_that_reopens(text: str, rating: int) -> None:
    ctx = context((RESOLVED,))
    ask = turn(IDLE, "我要评价", ctx=ctx)
    out = turn(ask.state, text, u=reading(text), ctx=ctx)
    assert out.commands == (RateCase("resident:test:resident-1", "MS-20261126-0003", rating, text),)
    assert out.state.draft is None  # no new intake for the same lamp


@pytest.mark.parametrize("text", ["灯还是不亮啊，根本没修", "还是那个问题，楼道的灯晚上不亮", "修了跟没修一样"])
def test_still_not_fixed_after_the_resolution_push_is_a_low_rating_of_that_case(text: str) -> None:
    (rated,) = turn(IDLE, text, u=reading(text), ctx=context((RESOLVED,))).commands
    assert isinstance(rated, RateCase) and rated.rating == 1 and rated.comment == text


@pytest.mark.parametrize("text", ["楼下饭店油烟太大，物业根本没管", "门口的水管照旧在漏"])
def test_another_matter_in_words_of_persistence_after_a_resolution_is_a_new_complaint(text: str) -> None:
    out = turn(IDLE, text, u=reading(text), ctx=context((RESOLVED,)))
    assert not out.commands and out.state.draft is not None


@pytest.mark.parametrize("text", ["我还是不评了吧", "还是不知道怎么评，等等再说"])
def test_putting_the_rating_off_rates_nothing(text: str) -> None:
    ctx = context((RESOLVED,))
    ask = turn(IDLE, "我要评价", ctx=ctx)
    out = turn(ask.state, text, u=reading(text), ctx=ctx)
    assert not out.commands and "先不评价了" in said(out)


def test_bad_scores_are_asked_again() -> None:
    ctx = context((RESOLVED,))
    ask = turn(IDLE, "我要评价", ctx=ctx)
    assert "1 到 5" in said(turn(ask.state, "9", ctx=ctx))


def test_nothing_to_rate() -> None:
    assert "没有待评价的诉求" in said(turn(IDLE, "5分", u=understood("rate", rating=5), ctx=context((DISPATCHED,))))


@pytest.mark.parametrize("text", ["都一个星期了还没人来修，能不能催一下", "怎么这么慢啊，一点动静都没有", "催一下我那个事",
                                  "楼道的灯还没人来修", "楼道的灯怎么还没人来修"])
def test_pressing_for_progress_on_the_one_case_being_worked_on_is_a_chase_in_its_file(text: str) -> None:
    out = turn(IDLE, text, u=reading(text), ctx=context((ACCEPTED, RESOLVED)))
    assert out.commands == (AddInfo("resident:test:resident-1", "MS-20261127-0002", text, chase=True),)
    assert out.state.draft is None


@pytest.mark.parametrize(("text", "cases_held"), [
    ("麻烦催一下物业", (ACCEPTED,)),  # another matter: the words name something not in the case
    ("阳光花园电梯坏了好几天了还没人来修", (ACCEPTED,)),
    ("能不能催一下", (ACCEPTED, replace(DISPATCHED, text="小区门口垃圾堆了好几天没人清"))),  # which one? asked
    # another matter at the same gate (reviewer): 门口 and 小区 name nothing of the street light
    ("门口的下水道堵了好几天了，物业一点动静都没有", (replace(ACCEPTED, text="小区门口的路灯坏了一个月了"),)),
    ("小区门口垃圾堆了一个星期了，怎么这么慢都没人来清理", (replace(ACCEPTED, text="小区门口的路灯坏了一个月了"),)),
])
def test_a_chase_that_names_another_matter_or_fits_several_cases_is_no_chase(text: str, cases_held: tuple) -> None:
    out = turn(IDLE, text, u=reading(text), ctx=context(cases_held))
    assert not any(isinstance(c, AddInfo) for c in out.commands)
    assert ("您最近的诉求" in said(out)) == (len(cases_held) > 1)  # several: the list to pick from, no new intake


def test_a_chase_naming_one_of_two_cases_presses_that_one() -> None:
    rubbish = replace(DISPATCHED, text="小区门口垃圾堆了好几天没人清")
    out = turn(IDLE, "垃圾那件能不能催一下", u=reading("垃圾那件能不能催一下"), ctx=context((ACCEPTED, rubbish)))
    assert out.commands == (AddInfo("resident:test:resident-1", rubbish.number, "垃圾那件能不能催一下", chase=True),)


def test_what_was_forgotten_said_straight_after_filing_goes_into_that_case() -> None:
    just_filed = replace(ACCEPTED, created_at=NOW - timedelta(minutes=20))
    text = "对了，是3单元楼道的灯，晚上特别黑"
    out = turn(IDLE, text, u=reading(text), ctx=context((just_filed, RESOLVED)))
    assert out.commands == (AddInfo("resident:test:resident-1", "MS-20261127-0002", "是3单元楼道的灯，晚上特别黑"),)


@pytest.mark.parametrize(("text", "filed_ago", "case_text"), [
    ("对了，小区电梯也坏了", timedelta(minutes=20), ACCEPTED.text),  # names nothing of the case: another matter
    ("对了，小区门口的垃圾桶也满了好几天没人清", timedelta(minutes=20), "小区门口的路灯坏了一个月了"),  # (reviewer)
    ("对了，是3单元楼道的灯，晚上特别黑", timedelta(hours=5), ACCEPTED.text),  # long after: a new complaint
])
def test_an_afterthought_of_another_matter_or_long_after_is_a_new_complaint(text: str, filed_ago: timedelta,
                                                                             case_text: str) -> None:
    filed = replace(ACCEPTED, created_at=NOW - filed_ago, text=case_text)
    out = turn(IDLE, text, u=reading(text), ctx=context((filed,)))
    assert not out.commands and out.state.draft is not None


def test_adding_information_to_the_open_case() -> None:
    ctx = context((ACCEPTED,))
    out = turn(IDLE, "补充一下：晚上十点以后特别吵", ctx=ctx)
    assert out.commands == (AddInfo("resident:test:resident-1", "MS-20261127-0002", "晚上十点以后特别吵"),)
    ask = turn(IDLE, "补充", ctx=ctx)
    assert ask.state.step == cases.ADD_INFO
    assert turn(ask.state, "还有垃圾没清", ctx=ctx).commands == (
        AddInfo("resident:test:resident-1", "MS-20261127-0002", "还有垃圾没清"),)


def test_what_was_added_before_the_case_was_chosen_goes_to_the_one_chosen() -> None:
    """With several open, 「补充一下，…」 asked which case and then asked for the words again."""
    ctx = context((ACCEPTED, DISPATCHED))
    which = turn(IDLE, "补充一下：晚上十点以后特别吵", ctx=ctx)
    assert which.state.step == cases.PICK_CASE
    stored = ConversationState.from_dict(which.state.to_dict())  # as the conversation store keeps it
    assert turn(stored, "2", ctx=ctx).commands == (
        AddInfo("resident:test:resident-1", "MS-20261127-0001", "晚上十点以后特别吵"),)
    moved_on = turn(stored, "查询", u=understood("ask_status"), ctx=ctx).state
    assert moved_on.carried == ""  # the resident's words are not kept past the errand they were for


def test_a_button_on_the_status_detail_starts_its_errand() -> None:
    ctx = context((DISPATCHED,))
    detail = turn(IDLE, "查询", u=understood("ask_status"), ctx=ctx)
    assert turn(detail.state, "补充情况", ctx=ctx).state.step == cases.ADD_INFO
    assert turn(detail.state, "撤销", ctx=ctx).state.step == cases.CANCEL_CONFIRM


def test_a_new_complaint_while_a_status_is_on_screen_starts_an_intake() -> None:
    ctx = context((DISPATCHED,))
    detail = turn(IDLE, "查询", u=understood("ask_status"), ctx=ctx)
    text = "小区门口的垃圾桶三天没人清理了"
    out = turn(detail.state, text, u=understood(category="service", topic="城乡建设"), ctx=ctx)
    assert out.state.in_intake and out.state.step == "confirm_class"


def test_a_problem_that_went_away_offers_to_withdraw_the_open_case_and_files_nothing_new() -> None:
    for text in ("灯已经好了 不用来了", "那个事不用管了 物业已经修好了"):
        out = turn(IDLE, text, u=reading(text), ctx=context((DISPATCHED,)))
        assert out.state.step == cases.CANCEL_CONFIRM and "确定要撤销诉求 MS-20261127-0001" in said(out)
        assert out.state.draft is None


@pytest.mark.parametrize("text", ["路灯已经好了，但是阳光花园的电梯坏了", "路灯已经好了，电梯又坏了"])
def test_a_problem_gone_but_another_named_offers_no_withdrawal(text: str) -> None:
    out = turn(IDLE, text, u=reading(text), ctx=context((DISPATCHED,)))
    assert out.state.step != cases.CANCEL_CONFIRM and out.state.draft is not None


def test_something_else_broken_again_after_the_resolution_is_a_new_complaint_not_a_rating() -> None:
    text = "阳光花园电梯又坏了，困了好几个人"
    out = turn(IDLE, text, u=reading(text), ctx=context((RESOLVED,)))
    assert not out.commands and out.state.draft is not None


def test_praise_with_a_new_matter_after_it_files_the_new_matter_and_rates_nothing() -> None:
    text = "修好了 不过阳光花园那边的路灯也坏了"
    out = turn(IDLE, text, u=reading(text), ctx=context((RESOLVED,)))
    assert not out.commands and out.state.draft is not None
    comment = "修好了 不过太慢了"  # a comment on the handling is still a rating
    (rated,) = turn(IDLE, comment, u=reading(comment), ctx=context((RESOLVED,))).commands
    assert isinstance(rated, RateCase) and rated.rating == 3


def test_broken_again_after_the_resolution_is_a_low_rating_with_the_residents_words() -> None:
    """A low rating reopens the case (conversation 44), instead of a new intake for the same lamp."""
    for text in ("灯是换了 可是第二天又坏了", "灯是修了 但是没两天又不亮了"):
        out = turn(IDLE, text, u=reading(text), ctx=context((RESOLVED,)))
        (rated,) = out.commands
        assert isinstance(rated, RateCase) and rated.rating <= 2 and rated.comment == text
        assert out.state.draft is None
