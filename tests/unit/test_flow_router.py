"""The router: emergencies first, stale drafts dropped, errands that interrupt an intake and
hand back to it, corrections at any later step, and what an idle conversation does."""

from dataclasses import replace
from datetime import timedelta

import pytest

from flows import contact, intake, location
from flows.context import Outcome
from flows.messages import Inbound
from flows.router import step, with_resume
from flows.state import ConversationState
from flows.texts import category_plain
from flows.understanding import Emergency, Guess, Understanding
from handlers.case import Case
from handlers.commands import AddInfo, FileCase
from handlers.status import Status
from tests.conversations.confirmations import reading
from tests.conversations.kit import NOW, at_step, context, said, turn, understood

IDLE = ConversationState()
FIRE = "楼下饭店厨房着火了，烟很大"
SUMMARY_FIELDS = dict(class_done=True, classification_confirmed=True, grid_code="QH01-C01-G01", street_code="QH01",
                      community_code="QH01-C01", location_by="text", location_done=True, contact_done=True)


def _summary() -> ConversationState:
    return contact.ask_summary(at_step(IDLE, contact.SUMMARY, **SUMMARY_FIELDS), context()).state


def test_an_emergency_is_answered_first_then_the_intake_goes_on() -> None:
    out = turn(IDLE, FIRE, u=understood("emergency", category="service", emergency="119"))
    assert out.replies[0].text.startswith("如有火情") and "119" in out.replies[0].text
    assert out.state.step == intake.CONFIRM_CLASS


def test_the_matter_told_with_an_emergency_is_filed_with_its_line() -> None:
    out = turn(IDLE, FIRE, u=understood("emergency", category="service", emergency="119"))
    assert out.state.draft is not None and out.state.draft.emergency == "119"
    later = turn(at_step(IDLE, location.ASK, class_done=True), "有人拿刀打人", u=understood(emergency="110"))
    assert later.state.draft is not None and later.state.draft.emergency == "110"
    first_kept = turn(later.state, "着火了", u=understood(emergency="119"))
    assert first_kept.state.draft is not None and first_kept.state.draft.emergency == "110"
    assert contact.file_command(first_kept.state.draft, "web", "r1", context()).emergency == "110"
    assert turn(_summary(), "确认").commands[0].emergency is None


@pytest.mark.parametrize(("text", "topic"), [("劳动局", "劳动和社会保障"), ("应该找城管吧", "城乡建设"), ("卫健委", "卫生计生"),
                                           ("交警", "交通运输"), ("市场监管局", "商贸旅游")])
def test_the_topic_question_takes_the_office_residents_name(text: str, topic: str) -> None:
    asked = intake.ask_topic(at_step(IDLE, intake.PICK_TOPIC, category="dispute", topic=None), context()).state
    out = turn(asked, text)
    assert out.state.draft is not None and out.state.draft.topic == topic and f"按{topic}方面登记" in said(out)
    assert turn(asked, "劳动局还是交警").state.step == intake.PICK_TOPIC  # two offices: asked again
    for ruled_out in ("应该不是交警的事", "劳动局不管这个"):
        assert turn(asked, ruled_out).state.step == intake.PICK_TOPIC


def test_a_resident_who_has_called_already_is_not_told_to_call_but_keeps_the_other_lines() -> None:
    called = replace(understood(), emergency=Emergency("violence", "110", "砸车", called=True))
    out = turn(IDLE, "我刚报了110 楼下有人耍酒疯砸车", u=called)
    assert out.replies[0].text.startswith("您已经报警或呼救了") and "请立即拨打" not in said(out)
    for kind, line in (("self_harm", "12356"), ("domestic", "12338"), ("gas", "不要点火")):
        told = turn(IDLE, "我已经报警了", u=replace(understood(), emergency=Emergency(kind, "110", called=True)))
        assert told.replies[0].text.startswith("您已经报警或呼救了") and line in told.replies[0].text


@pytest.mark.parametrize(("text", "party", "category"), [("跟我老板", "company", "dispute"), ("房东", "person", "dispute"),
                                                        ("居委会", "government", "petition")])
def test_the_other_side_named_at_the_confirmation_answers_it(text: str, party: str, category: str) -> None:
    state = at_step(IDLE, intake.CONFIRM_CLASS, category="service", topic="城乡建设", category_confidence=0.7)
    out = turn(intake.ask_classification(state, context()).state, text, u=reading(text))
    assert out.state.draft is not None and (out.state.draft.party, out.state.draft.category) == (party, category)
    assert "请回复" not in said(out)


def test_a_neighbour_named_by_where_they_live_is_said_back_as_a_neighbour() -> None:
    assert category_plain("dispute", "person", "楼下") == "和楼下邻居之间的矛盾纠纷"
    assert category_plain("dispute", "person", "房东") == "和房东之间的矛盾纠纷"


def test_the_side_named_with_more_of_the_story_keeps_both() -> None:
    asked = intake.ask_party(at_step(IDLE, intake.PICK_PARTY, category=None, topic="商贸旅游")).state
    text = "就是小区门口那个超市 卖的大米有虫"
    out = turn(asked, text, u=replace(reading(text), party=Guess("company", 0.9), party_words="超市"))
    assert out.state.draft is not None and asked.draft is not None
    assert out.state.draft.parts == (*asked.draft.parts, text) and out.state.draft.party == "company"
    assert "和超市之间" in said(out)
    short = turn(asked, "跟我老板", u=reading("跟我老板"))
    assert short.state.draft is not None and short.state.draft.parts == asked.draft.parts


def test_the_side_already_said_back_confirms_it() -> None:
    state = at_step(IDLE, intake.CONFIRM_CLASS, category="dispute", topic="城乡建设", party="company", party_words="物业")
    out = turn(intake.ask_classification(state, context()).state, "物业公司", u=reading("物业公司"))
    assert out.state.draft is not None and out.state.draft.classification_confirmed and out.state.draft.party == "company"


def test_the_story_told_after_an_opener_is_read_by_itself() -> None:
    """「有个事想说一下」 read as a service at 0.9 outweighed the story that followed it."""
    opened = turn(IDLE, "有个事想说一下", u=understood(category="service", category_confidence=0.9, topic="民政"))
    assert opened.state.step == intake.DESCRIBE
    text = "城管把我的三轮车收走了不给退"
    out = turn(opened.state, text, u=understood(category="petition", category_confidence=0.6, topic="城乡建设"))
    assert out.state.draft is not None and (out.state.draft.category, out.state.draft.topic) == ("petition", "城乡建设")
    assert out.state.draft.parts == ("有个事想说一下", text)


def test_an_emergency_in_a_few_words_is_not_asked_what_happened() -> None:
    out = turn(IDLE, "楼道里有煤气味", u=understood(category="service", topic="城乡建设", emergency="119"))
    assert out.state.step != intake.DESCRIBE and "请具体说说" not in said(out)
    assert turn(IDLE, "楼道里有味", u=understood(category="service", topic="城乡建设")).state.step == intake.DESCRIBE
    assert turn(IDLE, "我被骗了", u=understood(category="dispute", emergency="110")).state.step == intake.DESCRIBE


def test_a_place_in_the_emergencys_own_clause_is_not_the_answer() -> None:
    asked = at_step(IDLE, location.ASK, class_done=True)
    u = replace(understood(places=(("QH01-C01-G03", "阳光花园", 0.95),)), emergency=Emergency("fire", "119", "着火了"))
    u = replace(u, places=(replace(u.places[0], mention="阳光花园"),))
    out = turn(asked, "等一下，隔壁阳光花园着火了", u=u)
    assert out.state.step == location.ASK and out.state.draft is not None and out.state.draft.grid_code is None
    assert "处理好紧急情况后" in said(out)


def test_an_emergency_that_is_a_matter_of_its_own_or_calls_off_is_taken_as_it_is() -> None:
    asked = at_step(IDLE, location.ASK, class_done=True)
    fight = replace(understood(category="dispute", topic="政法"), emergency=Emergency("violence", "110", "拿刀打架"))
    out = turn(asked, "还有个事，楼下有人拿刀打架了", u=fight)
    assert asked.draft is not None and out.state.draft is not None and out.state.draft.parts == asked.draft.parts
    assert [d.emergency for d in out.state.queued] == ["110"]
    fire = replace(understood(), emergency=Emergency("fire", "119", "着火了"))
    called_off = turn(_summary(), "不登了，楼下着火了", u=fire)
    assert called_off.state.draft is None and called_off.state.dropped is not None and not called_off.commands
    assert called_off.replies[0].text.startswith("如有火情")


def test_an_emergency_told_as_another_matter_marks_that_matter() -> None:
    asked = at_step(IDLE, intake.PICK_PARTY)
    u = replace(understood(category="service", topic="城乡建设"), emergency=Emergency("fire", "119", "着火了"))
    out = turn(asked, "还有个事 刚才楼下电动车充电着火了", u=u)
    assert out.state.draft is not None and out.state.draft.emergency is None
    assert [(d.text, d.emergency) for d in out.state.queued] == [("刚才楼下电动车充电着火了", "119")]


def test_each_emergency_number_has_its_own_words() -> None:
    for number in ("110", "119", "120"):
        out = turn(IDLE, "救命", u=understood("emergency", emergency=number))
        assert number in out.replies[0].text
    drowning = replace(understood("emergency"), emergency=Emergency("danger", "110"))
    assert turn(IDLE, "有人掉河里了", u=drowning).replies[0].text.startswith("有人被困、落水或走失，请立即拨打 110")


def test_an_emergency_told_with_the_place_keeps_the_place_and_joins_the_story() -> None:
    text = "幸福里小区3栋门口，对了楼道里好像着火了"
    asked = at_step(IDLE, location.ASK, class_done=True)
    u = understood(emergency="119", places=(("QH01-C01-G01", "幸福里小区", 0.95),))
    out = turn(asked, text, u=u)
    assert out.replies[0].text.startswith("如有火情") and "处理好紧急情况后" not in said(out)
    assert out.state.draft is not None and asked.draft is not None
    assert out.state.draft.grid_code == "QH01-C01-G01" and out.state.draft.location_done
    assert out.state.draft.parts == (*asked.draft.parts, text) and text in said(out)  # the summary shows it
    assert out.state.draft.emergency == "119"


def test_an_emergency_without_an_answer_is_kept_and_the_question_comes_back() -> None:
    asked = at_step(IDLE, location.ASK, class_done=True)
    out = turn(asked, "楼道里着火了", u=understood(emergency="119"))
    assert "处理好紧急情况后" in said(out) and out.state.step == location.ASK and out.state.draft is not None
    assert asked.draft is not None and out.state.draft.parts == (*asked.draft.parts, "楼道里着火了")
    assert out.state.draft.grid_code is None and out.state.draft.emergency == "119"


def test_an_emergency_at_the_summary_keeps_a_number_given_with_it_and_shows_the_summary_again() -> None:
    summary = _summary()
    assert summary.draft is not None
    text = "13812345678 楼下有人拿刀打架了"
    out = turn(summary, text, u=understood(emergency="110", phones=("13812345678",)))
    assert out.replies[0].text.startswith("如遇违法犯罪") and out.state.step == contact.SUMMARY and not out.commands
    assert out.state.draft is not None and out.state.draft.phone == "13812345678"
    assert out.state.draft.parts == (*summary.draft.parts, text) and "138****5678" in said(out)
    again = turn(out.state, "楼下着火了", u=understood(emergency="119"))
    assert "请再核对一下" in said(again) and again.state.draft is not None
    assert again.state.draft.parts[-1] == "楼下着火了" and again.state.draft.emergency == "110"


def test_a_stale_draft_expires_with_a_note_and_the_message_starts_afresh() -> None:
    state = _summary()
    later = context(now=NOW + timedelta(hours=3))
    out = turn(state, "确认", ctx=later)
    assert "已自动作废" in said(out) and not out.commands and out.state.draft is None


def test_a_recent_draft_does_not_expire() -> None:
    out = turn(_summary(), "确认", ctx=context(now=NOW + timedelta(minutes=30)))
    assert out.commands


def test_a_status_question_mid_intake_is_answered_and_the_question_comes_back() -> None:
    case = Case(number="MS-20261120-0001", text="路灯坏了", channel="test", user_ref="resident-1", status=Status.CLOSED)
    state = _summary()
    out = turn(state, "我上次反映的到哪一步了", u=understood("ask_status"), ctx=context((case,)))
    assert "MS-20261120-0001" in said(out) and out.state.step == contact.SUMMARY
    replies = with_resume(out.state, list(out.replies))
    assert replies[-1].text.startswith("我们接着刚才的反映继续") and replies[-1].choices


def test_a_long_status_question_mid_intake_is_answered_when_the_resident_has_a_case() -> None:
    """Not read as the place the intake asked for (「没有在本区找到…这个地方」), as it was before."""
    case = Case(number="MS-20261120-0001", text="路灯坏了", channel="test", user_ref="resident-1", status=Status.CLOSED)
    asked = at_step(IDLE, location.ASK, class_done=True)
    question = "我之前那个路灯的事现在办得怎么样了"
    out = turn(asked, question, u=understood("ask_status"), ctx=context((case,)))
    assert "MS-20261120-0001" in said(out) and out.state.step == location.ASK
    out = turn(asked, question, u=understood("ask_status"), ctx=context(()))
    assert "MS-20261120-0001" not in said(out) and "您还没有" not in said(out)


@pytest.mark.parametrize("text", ["咋还没人来修", "办得咋样了", "有回复没", "啥时候来修啊", "我的单子", "我反映的路灯修了没有",
                                  "我上次那个怎么样了", "上次反映的那个事咋样了", "我之前投诉的怎么还没人来"])
def test_asking_after_ones_case_in_everyday_words_shows_it_and_starts_no_intake(text: str) -> None:
    case = Case(number="MS-20261120-0001", text="楼道灯坏了", channel="test", user_ref="resident-1",
                status=Status.DISPATCHED)
    out = turn(IDLE, text, u=reading(text), ctx=context((case,)))
    assert out.state.draft is None and shown_or_chased(out, "MS-20261120-0001")


@pytest.mark.parametrize("text", ["阳光花园电梯坏了 什么时候来修", "楼下的垃圾站怎么还没人管",
                                  "幸福路120号的井盖什么时候能修好，都坏一个月了"])
def test_a_new_matter_in_the_words_of_a_delay_from_a_resident_with_a_case_is_a_new_complaint(text: str) -> None:
    case = Case(number="MS-20261120-0001", text="小区门口的路灯坏了", channel="test", user_ref="resident-1",
                status=Status.DISPATCHED)
    out = turn(IDLE, text, u=reading(text), ctx=context((case,)))
    assert "MS-20261120-0001" not in said(out) and out.state.draft is not None


def test_a_complaint_about_delay_from_a_resident_without_a_case_is_taken_as_a_complaint() -> None:
    out = turn(IDLE, "路灯坏了怎么还没人修", u=reading("路灯坏了怎么还没人修"), ctx=context(()))
    assert out.state.draft is not None and "您还没有" not in said(out)
    assert "您还没有在这里反映过问题" in said(turn(IDLE, "查询进度", u=reading("查询进度"), ctx=context(())))


def test_a_question_asked_after_a_note_is_not_put_back_again() -> None:
    out = turn(_summary(), "匿名反映")
    assert "匿名反映的意思是" in said(out) and out.state.step == contact.SUMMARY
    assert with_resume(out.state, list(out.replies)) == list(out.replies)


def test_help_mid_intake_keeps_the_intake() -> None:
    out = turn(_summary(), "帮助", u=understood("help"))
    assert "我可以帮您" in said(out) and out.state.step == contact.SUMMARY


@pytest.mark.parametrize("text", ["算了，不反映了", "取消", "我要取消", "那就不登记了吧", "撤销这次反映", "算了算了",
                                  "不反映了 谢谢", "算了不弄了"])
def test_cancelling_mid_intake_drops_the_draft(text: str) -> None:
    out = turn(at_step(IDLE, location.ASK, class_done=True), text)
    assert out.state.draft is None and out.state.step == IDLE.step and not out.commands and "已取消" in said(out)


@pytest.mark.parametrize("step", [intake.CONFIRM_CLASS, contact.SUMMARY, location.ASK])
@pytest.mark.parametrize("text", ["不登了", "算了不说了", "先不弄了", "不想登记了", "不报了", "不用了 不登记了",
                                  "我说不反映了，取消吧", "不想报了，怕被报复", "算了，我自己找物业解决",
                                  "先不登了，回头再说", "算了吧 不麻烦你们了", "撤了吧 不报了", "我不想投诉了"])
def test_everyday_ways_to_stop_call_the_intake_off_at_any_question(step: str, text: str) -> None:
    """At a yes-or-no question 「不登了」 read as a 「不」: the category or the summary was said wrong."""
    state = _summary() if step == contact.SUMMARY else at_step(IDLE, step, class_done=step != intake.CONFIRM_CLASS)
    out = turn(state, text, u=reading(text))
    assert out.state.draft is None and out.state.step == IDLE.step and not out.commands and "已取消" in said(out)


@pytest.mark.parametrize("text", ["不用了", "不用了谢谢", "不留了"])
def test_declining_the_phone_is_no_calling_off(text: str) -> None:
    out = turn(at_step(IDLE, contact.CONTACT, class_done=True, location_done=True), text, u=reading(text))
    assert out.state.draft is not None and "已取消" not in said(out)


@pytest.mark.parametrize("undo", ["点错了 我要提交", "恢复", "刚才那个不取消了", "还是提交吧"])
def test_an_intake_called_off_by_mistake_comes_back_right_after(undo: str) -> None:
    cancelled = turn(_summary(), choice="cancel")
    assert cancelled.state.draft is None and "回复“恢复”就能找回" in said(cancelled)
    stored = ConversationState.from_dict(cancelled.state.to_dict())  # as the conversation store keeps it
    back = turn(stored, undo, u=reading(undo))
    assert back.state.step == contact.SUMMARY and back.state.draft == _summary().draft and back.state.dropped is None
    assert said(back).startswith("好的，刚才的反映已恢复")


def test_only_the_next_turn_can_bring_a_called_off_intake_back() -> None:
    cancelled = turn(at_step(IDLE, location.ASK, class_done=True), "算了，不反映了")
    later = turn(cancelled.state, "你好", u=understood("greet"))
    assert later.state.dropped is None and turn(later.state, "恢复").state.draft is None


@pytest.mark.parametrize("text", ["不用取消", "先别撤销", "算了不清楚", "不要取消，地址我再想想", "算了，不清楚",
                                  "不用了，楼上又在漏水"])
def test_a_cancel_word_that_is_negated_or_says_more_keeps_the_draft(text: str) -> None:
    out = turn(at_step(IDLE, location.ASK, class_done=True), text)
    assert out.state.draft is not None and "已取消" not in said(out)


def test_correcting_the_address_at_the_summary() -> None:
    out = turn(_summary(), "不对，地址是幸福路120号")
    assert out.state.draft is not None and out.state.draft.grid_code == "QH01-C01-G02"
    assert out.state.step == contact.SUMMARY and "幸福路120号" in said(out)


@pytest.mark.parametrize("text", [
    "地点不对，是在阳光花园", "地址错了，应该是阳光花园", "位置写错了 阳光花园", "不是幸福里，是阳光花园", "是阳光花园",
    "阳光花园", "在阳光花园", "阳光花园门口", "阳光花园3栋2单元",
])
def test_a_place_said_in_other_words_at_the_summary_moves_the_case_and_files_nothing(text: str) -> None:
    out = turn(_summary(), text, u=reading(text))
    assert not out.commands
    assert out.state.draft is not None and out.state.draft.grid_code == "QH01-C01-G03"
    assert out.state.step == contact.SUMMARY and "地点：青禾街道幸福社区第3网格（阳光花园" in said(out)


@pytest.mark.parametrize("text", ["没问题，我住阳光花园", "确认，我家在阳光花园"])
def test_where_the_resident_lives_said_with_a_yes_at_the_summary_files_at_the_place_of_the_problem(text: str) -> None:
    out = turn(_summary(), text, u=reading(text))
    moved = out.state.draft is not None and out.state.draft.grid_code != "QH01-C01-G01"
    assert not moved and all(c.grid_code == "QH01-C01-G01" for c in out.commands if isinstance(c, FileCase))


def test_not_cancelling_at_the_summary_keeps_the_draft() -> None:
    for text in ("不用取消", "不取消"):
        out = turn(_summary(), text, u=reading(text))
        assert out.state.draft is not None and "已取消" not in said(out)


def test_asking_whether_anonymity_matters_is_explained_not_chosen() -> None:
    text = "不想暴露身份的话会影响处理吗"
    out = turn(replace(_summary(), draft=replace(_summary().draft, contact_done=False)), text, u=reading(text))
    assert out.state.draft is not None and not out.state.draft.anonymous and "匿名反映的意思是" in said(out)


def test_the_place_already_taken_said_with_a_yes_confirms_and_a_place_only_said_to_be_wrong_is_asked_again() -> None:
    assert any(isinstance(c, FileCase) for c in turn(_summary(), "对，就是幸福里小区", u=reading("对，就是幸福里小区")).commands)
    out = turn(_summary(), "地点不对", u=reading("地点不对"))
    assert out.state.step == location.ASK and out.state.draft is not None and out.state.draft.grid_code is None


def test_a_statement_that_mentions_a_place_at_the_summary_adds_to_the_story_and_keeps_the_place() -> None:
    text = "阳光花园那边也有人半夜装修，一直吵"
    out = turn(_summary(), text, u=reading(text))
    assert out.state.draft is not None and out.state.draft.grid_code == "QH01-C01-G01"
    assert out.state.draft.parts[-1] == text and out.state.step == contact.SUMMARY


@pytest.mark.parametrize(("text", "files", "step"), [
    ("阳光花园", False, contact.SUMMARY),
    ("可以 提交吧", True, contact.SUBMITTED),
    ("不用改了", False, contact.SUMMARY),
    ("没问题", False, contact.SUMMARY),
    ("地址填错了", False, location.ASK),
    ("改地址", False, location.ASK),
    ("位置", False, location.ASK),
    ("手机号", False, contact.CONTACT),
    ("修改描述", False, intake.DESCRIBE),
    ("提交前想改下描述", False, intake.DESCRIBE),
    ("别提交 改电话", False, contact.CONTACT),
    ("不改地址，改电话", False, contact.CONTACT),
    ("地址没问题，改一下电话", False, contact.CONTACT),
])
def test_the_edit_menu_takes_a_place_a_submit_or_nothing_to_change_in_words(text: str, files: bool, step: str) -> None:
    menu = turn(_summary(), choice="edit").state
    out = turn(menu, text, u=reading(text))
    assert out.state.step == step and any(isinstance(c, FileCase) for c in out.commands) == files
    if text == "阳光花园":
        assert out.state.draft is not None and out.state.draft.grid_code == "QH01-C01-G03"


def _asked_category() -> ConversationState:
    state = at_step(IDLE, intake.CONFIRM_CLASS, category="dispute", topic="环境保护", category_confidence=0.7)
    return intake.ask_classification(state, context()).state


def test_a_place_told_with_the_yes_to_the_category_is_kept_for_the_location_question() -> None:
    out = turn(_asked_category(), "对，在阳光花园", u=reading("对，在阳光花园"))
    assert out.state.draft is not None and out.state.draft.classification_confirmed
    assert out.state.draft.grid_code == "QH01-C01-G03" and "请告诉我问题发生在哪里" not in said(out)


@pytest.mark.parametrize("text", ["不是邻居 是个店", "是店 不是人", "不是楼下 是隔壁那栋的店"])
def test_the_other_side_corrected_at_the_category_question_is_taken(text: str) -> None:
    out = turn(_asked_category(), text, u=reading(text))
    assert out.state.draft is not None and out.state.draft.party == "company"
    assert "公司、物业或商家" in said(out) and out.state.step != intake.CONFIRM_CLASS


@pytest.mark.parametrize("category, topic, text, party", [
    ("service", "城乡建设", "类别不对 是楼上邻居干的", "person"),  # 邻居 also names 政法: the category was said wrong
    ("petition", "城乡建设", "不对 是物业的问题", "company"),  # 物业 names the topic the matter already has
    ("service", "城乡建设", "不对 门禁是物业管的", "company"),  # 物业管的: whose duty it is, not the department
    ("service", "城乡建设", "不对，这是房东管的", "person"),
])
def test_a_side_named_in_words_that_also_name_a_topic_corrects_the_side(
        category: str, topic: str, text: str, party: str) -> None:
    """They changed only the topic (「好的，改为政法方面。」), and the category stood."""
    state = at_step(IDLE, intake.CONFIRM_CLASS, category=category, topic=topic, category_confidence=0.7)
    out = turn(intake.ask_classification(state, context()).state, text, u=reading(text))
    assert out.state.draft is not None and out.state.draft.party == party and out.state.draft.topic == topic
    assert "好的，改为" not in said(out)


def test_a_side_named_with_the_topic_the_matter_has_asks_no_topic_question() -> None:
    """The topic read at 0.3 was asked after 「门禁是物业管的」, though 物业 had said it."""
    state = at_step(IDLE, intake.CONFIRM_CLASS, category="service", topic="城乡建设", topic_confidence=0.3)
    out = turn(intake.ask_classification(state, context()).state, "不对 门禁是物业管的", u=reading("不对 门禁是物业管的"))
    assert out.state.draft is not None and out.state.draft.category == "dispute" and out.state.step != intake.PICK_TOPIC


@pytest.mark.parametrize("text", ["不对，管的部门不对", "这不是环保局管的"])
def test_the_department_said_wrong_is_still_the_topic(text: str) -> None:
    state = at_step(IDLE, intake.CONFIRM_CLASS, category="service", topic="环境保护", topic_confidence=0.7)
    out = turn(intake.ask_classification(state, context()).state, text, u=reading(text))
    assert out.state.draft is not None and out.state.draft.party is None


def test_a_topic_named_at_the_category_question_still_corrects_the_topic() -> None:
    out = turn(_asked_category(), "不是环保的事，是交通", u=reading("不是环保的事，是交通"))
    assert out.state.draft is not None and out.state.draft.topic == "交通运输"


def test_a_yes_then_a_place_with_its_building_confirms_and_keeps_the_place() -> None:
    out = turn(_asked_category(), "对，在阳光花园3栋", u=reading("对，在阳光花园3栋"))
    assert out.state.draft is not None and out.state.draft.classification_confirmed
    assert out.state.draft.grid_code == "QH01-C01-G03" and out.state.draft.topic == "环境保护"


@pytest.mark.parametrize("text, step", [
    ("先别提交，改下地址", location.ASK), ("电话写错了", contact.CONTACT), ("描述写错了", intake.DESCRIBE),
    ("改类别", intake.PICK_PARTY), ("类别不对", intake.PICK_PARTY),
])
def test_asking_to_change_a_field_at_the_summary_opens_it(text: str, step: str) -> None:
    """Named, the field opens at once; 「电话写错了」 opened the menu of every field."""
    out = turn(_summary(), text, u=reading(text))
    assert out.state.step == step and not out.commands


@pytest.mark.parametrize("text", ["改一下", "我要修改", "不对"])
def test_wanting_a_change_at_the_summary_opens_the_menu(text: str) -> None:
    out = turn(_summary(), text, u=reading(text))
    assert out.state.step == contact.EDIT and not out.commands


def test_a_place_told_instead_of_the_yes_is_kept_and_the_category_asked_again() -> None:
    out = turn(_asked_category(), "阳光花园", u=reading("阳光花园"))
    assert out.state.step == intake.CONFIRM_CLASS and said(out).startswith("好的，地点记下了。")
    out = turn(out.state, "对", u=reading("对"))
    assert out.state.draft is not None and out.state.draft.grid_code == "QH01-C01-G03"


@pytest.mark.parametrize("text", ["我不想暴露身份", "能不能不要让物业知道是我反映的", "别让别人知道是我说的", "匿名吧"])
def test_anonymity_asked_in_the_residents_words_at_the_summary(text: str) -> None:
    state = replace(_summary(), draft=replace(_summary().draft, contact_done=False))
    out = turn(state, text, u=reading(text))
    assert out.state.draft is not None and out.state.draft.anonymous and "联系方式：匿名反映" in said(out)
    assert text not in out.state.draft.parts


def test_more_of_the_problem_told_at_the_place_question_is_kept_and_costs_no_try() -> None:
    asked = location.ask_where(at_step(IDLE, location.ASK, class_done=True), context()).state
    out = turn(asked, "晚上特别黑 老人都摔了", u=reading("晚上特别黑 老人都摔了"))
    assert out.state.draft is not None and out.state.draft.parts[-1] == "晚上特别黑 老人都摔了"
    assert out.state.step == location.ASK and out.state.draft.location_tries == 0 and "已补充" in said(out)
    unknown = turn(asked, "具体在哪我也不知道", u=reading("具体在哪我也不知道"))
    assert unknown.state.draft is not None and "具体在哪我也不知道" not in unknown.state.draft.parts


def test_a_phone_given_along_with_the_place_is_kept() -> None:
    asked = location.ask_where(at_step(IDLE, location.ASK, class_done=True), context()).state
    out = turn(asked, "阳光花园 我手机13912345678", u=reading("阳光花园 我手机13912345678"))
    assert out.state.draft is not None and out.state.draft.grid_code == "QH01-C01-G03"
    assert out.state.draft.phone == "13912345678" and "联系方式：139****5678" in said(out)


@pytest.mark.parametrize("text", ["不用联系我", "不用打电话", "别打电话了"])
def test_no_phone_said_in_the_residents_words_at_the_summary(text: str) -> None:
    state = replace(_summary(), draft=replace(_summary().draft, contact_done=False))
    out = turn(state, text, u=reading(text))
    assert out.state.draft is not None and out.state.draft.contact_done and not out.state.draft.anonymous
    assert out.state.step == contact.SUMMARY and "未留电话（进度在这里通知您）" in said(out)


def test_a_thing_the_description_named_corrected_joins_the_description_and_the_category_stands() -> None:
    text = "不对不对 不是装修 是天天跺脚"
    out = turn(_summary(), text, u=reading(text))
    assert out.state.draft is not None and out.state.draft.parts[-1] == text
    assert out.state.draft.category == "dispute" and "类别已更正" not in said(out) and "已把您的更正补充" in said(out)


def test_correcting_the_phone_and_the_category_at_the_summary() -> None:
    out = turn(_summary(), "电话改成13912345678")
    assert out.state.draft is not None and out.state.draft.phone == "13912345678"
    out = turn(out.state, "不是纠纷，是信访")
    assert out.state.draft is not None and out.state.draft.category == "petition" and "类别：需要政府部门处理的信访事项" in said(out)


def test_why_a_place_was_not_found_is_said_once_not_again_when_the_question_comes_back() -> None:
    asked = location.ask_where(at_step(IDLE, location.ASK, class_done=True), context()).state
    missed = turn(asked, "能不能快点")
    assert "没有从“能不能快点”里看出是哪个地方" in said(missed)
    out = turn(missed.state, "我要补充一下，晚上十点以后还在烤")
    assert "已补充" in said(out) and "能不能快点" not in said(out) and "请告诉我问题发生在哪里" in said(out)


@pytest.mark.parametrize("text", ["补充一下，已经三个月了", "我要补充一下：已经三个月了", "再补充一点，已经三个月了",
                                  "再补充一句，已经三个月了"])
def test_adding_to_the_description_mid_intake(text: str) -> None:
    out = turn(at_step(IDLE, location.ASK, class_done=True), text)
    assert out.state.draft is not None and out.state.draft.parts[-1] == "已经三个月了"
    assert out.state.step == location.ASK


def test_asked_why_a_phone_is_wanted_the_phone_question_says_and_asks_again() -> None:
    state = contact.ask_contact(at_step(IDLE, contact.CONTACT, **{**SUMMARY_FIELDS, "contact_done": False})).state
    out = turn(state, "为什么要我电话？")
    assert "留电话是为了办理人员联系您核实情况" in said(out) and out.state.step == contact.CONTACT


def test_a_correction_at_the_contact_step_is_a_phone_answer_not_a_fix() -> None:
    state = contact.ask_contact(at_step(IDLE, contact.CONTACT, **{**SUMMARY_FIELDS, "contact_done": False})).state
    out = turn(state, "13800138000")
    assert out.state.step == contact.SUMMARY


def test_idle_greeting_thanks_location_and_gibberish() -> None:
    assert "民声诉求受理助手" in said(turn(IDLE, "你好", u=understood("greet")))
    assert "不客气" in said(turn(IDLE, "谢谢"))
    assert "不客气" in said(turn(IDLE, "辛苦你们了")) and "不客气" in said(turn(IDLE, "麻烦大家了"))
    assert "请先告诉我遇到了什么问题" in said(turn(IDLE, location=(28.24, 112.903)))
    assert "没太明白" in said(turn(IDLE, "？"))


def test_a_restart_mid_intake_resumes_from_the_stored_state() -> None:
    state = _summary()
    restored = ConversationState.from_dict(state.to_dict())
    number = 1 + [value for _, value in restored.offered].index("edit")  # the numbered choices survive
    assert turn(restored, str(number)).state.step == contact.EDIT



def test_a_map_point_shared_at_the_summary_moves_the_place() -> None:
    out = turn(_summary(), location=(28.21167, 112.95507))
    assert out.state.draft is not None and out.state.draft.grid_code == "QH02-C02-G01"
    assert out.state.step == contact.SUMMARY and "白溪街道桃源社区第1网格" in said(out)


def test_the_summary_offers_a_phone_without_a_question_of_its_own() -> None:
    """No turn is spent on the phone: the summary says how to add one, or to stay anonymous."""
    state = _summary_without_contact()
    assert state.step == contact.SUMMARY and "直接回复手机号" in state.question
    assert ("匿名反映", "anonymous") in state.offered
    given = turn(state, "13800138000")
    assert given.state.draft.phone == "13800138000" and given.state.step == contact.SUMMARY
    assert "138****8000" in said(given) and "直接回复手机号" not in said(given)
    hidden = turn(state, "匿名反映")
    assert hidden.state.draft.anonymous and "联系方式：匿名反映" in said(hidden)
    declined = turn(state, "不留")
    assert declined.state.step == contact.SUMMARY and declined.state.draft.phone is None
    assert "不留电话也可以受理" in said(declined) and "直接回复手机号" not in said(declined)
    filed = turn(state, "确认提交")
    assert filed.state.step == contact.SUBMITTED and filed.commands[0].phone is None


def test_contact_can_still_be_asked_from_the_edit_menu() -> None:
    edit = turn(_summary_without_contact(), "修改").state
    number = 1 + [value for _, value in edit.offered].index("contact")
    asked = turn(edit, str(number))
    assert asked.state.step == contact.CONTACT and "请留下手机号码" in said(asked)


def _summary_without_contact() -> ConversationState:
    fields = {**SUMMARY_FIELDS, "contact_done": False}
    return contact.ask_summary(at_step(IDLE, contact.SUMMARY, **fields), context()).state


def _photo(state: ConversationState, where: str) -> Outcome:
    return step(state, Inbound("test", "resident-1", "p", attachment=where), understood(), context())


def test_a_photo_first_starts_a_complaint_and_asks_for_words() -> None:
    out = _photo(IDLE, "http://pics.example/1.jpg")
    assert out.state.step == intake.DESCRIBE and out.state.draft is not None
    assert out.state.draft.attachments == ("http://pics.example/1.jpg",) and "用文字" in said(out)
    words = turn(out.state, "小区门口路灯坏了一个多月了", u=understood(category="service", topic="城乡建设"))
    assert words.state.draft is not None and words.state.draft.attachments == ("http://pics.example/1.jpg",)


def test_a_photo_mid_intake_is_kept_and_the_question_stays_on_screen() -> None:
    state = _summary()
    out = _photo(state, "wechat-media:m2")
    assert out.state.step == contact.SUMMARY and out.state.draft is not None
    assert out.state.draft.attachments == ("wechat-media:m2",)
    assert out.replies[-1].text == state.question and "收到图片" in out.replies[0].text
    filed = turn(out.state, choice="submit")
    assert filed.commands[0].attachments == ("wechat-media:m2",)  # type: ignore[attr-defined]


def test_a_complaint_about_something_withdrawn_starts_an_intake_not_a_withdrawal() -> None:
    out = turn(ConversationState(), "小区的快递柜撤销了，取快递很不方便", u=understood(category="service", topic="商贸旅游"))
    assert out.state.draft is not None and "撤销" in out.state.draft.text and "没有可以撤销的诉求" not in said(out)


def _read(text: str) -> Understanding:
    """The real intent reader's reading, with a complaint's category and topic."""
    return replace(reading(text), category=Guess("service", 0.8), topic=Guess("城乡建设", 0.8))


@pytest.mark.parametrize("text", ["楼下一般晚上十点后还很吵", "对物业很不满意，电梯又坏了", "小区保安服务太差了",
                                  "食堂饭菜质量极差"])
def test_a_complaint_with_a_rating_word_from_a_resident_with_nothing_to_rate_starts_an_intake(text: str) -> None:
    out = turn(ConversationState(), text, u=_read(text))
    assert out.state.draft is not None and out.state.draft.text == text and "没有待评价" not in said(out)


@pytest.mark.parametrize("text", [
    "没有热水已经三天了", "不让我们在小区里停车", "别人家的狗天天乱叫", "错收了我家水费", "嗯，楼上漏水", "是物业乱收费",
    "修路工程进度太慢了", "公积金查询不到缴费记录", "希望派人来检查下水管", "楼道里堆满杂物有人管吗", "路灯一直是闪烁状态",
    "公园的人工湖水发臭了", "老人不会用智能手机挂号", "医保卡怎么用不了了", "help 水管爆了", "路灯坏了谢谢",
    "补充医疗保险报销太慢", "补充一下，我们小区电梯坏了", "我家低保被撤销了", "车位被取消了",
])
def test_a_first_message_that_describes_a_problem_starts_an_intake_whatever_words_it_uses(text: str) -> None:
    """Found by a tester: each of these was answered as a yes or no, a status question, a call for help,
    thanks, an addition or a withdrawal, and the complaint was lost."""
    out = turn(ConversationState(), text, u=_read(text))
    assert out.state.draft is not None and out.state.draft.parts == (text,), said(out)


@pytest.mark.parametrize("text, reply", [("查询进度", "还没有在这里反映过问题"), ("转人工", "我可以帮您"),
                                         ("好的谢谢", "不客气"), ("不是", "还有什么需要帮忙的"),
                                         ("撤销", "没有可以撤销的诉求"), ("补充", "没有正在办理的诉求")])
def test_the_errands_themselves_are_still_errands(text: str, reply: str) -> None:
    out = turn(ConversationState(), text, u=_read(text))
    assert out.state.draft is None and reply in said(out)


@pytest.mark.parametrize("step", [intake.CONFIRM_CLASS, intake.PICK_WANT, intake.PICK_PARTY])
def test_a_phone_given_at_a_category_question_is_kept_and_the_question_asked_again(step: str) -> None:
    """「电话改成138…」 at 「您希望怎么解决？」 joined the description, and the category was asked afresh."""
    state = at_step(IDLE, step, parts=("物业乱收停车费",), category="dispute", topic="城乡建设", party="company")
    out = turn(replace(state, question="您希望怎么解决？"), "电话改成13812345678", u=reading("电话改成13812345678"))
    assert out.state.draft is not None and out.state.draft.phone == "13812345678"
    assert out.state.draft.parts == ("物业乱收停车费",) and out.state.step == step
    assert said(out).startswith("好的，联系电话记为 138****5678。")


@pytest.mark.parametrize("text", ["转人工", "我要人工客服"])
def test_asking_for_a_person_says_there_is_none_behind_the_chat_and_where_one_is(text: str) -> None:
    out = turn(IDLE, text, u=reading(text))
    assert "不能直接转接人工" in said(out) and "12345" in said(out) and out.state.draft is None


def test_a_complaint_in_another_language_is_taken_as_written_and_said_to_be() -> None:
    text = "The street light outside my building is broken"
    out = turn(IDLE, text, u=reading(text))
    assert out.state.draft is not None and out.state.draft.text == text and said(out).startswith("提示：目前只能识别中文")
    assert not said(turn(IDLE, "路灯坏了一个星期了", u=reading("路灯坏了一个星期了"))).startswith("提示")


@pytest.mark.parametrize("asked", ["要多久？", "要多久能有答复？", "大概几天能处理好", "多长时间", "你们多久能处理完",
                                   "要等多久", "几天能来人？"])
def test_how_long_during_an_intake_is_answered_with_its_time_limit(asked: str) -> None:
    out = turn(_summary(), asked, u=reading(asked))
    assert "需要调解的矛盾纠纷一般在 15 天内办结" in said(out) and "确认无误" in out.replies[-1].text
    assert out.state.step == contact.SUMMARY and out.state.draft == _summary().draft


def test_how_long_before_the_category_is_known_says_so() -> None:
    state = at_step(IDLE, location.ASK, class_done=True)
    state = replace(state, draft=replace(state.draft, category=None))
    out = turn(state, "要多久", u=reading("要多久"))
    assert "要等工作人员确定类别后才知道" in said(out) and out.state.step == location.ASK


DOG = Case(number="MS-20261127-0007", text="邻居家的狗天天半夜叫，吵得睡不着", channel="test", user_ref="resident-1",
           category="dispute", status=Status.DISPATCHED, department="W-QH01-C01-G01")
WAGES = Case(number="MS-20261127-0008", text="老板拖欠我三个月工资不给", channel="test", user_ref="resident-1",
             category="dispute", status=Status.PENDING_REVIEW, department="QH-DISPATCH")


@pytest.mark.parametrize(("text", "number"), [("我想撤销之前那个狗的投诉，已经和邻居说好了", DOG.number),
                                              ("工资那个事我想撤销，老板已经给了", WAGES.number),
                                              ("帮我把拖欠工资那件撤回吧，钱已经拿到了", WAGES.number)])
def test_withdrawing_a_case_in_a_sentence_with_its_reason_asks_to_confirm_that_case(text: str, number: str) -> None:
    out = turn(IDLE, text, u=reading(text), ctx=context((DOG, WAGES)))
    assert out.state.step == "cancel_confirm" and out.state.case_number == number and out.state.draft is None
    assert f"确定要撤销诉求 {number}" in said(out)


@pytest.mark.parametrize("text", ["公交公司取消了23路公交车，出行很不方便", "我想取消物业强制收的停车费，太不合理了",
                                  "社区把我的低保取消了", "物业撤销了我的车位", "我想投诉物业取消了小区的公交站"])
def test_a_complaint_that_uses_the_words_is_still_a_complaint(text: str) -> None:
    out = turn(IDLE, text, u=reading(text), ctx=context((DOG,)))
    assert out.state.draft is not None and out.state.step != "cancel_confirm"


ALLOWANCE = Case(number="MS-20261127-0005", text="想申请低保，需要准备什么材料", channel="test", user_ref="resident-1",
                 category="service", status=Status.DISPATCHED, department="C-QH01-C01")


@pytest.mark.parametrize("text", ["我那个低保的要多久啊，能不能快点", "低保那个还要多久", "低保那个咋还没消息",
                                  "我那个低保啥时候能批下来？", "低保的事能不能催一下", "之前问的低保 到底多久能办好"])
def test_pressing_on_a_case_in_its_own_words_shows_its_status(text: str) -> None:
    out = turn(IDLE, text, u=reading(text), ctx=context((ALLOWANCE,)))
    assert out.state.draft is None and shown_or_chased(out, ALLOWANCE.number)


def shown_or_chased(out: Outcome, number: str) -> bool:
    """The case's status said, or a 催办 for it (whose reply, with the status, follows the command)."""
    chased = [(c.number, c.chase) for c in out.commands if isinstance(c, AddInfo)]
    return number in said(out) or chased == [(number, True)]


def test_how_long_without_a_case_of_that_kind_is_a_complaint() -> None:
    text = "小区门口的路灯坏了要多久才能修好"
    out = turn(IDLE, text, u=reading(text), ctx=context((ALLOWANCE,)))
    assert out.state.draft is not None


@pytest.mark.parametrize("text", ["你们是机器人吗？能不能转人工", "我要找人工客服", "有没有真人"])
def test_asking_for_a_person_is_told_where_one_is_and_starts_no_complaint(text: str) -> None:
    out = turn(IDLE, text, u=reading(text))
    assert "12345" in said(out) and out.state.draft is None


def test_asking_for_a_person_mid_intake_keeps_the_question() -> None:
    out = turn(_summary(), "不是！我要找人工客服", u=reading("不是！我要找人工客服"))
    assert "12345" in said(out) and out.state.step == contact.SUMMARY and out.state.draft == _summary().draft


@pytest.mark.parametrize("text", ["你们是谁", "你们是哪个部门的"])
def test_asking_who_answers_is_told(text: str) -> None:
    out = turn(at_step(IDLE, location.ASK, class_done=True), text, u=reading(text))
    assert "谁主管、谁负责" in said(out) and out.state.step == location.ASK


def test_a_complaint_about_a_hotline_is_a_complaint() -> None:
    text = "12345客服电话一直打不通，反映的路灯问题也没人管"
    out = turn(IDLE, text, u=reading(text))
    assert out.state.draft is not None


@pytest.mark.parametrize("text", ["找物业客服没人理", "物业修水管要人工费200元", "你们是干什么的？路灯坏了半个月了",
                                  "小区电梯坏了要多久才能修好", "楼上天天跺脚很吵，麻烦催一下物业"])
def test_a_complaint_that_mentions_a_person_a_question_or_a_delay_is_a_complaint(text: str) -> None:
    """Found by a reviewer: each of these was answered as a call for a person, a question to the bot or a
    status look-up of another case, and the complaint was lost."""
    out = turn(IDLE, text, u=reading(text), ctx=context((ALLOWANCE,)))
    assert out.state.draft is not None


@pytest.mark.parametrize("text", ["把我的诉求取消了吧", "把投诉撤销了，谢谢"])
def test_asking_to_cancel_ones_only_case_with_ba_asks_to_confirm_it(text: str) -> None:
    out = turn(IDLE, text, u=reading(text), ctx=context((ALLOWANCE,)))
    assert out.state.step == "cancel_confirm" and out.state.case_number == ALLOWANCE.number
