"""The complaint the console pre-fills: the caller's substance, without courtesy, the operator or the number."""

import time

import pytest

from nlu.transcripts import parse_transcript, substance

CALL = """[00:00:02] 坐席：您好，12345市民热线，请讲。
[00:00:05] 市民：喂，你好，我要反映一下，楼道里的灯坏了半个月，晚上老人上下楼摔过一次。
[00:00:19] 坐席：请问您的联系电话？
[00:00:22] 市民：我电话是幺三九，八七六五，四三二一。
[00:00:30] 坐席：好的，已为您登记，我们会转交相关部门处理。
[00:00:36] 市民：好的好的，谢谢你们啊，再见。"""


def test_a_labelled_call_keeps_only_what_the_caller_reported():
    t = parse_transcript(CALL)
    assert t.complaint == "楼道里的灯坏了半个月，晚上老人上下楼摔过一次。"
    assert "幺三九" in t.caller_text and "喂" in t.caller_text  # the evidence the NLU reads is left whole


def test_an_unlabelled_paste_is_cut_the_same_way():
    said = "喂，您好，是12345吗？是这样的，菜市场门口的下水道堵了，污水漫到人行道上。电话13812345678。好，谢谢啊。"
    assert parse_transcript(said).complaint == "菜市场门口的下水道堵了，污水漫到人行道上。"


@pytest.mark.parametrize(("said", "kept"), [
    ("你好你好，公园的健身器材坏了，好的谢谢", "公园的健身器材坏了。"),  # a closing after a comma ends the sentence
    ("嗯嗯，对对对，就是那个路口的红绿灯不亮", "就是那个路口的红绿灯不亮"),
    ("有个事想反映一下，隔壁工地晚上十二点还在施工。没有别的事了，麻烦你们了！", "隔壁工地晚上十二点还在施工。"),
    ("早上好，在吗？我想咨询一下，孩子上学的户口要怎么迁。那就这样，拜拜", "孩子上学的户口要怎么迁。"),
    ("麻烦你们尽快派人处理，谢谢", "麻烦你们尽快派人处理。"),  # a request is substance; only the bare thanks go
    ("说了好几次了，物业就是不管", "说了好几次了，物业就是不管"),  # 好 inside a sentence is not courtesy
])
def test_courtesy_clauses_go_whatever_their_wording(said: str, kept: str):
    assert substance(said) == kept


@pytest.mark.parametrize("said", [
    "下水道堵了，我的手机号码是13812345678",
    "下水道堵了，电话 138-1234-5678。",
    "下水道堵了。家里座机是零幺零，一二三四，五六七八",
    "下水道堵了，联系方式幺三八 一二三四 五六七八",
    "下水道堵了。13812345678，备用号码13987654321",  # a second number and what led to it (staff-pages tester)
    "下水道堵了，有事打我手机13812345678或者13987654321",
])
def test_the_phone_number_and_what_led_to_it_are_left_to_the_phone_field(said: str):
    assert substance(said).rstrip("。") == "下水道堵了"


@pytest.mark.parametrize(("said", "kept"), [("下水道堵了，能不能换一下？姓李。", "下水道堵了，能不能换一下？"),
                                          ("我叫王小明，下水道堵了", "下水道堵了"),
                                          ("姓王的邻居天天吵", "姓王的邻居天天吵")])
def test_a_clause_that_only_gives_the_name_is_left_to_the_name_field(said: str, kept: str):
    assert substance(said) == kept


def test_a_number_in_the_middle_of_a_sentence_leaves_the_sentence():
    assert substance("有人拿13812345678这个号冒用我的名字办了宽带") == "有人拿这个号冒用我的名字办了宽带"


def test_the_operators_lines_are_never_the_complaint():
    t = parse_transcript("A: 您好，这里是12345热线，工号0231为您服务，请问有什么可以帮您？\nB: 喂，小区垃圾三天没人清运了\n"
                         "A: 好的，我们会转交相关部门\nB: 好，谢谢")
    assert t.complaint == "小区垃圾三天没人清运了"


def test_a_caller_who_said_only_courtesy_leaves_nothing_to_file():
    assert parse_transcript("坐席：您好，请讲\n市民：你好\n坐席：喂？\n市民：好的谢谢，再见").complaint == ""


@pytest.mark.parametrize("said", ["好" * 300 + "了吗", "谢谢你们" * 80 + "？", "号码" * 200 + "X", "我家里电话" * 100 + "号"])
def test_long_runs_of_courtesy_words_are_read_in_linear_time(said: str):
    started = time.perf_counter()
    substance(said)
    assert time.perf_counter() - started < 0.5
