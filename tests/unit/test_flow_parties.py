"""「这件事主要是和谁之间的问题？」 answered as residents answer it, and the category each answer gives."""

from dataclasses import replace

import pytest

from flows import intake, location
from flows.parties import read_ask, read_party
from flows.state import ConversationState
from flows.understanding import Guess
from nlu.guide import GuideRules
from tests.conversations.kit import context, said, turn, understood, values

PARTY_ANSWERS = {
    "person": ("跟楼上邻居", "邻居", "和楼下那家", "隔壁的", "我老公", "和家里人闹的", "跟我婆婆", "房东", "租客不交房租",
               "对门邻居", "和我前妻", "亲戚之间"),
    "company": ("物业公司", "物业", "跟老板", "老板拖欠工资", "开发商", "楼下饭店", "商家", "一家公司", "装修公司",
                "私立学校", "厂里的老板", "中介", "培训机构不退费"),
    "government": ("街道办不管", "街道办", "政府部门", "社区居委会", "城管", "公立医院", "学校", "派出所不作为",
                   "劳动局", "要政府管", "有关部门"),
    "none": ("就是想问问怎么办", "没有对方", "没对方", "咨询一下", "想了解一下政策", "就是报修", "路灯坏了", "想办个证怎么办理",
             "跟谁都没关系", "求助"),
}
# Near-misses: words that only look like an answer, a denied side, or two sides at once.
NOT_AN_ANSWER = ("不是邻居", "公园门口", "大家", "公告", "局面", "街上", "谁", "对面", "不知道啊", "物业和邻居都有",
                 "邻居家开的店", "社区的路灯坏了", "你们看着办", "？？", "")
ASK_ANSWERS = {
    "mediation": ("让他赔钱", "退钱", "要回工资", "让对方道歉", "让他们别再吵了", "调解一下", "给个说法", "按合同赔偿",
                  "叫他们别吵了", "让他把车挪走"),
    "enforcement": ("请城管来拆掉", "查处", "依法处理", "让有关部门管一管", "罚款", "关停这个厂", "取缔", "要求整治",
                    "报警", "报警 让警察来抓", "让公安来查", "把这个店关了"),
}


@pytest.mark.parametrize(("party", "answer"), [(p, a) for p, answers in PARTY_ANSWERS.items() for a in answers])
def test_every_way_of_naming_the_other_side_is_read(party: str, answer: str) -> None:
    assert read_party(answer) == party


def test_each_option_is_tested_with_at_least_eight_phrasings() -> None:
    assert all(len(answers) >= 8 for answers in (*PARTY_ANSWERS.values(), *ASK_ANSWERS.values()))


@pytest.mark.parametrize("answer", NOT_AN_ANSWER)
def test_near_misses_name_no_side(answer: str) -> None:
    assert read_party(answer) is None


def test_a_denied_side_gives_way_to_the_one_named_after_it() -> None:
    assert read_party("不是邻居，是物业") == "company"
    assert read_party("不是纠纷，是要政府管") == "government"


@pytest.mark.parametrize(("ask", "answer"), [(k, a) for k, answers in ASK_ANSWERS.items() for a in answers])
def test_every_way_of_saying_what_should_happen_is_read(ask: str, answer: str) -> None:
    assert read_ask(answer) == ask


@pytest.mark.parametrize("answer", ("都行", "不知道", "随便", "好的", "？"))
def test_no_request_in_a_non_answer(answer: str) -> None:
    assert read_ask(answer) is None


NOISE = "楼上邻居天天半夜装修，吵得睡不着觉"


def _asked(u_category: str = "service", confidence: float = 0.3, **understanding: object) -> ConversationState:
    u = replace(understood(category=u_category, category_confidence=confidence, topic="城乡建设"), **understanding)
    out = turn(ConversationState(), NOISE, u=u)
    return out.state


@pytest.mark.parametrize(("answer", "category"), [
    ("1", "dispute"), ("2", "dispute"), ("3", "petition"), ("4", "service"),
    ("跟楼上邻居", "dispute"), ("物业公司", "dispute"), ("街道办不管", "petition"), ("就是想问问怎么办", "service"),
    ("是信访", "petition"),
])
def test_the_answer_gives_the_category_the_guide_implies(answer: str, category: str) -> None:
    state = _asked()
    assert state.step == intake.PICK_PARTY
    out = turn(state, answer)
    assert out.state.draft is not None and out.state.draft.category == category
    assert out.state.draft.classification_confirmed and out.state.step in location.STEPS
    assert "这属于" in said(out)


def test_a_tapped_button_counts_like_the_words() -> None:
    out = turn(_asked(), choice="government")
    assert out.state.draft is not None and out.state.draft.category == "petition"
    assert "需要政府部门处理的信访事项" in said(out)


def test_not_knowing_leaves_the_category_to_staff() -> None:
    out = turn(_asked(), "说不清楚")
    assert out.state.draft is not None and not out.state.draft.classification_confirmed
    assert out.state.draft.category is None  # filed unclassified, the case waits for a dispatcher
    assert "工作人员会帮您判断类别" in said(out)


def test_an_unreadable_answer_is_asked_again_with_examples() -> None:
    out = turn(_asked(), "嗯")
    assert out.state.step == intake.PICK_PARTY and "邻居" in said(out) and out.state.misses == 1


def test_a_company_when_the_model_leans_to_a_public_body_asks_what_is_wanted_once() -> None:
    state = _asked("petition", 0.4)
    asked = turn(state, "工厂")
    assert asked.state.step == intake.PICK_WANT and "您希望怎么解决？" in said(asked)
    assert values(asked) == ["mediation", "enforcement", "unknown"]
    done = turn(asked.state, "请环保部门来查处")
    assert done.state.draft is not None and done.state.draft.category == "petition"
    settle = turn(asked.state, "1")
    assert settle.state.draft is not None and settle.state.draft.category == "dispute"
    unsure = turn(asked.state, "说不清")
    assert unsure.state.draft is not None and unsure.state.draft.category == "dispute"


def test_what_the_answer_itself_asks_is_not_asked_again() -> None:
    out = turn(_asked("petition", 0.3), "跟房东，押金一直不退")
    assert out.state.draft is not None and out.state.draft.category == "dispute" and out.state.step in location.STEPS
    out = turn(_asked("petition", 0.3), "隔壁工厂，希望有关部门查处")
    assert out.state.draft is not None and out.state.draft.category == "petition" and out.state.step in location.STEPS


def test_a_company_without_a_lean_to_a_public_body_is_a_dispute_at_once() -> None:
    out = turn(_asked("service", 0.4), "物业")
    assert out.state.draft is not None and out.state.draft.category == "dispute"
    assert "和公司、物业或商家之间的矛盾纠纷" in said(out)


def test_what_the_message_shows_is_not_asked_again() -> None:
    u = understood(category="service", category_confidence=0.3, topic="城乡建设")
    u = replace(u, party=Guess("company", 0.9), party_words="物业")
    out = turn(ConversationState(), "物业收了钱不干活，电梯坏了一个月", u=u)
    assert out.state.step == intake.CONFIRM_CLASS
    assert "和谁之间" not in said(out) and "属于和物业之间的矛盾纠纷（城乡建设方面），对吗？" in said(out)
    yes = turn(out.state, "对", u=understood("affirm"))
    assert yes.state.draft is not None and yes.state.draft.category == "dispute" and yes.state.draft.classification_confirmed


def test_a_named_side_that_does_not_decide_asks_only_what_is_wanted_and_says_what_it_saw() -> None:
    u = understood(category="petition", category_confidence=0.4, topic="环境保护")
    u = replace(u, party=Guess("company", 0.9), party_words="化工厂")
    out = turn(ConversationState(), "村口的化工厂天天晚上偷排废水，河都黑了", u=u)
    assert out.state.step == intake.PICK_WANT and "您提到了“化工厂”" in said(out)


def test_a_request_for_enforcement_in_the_message_decides_whoever_the_other_side_is() -> None:
    u = understood(category="dispute", category_confidence=0.4, topic="城乡建设")
    u = replace(u, party=Guess("person", 0.9), party_words="邻居", ask=Guess("enforcement", 0.9), ask_words="拆除")
    out = turn(ConversationState(), "邻居在楼顶加盖违建，要求有关部门拆除", u=u)
    assert out.state.step == intake.CONFIRM_CLASS and "需要政府部门处理的信访事项" in said(out)


def test_a_request_alone_skips_the_question_only_when_it_says_nobody_is_on_the_other_side() -> None:
    repair = replace(understood(category=None, topic="城乡建设"), ask=Guess("repair", 0.8), ask_words="坏了")
    out = turn(ConversationState(), "小区门口的路灯坏了一个星期了", u=repair)
    assert out.state.step == intake.CONFIRM_CLASS and "属于需要办理的便民服务（城乡建设方面），对吗？" in said(out)
    blame = replace(understood(category=None, topic="城乡建设"), ask=Guess("correction", 0.8), ask_words="没人管")
    out = turn(ConversationState(), "地下车库的灯坏了一大半，交了钱没人管", u=blame)
    assert out.state.step == intake.PICK_PARTY
    nobody = turn(out.state, "4")
    assert nobody.state.draft is not None and nobody.state.draft.category == "service"


def test_a_district_may_decide_a_borderline_differently_in_configuration() -> None:
    guide = GuideRules.from_section({"party_category": {"company": "petition"}})
    ctx = context()
    ctx = replace(ctx, config=replace(ctx.config, guide=guide))
    state = turn(ConversationState(), NOISE, u=understood(category="service", category_confidence=0.3), ctx=ctx).state
    out = turn(state, "物业", ctx=ctx)
    assert out.state.draft is not None and out.state.draft.category == "petition"


def test_the_summary_edit_asks_the_same_way_and_shows_the_category_in_plain_words() -> None:
    state = turn(_asked(), "邻居").state
    assert state.draft is not None
    summary = turn(turn(state, "幸福里").state, "不留").state
    assert summary.step == "summary" and "类别：和邻居或家人之间的矛盾纠纷（城乡建设）" in summary.question
    edit = turn(turn(summary, "修改").state, "类别")
    assert edit.state.step == intake.PICK_PARTY and "这件事主要是和谁之间的问题？" in said(edit)
    back = turn(edit.state, "4")
    assert back.state.step == "summary" and "类别：需要办理的便民服务（城乡建设）" in said(back)


def test_a_conversation_stored_at_the_old_category_list_still_reads_its_answer() -> None:
    state = replace(_asked(), step=intake.PICK_CATEGORY,
                    offered=(("矛盾纠纷", "dispute"), ("便民服务", "service"), ("信访事项", "petition"), ("说不清", "unknown")))
    out = turn(state, "3")
    assert out.state.draft is not None and out.state.draft.category == "petition"


@pytest.mark.parametrize(("text", "category"), [
    ("不是纠纷，是要政府管", "petition"), ("不对，这是信访", "petition"), ("不是信访，是便民服务", "service"),
    ("不对，是邻里纠纷", "dispute"), ("不是纠纷", None), ("不是环保吧，是邻居之间的事", None),  # the last: a topic
])
def test_a_category_corrected_in_words_may_name_the_other_side_instead(text: str, category: str | None) -> None:
    assert intake.category_named(text) == category


def test_not_a_dispute_but_for_the_government_at_the_summary_files_a_petition() -> None:
    state = turn(_asked(), "邻居").state
    summary = turn(turn(state, "幸福里").state, "不留").state
    out = turn(summary, "不是纠纷，是要政府管")
    assert out.state.draft is not None and out.state.draft.category == "petition"
    assert "类别：需要政府部门处理的信访事项" in said(out)


def test_a_request_only_seen_in_the_message_does_not_overrule_the_side_the_resident_named() -> None:
    u = replace(understood(category="dispute", category_confidence=0.3, topic="城乡建设"), ask=Guess("correction", 0.8),
                ask_words="没人管")
    state = turn(ConversationState(), "地下车库的灯坏了一大半，交了钱没人管", u=u).state
    assert state.step == intake.PICK_PARTY
    asked = turn(state, "物业公司")
    assert asked.state.step == intake.PICK_WANT
    out = turn(asked.state, "让他们赶紧修好")
    assert out.state.draft is not None and out.state.draft.category == "dispute"


def test_the_answers_survive_a_restart() -> None:
    asked = turn(_asked("petition", 0.4), "工厂").state
    stored = ConversationState.from_dict(asked.to_dict())
    assert stored == asked and stored.draft is not None and stored.draft.party == "company"
    out = turn(stored, "2")
    assert out.state.draft is not None and out.state.draft.category == "petition" and out.state.draft.want == "enforcement"
