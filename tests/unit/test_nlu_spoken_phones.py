"""Phone numbers read out digit by digit, as transcribers write them, and the detail said after a place."""

import pytest

from nlu.entities import extract_entities, national, phones, place_with_detail


@pytest.mark.parametrize(("said", "number"), [
    ("幺五九，零一二三，四五六七", "+8615901234567"),
    ("一五九、零一二三、四五六七", "+8615901234567"),
    ("幺八六 两两三三 拐拐八八", "+8618622337788"),
    ("幺三九-洞洞勾勾-八八六六", "+8613900998866"),
    ("幺三八 1234 五六七八", "+8613812345678"),  # half written, half said
    ("零幺零，一二三四，五六七八", "+861012345678"),  # Beijing landline with its area code
    ("洞七五五 八八六六 一二三四", "+8675588661234"),
])
def test_spoken_digits_with_pauses_are_a_phone_number(said: str, number: str):
    text = f"我的电话是{said}，谢谢"
    found = phones(text)
    assert [(p.text, p.value) for p in found] == [(said, number)]
    assert text[found[0].start : found[0].end] == said


@pytest.mark.parametrize("said", [
    "幺二零，一二三四，五六七八",  # no mobile starts 12
    "幺五九，零一二三，四五六",  # ten digits
    "幺五九，零一二三，四五六七八",  # twelve digits, not a landline either
    "八八六六，一二三四",  # a local number without its area code
    "一二三四五六七",
    "三十一二三四五六七八九零",  # a quantity runs into it
])
def test_digits_that_are_not_a_valid_number_are_not_a_phone(said: str):
    assert phones(f"号码{said}。") == []


def test_two_numbers_said_one_after_the_other_are_both_found():
    text = "手机幺五九，零一二三，四五六七，家里零幺零，一二三四，五六七八"
    assert [p.value for p in phones(text)] == ["+8615901234567", "+861012345678"]


def test_every_channel_gets_spoken_numbers_through_the_entity_extractor():
    text = "楼上漏水十天了，您打幺五九零一二三四五六七找我"
    assert [(e.type, e.value) for e in extract_entities(text) if e.type == "phone"] == [("phone", "+8615901234567")]


@pytest.mark.parametrize(("e164", "digits"), [("+8615901234567", "15901234567"), ("+861012345678", "01012345678"),
                                                ("+8675588661234", "075588661234")])
def test_national_digits_are_what_the_phone_field_accepts(e164: str, digits: str):
    assert national(e164) == digits


@pytest.mark.parametrize(("text", "place", "address"), [
    ("我们幸福里3号楼地下车库入口积水一个星期了", "幸福里3号楼", "幸福里3号楼地下车库入口"),
    ("幸福里三号楼二单元５０１室楼上漏水", "幸福里", "幸福里三号楼二单元５０１室"),
    ("书香门第北门旁边的早餐店占道", "书香门第", "书香门第北门旁边"),
    ("青禾路128号的门口堆满了建筑垃圾", "青禾路128号", "青禾路128号的门口"),
    ("翠湖苑B座负一层停车场的灯不亮", "翠湖苑", "翠湖苑B座负一层停车场"),
    ("幸福里的物业不管事", "幸福里", "幸福里"),  # 的 + something that is no place detail
    ("幸福里10天没收垃圾了", "幸福里", "幸福里"),  # a number that counts days, not floors
    ("幸福里，楼上漏水", "幸福里", "幸福里"),
])
def test_the_address_keeps_the_detail_said_after_the_place(text: str, place: str, address: str):
    start = text.index(place)
    assert place_with_detail(text, start, start + len(place)) == address
