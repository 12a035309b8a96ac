"""The guide's structure: who the other side is and what is asked, read as spans, mapped by configuration."""

import pytest

from flows.nlu_adapter import understand
from nlu.cues import FEATURES, main_ask, main_party, shared_reader, vector
from nlu.guide import GuideRules
from nlu.segment import make_tokenizer, tokens
from tests.fixtures.nlu import tiny_analyzer


@pytest.fixture(scope="module")
def read():
    tokenizer = make_tokenizer()
    return lambda text: shared_reader().read(text, tokens(tokenizer, text))


def labels(cues, kind):
    return [(c.label, c.text) for c in cues if c.kind == kind]


@pytest.mark.parametrize("text, party", [
    ("楼上邻居天天半夜跺脚，说了也不听", "person"),
    ("和房东说好押金退一半，现在不认了", "person"),
    ("物业公司收了停车费却不管车位被占", "company"),
    ("工地的包工头欠我们三个月的钱", "company"),
    ("街道办一直不管楼下的违建", "government"),
    ("举报给城管三个月了，城管推诿扯皮", "government"),
    ("我向街道办反映了好几次都没人管", "government"),
    ("物业说没钱修", "company"),
])
def test_the_other_side_is_read_from_the_words(read, text, party):
    assert main_party(read(text)).label == party


@pytest.mark.parametrize("text, party, words", [
    ("楼下超市卖过期的牛奶，还不给退", "company", "超市"),
    ("隔壁那家饭店的油烟天天往我家飘", "company", "饭店"),
    ("楼下新开的超市半夜卸货", "company", "超市"),
    ("楼下烧烤摊天天营业到凌晨两点", "company", "烧烤摊"),
    ("楼下天天吵得睡不着", "person", "楼下"),
    ("隔壁社区的人天天来我们小区倒垃圾", "person", "隔壁"),  # a place before a public body is still the neighbours
    ("楼下，物业一直不管他们", "person", "楼下"),  # a clause apart: 楼下 is the neighbour, 物业 who did nothing
])
def test_a_position_before_a_party_only_says_where_it_is(read, text, party, words):
    found = main_party(read(text))
    assert (found.label, found.text) == (party, words)


def test_a_public_body_addressed_is_not_the_other_side(read):
    cues = read("恳请有关部门帮忙协调一下楼上邻居漏水的事")
    assert ("government_addressed", "有关部门") in labels(cues, "party")
    assert main_party(cues).label == "person"


def test_a_public_body_merely_named_is_told_apart_from_one_complained_of(read):
    named = read("我在区政府旁边开了家小店")
    complained = read("区政府一直不兑现补偿")
    assert labels(named, "party") == [("government_named", "区政府")]
    assert main_party(named) is None
    assert ("government", "区政府") not in labels(named, "party")
    assert main_party(complained).label == "government"


@pytest.mark.parametrize("text, ask", [
    ("请问办理居住证需要什么材料", "information"),
    ("小区门口的路灯坏了一个星期", "repair"),
    ("老板拖欠工资不给", "payment"),
    ("请依法查处这家无证经营的小作坊", "enforcement"),
    ("建议在学校门口增设一个红绿灯", "policy"),
])
def test_what_is_asked_is_read_from_the_words(read, text, ask):
    assert main_ask(read(text), GuideRules().overriding_asks).label == ask


def test_a_repair_nobody_did_names_no_other_side(read):
    """「没人管」 after a broken light names nobody, and the old people it bothers are not a party."""
    cues = read("路灯坏了好久没人管，家里老人晚上出门不方便")
    assert main_party(cues) is None
    assert "repair" in {c.label for c in cues if c.kind == "ask"}


def test_spans_point_at_the_residents_words(read):
    text = "您好，我家楼下 邻居的空调一直滴水"
    for cue in read(text):
        assert text[cue.start : cue.end] == cue.text


def test_the_feature_vector_marks_what_was_found(read):
    cues = read("物业不给修路灯")
    found = vector({f"{c.kind}:{c.label}" for c in cues})
    assert found[FEATURES.index("party:company")] == 1
    assert found[FEATURES.index("ask:repair")] == 1
    assert found.sum() == len({(c.kind, c.label) for c in cues})


def test_empty_and_emoji_only_messages_have_no_cues(read):
    assert read("") == []
    assert read("😡😡😡") == []


def test_the_guide_maps_party_and_ask_to_a_category():
    rules = GuideRules()
    assert rules.implied("person") == "dispute"
    assert rules.implied("company") == "dispute"
    assert rules.implied("government") == "petition"
    assert rules.implied("none") == "service"
    assert rules.implied("company", "enforcement") == "petition"  # reporting a polluting factory
    assert rules.implied("company", "payment") == "dispute"
    assert rules.implied(None, "repair") == "service"
    assert rules.implied(None, None) is None


def test_a_district_changes_a_borderline_rule_in_configuration():
    rules = GuideRules.from_section({"party_category": {"company": "petition"}, "overriding_asks": ["policy"]})
    assert rules.implied("company") == "petition"
    assert rules.implied("person", "enforcement") == "dispute"  # enforcement no longer overrides
    assert rules.implied("government") == "petition"


@pytest.mark.parametrize("section, words", [
    ({"party_category": {"company": "纠纷"}}, "取值必须是"),
    ({"party_category": {"robot": "dispute"}}, "未知的键"),
    ({"overriding_asks": ["magic"]}, "未知的诉求类型"),
    ({"rules": {}}, "未知配置项"),
])
def test_invalid_category_configuration_is_refused_in_chinese(section, words):
    with pytest.raises(ValueError, match=words):
        GuideRules.from_section(section)


def test_the_districts_rules_pick_the_main_ask_the_dialogue_hears():
    """Under the shipped guide enforcement decides by itself; a district that says it does not gets
    the ask the resident ended with."""
    text = "隔壁饭店油烟很大，请依法查处，希望他们赔偿我家的损失"
    assert understand(tiny_analyzer(), text).ask.label == "enforcement"
    local = GuideRules.from_section({"overriding_asks": ["policy"]})
    assert understand(tiny_analyzer(), text, local).ask.label == "mediation"
