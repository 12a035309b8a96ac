"""Rule-based readings: entities, emergencies, dialogue intents, normalisation."""

import pytest

from nlu.emergency import detect_emergency
from nlu.entities import extract_entities
from nlu.intents import detect_intent
from nlu.normalize import normalize


def test_normalize_keeps_length_and_folds_forms():
    text = "我們這裡的電梯壞了：ＭＳ－２０２６"
    assert normalize(text) == "我们这里的电梯坏了:MS-2026" and len(normalize(text)) == len(text)
    assert normalize(normalize(text)) == normalize(text)  # the analyzer hands normalized text on to `prepare`


def test_entities_with_values_and_spans():
    text = "电话13812345678，昨天晚上11点开始吵，押金三千块，一共2.5万元"
    found = {e.type: e for e in extract_entities(text)}
    assert found["phone"].value == "+8613812345678" and text[found["phone"].start : found["phone"].end] == "13812345678"
    assert found["time"].text == "昨天晚上11点"
    assert [e.value for e in extract_entities(text) if e.type == "money"] == [3000.0, 25000.0]


@pytest.mark.parametrize("raw", ["MS-20261127-0042", "ms-20261127-0042", "MS202611270042", "ＭＳ－２０２６１１２７－００４２",
                                 "ms20261127-42"])
def test_case_number_forms(raw):
    intent = detect_intent(f"{raw} 到哪一步了")
    assert intent.name == "ask_status" and intent.case_number == "MS-20261127-0042"


@pytest.mark.parametrize(("text", "called"), [
    ("我刚报了110 楼下有人耍酒疯砸车", True), ("已经报警了，楼下有人砸车", True), ("刚才叫了救护车，老人摔倒起不来", True),
    ("楼下着火了，刚才打了119打不通", False), ("楼下有人打架，我报警有用吗", False), ("楼下着火了", False),
])
def test_a_call_already_made_is_told_apart_from_one_that_failed(text, called):
    found = detect_emergency(text)
    assert found is not None and found.called is called


@pytest.mark.parametrize(("text", "kind", "number"), [
    ("楼下着火了，快来人", "fire", "119"),
    ("家里煤气泄漏了怎么办", "gas", "119"),
    ("有人在小区门口持刀砍人", "violence", "110"),
    ("楼下有个人拿着一把菜刀在追人", "violence", "110"),
    ("我爸突然晕倒了，叫不醒", "medical", "120"),
    ("孩子被困在电梯里了", "danger", "110"),
    ("我不想活了，欠了一屁股债，没人管我", "self_harm", "110"),
    ("活着没什么意思，真想一了百了，我想去死", "self_harm", "110"),
    ("有人要跳楼", "self_harm", "110"),
    ("我老公喝醉了就打我，我不敢回家", "domestic", "110"),
    ("他又家暴了", "domestic", "110"),
    ("隔壁那个人冲过来打我", "violence", "110"),
    ("我想死", "self_harm", "110"), ("准备喝农药了", "self_harm", "110"), ("有人在楼顶要跳下来", "self_harm", "110"),
    ("媳妇被她前夫打了", "violence", "110"), ("隔壁一直有小孩哭喊，好像被大人打", "violence", "110"),
    ("小孩掉河里了", "danger", "110"), ("家里老人走失了，有老年痴呆", "danger", "110"),
    ("楼道里一股很大的煤气味", "gas", "119"), ("电线杆倒了 电线掉在地上冒火花", "power", "95598"),
    ("有人冒充客服骗了我两万块", "fraud", "110"),
    # everyday wordings of someone hurt, a gas smell, a fight, a fraud call, smoke
    ("邻居老太太摔倒了起不来", "medical", "120"), ("有个老头摔倒了，头上流血，叫不醒", "medical", "120"),
    ("有人受伤了 流了好多血", "medical", "120"), ("有人被车撞了躺在地上", "medical", "120"),
    ("有人中暑倒在路边", "medical", "120"), ("阿婆跌跤了爬不起来", "medical", "120"),
    ("楼道里有煤气味", "gas", "119"), ("天然气管子漏了", "gas", "119"), ("一股臭鸡蛋味 怕是漏气", "gas", "119"),
    ("楼下有人打起来了 拿着棍子", "violence", "110"), ("楼下两个人干起来了", "violence", "110"),
    ("有人冒充社区的给我打电话，让我交认证费", "fraud", "110"), ("接到个电话说我儿子出事了要我转账", "fraud", "110"),
    ("楼上冒烟了 好大的烟", "fire", "119"), ("楼道里冒黑烟", "fire", "119"), ("着伙了 快", "fire", "119"),
    ("工友现在就在他公司楼顶上 今天不给钱就跳下去", "self_harm", "110"), ("房东带了几个人来砸我家门", "violence", "110"),
    ("去年起过火，现在又着火了", "fire", "119"),
    # a call for help just past the comma is urgent, whatever came before (reviewer)
    ("现在他又在打老婆，快来人啊", "domestic", "110"), ("他又在打孩子，快来人", "domestic", "110"),
    ("救命", "danger", "110"),  # (retest)
    ("上次那个醉汉又在楼下打人了，快来人啊", "violence", "110"), ("以前着过火的那栋楼又冒浓烟了，快来人", "fire", "119"),
    ("物业一直不管楼道里堆的杂物，说了无数次，电动车也在楼道里充电，今天终于出事了，" * 5 + "楼下着火了，救命", "fire", "119"),
])
def test_emergencies(text, kind, number):
    found = detect_emergency(text)
    assert found is not None and (found.kind, found.number) == (kind, number)
    assert text[found.start : found.end] == found.text


@pytest.mark.parametrize("text", ["上次着火的事你们处理了吗", "没有着火，就是有点烟味", "楼道堆杂物，万一着火怎么办",
                                  "去年小区起火的隐患一直没整改", "物业费太贵了", "",
                                  "有事打我电话13812345678", "修好了请打我手机", "楼下装修吵得我想死", "累得想死",
                                  "楼上的落水管一直往下滴水", "手机掉水里了", "物业天天打我家电话催费",
                                  "被物业打了好几个电话", "我想死的心都有了",
                                  "物业乱收停车费，简直是诈骗", "我要举报物业诈骗业主的维修基金", "轮胎漏气了",
                                  "两家为车位吵架差点打起来", "楼下烧烤店冒烟熏得我家没法开窗", "工厂烟囱天天冒黑烟",
                                  "我是流血流汗挣的钱", "我在工地受伤了老板不给赔",
                                  # over, however urgent the next clause (staff-pages tester)
                                  "我们小区前年发生过火灾，现在消防通道又被私家车堵死了",
                                  "上周幸福路20号门口有人打架斗殴，现在想问问处理结果",
                                  "楼上邻居经常打孩子，吵得我们睡不着", "救命啊这物业也太差了"])
def test_not_emergencies(text):
    assert detect_emergency(text) is None


@pytest.mark.parametrize(("text", "name"), [
    ("对", "affirm"), ("是的", "affirm"), ("没错", "affirm"), ("嗯嗯", "affirm"), ("好的", "affirm"),
    ("嗯？", "other"), ("好的?", "other"), ("对吧？", "other"), ("对！", "affirm"),
    ("不对", "deny"), ("不是", "deny"), ("错了", "deny"),
    ("撤销", "cancel"), ("不办了", "cancel"), ("算了算了", "cancel"),
    ("我反映的事进度怎么样了", "ask_status"), ("查询一下", "ask_status"), ("我反映的路灯修了没有", "ask_status"),
    ("路灯修好了吗", "ask_status"), ("我那个事办了没", "ask_status"), ("有没有人处理啊", "ask_status"),
    ("物业说修了没有用，还是漏水", "other"), ("谢谢，已经修好了", "other"), ("咋还没人来修", "ask_status"),
    ("办得咋样了", "ask_status"), ("有回复没", "ask_status"), ("啥时候来修啊", "ask_status"), ("我的单子", "ask_status"),
    ("你好", "greet"), ("怎么用", "help"), ("青禾路128号", "give_location"),
    ("楼下着火了", "emergency"), ("物业乱收费我要投诉", "other"), ("", "other"), ("😀", "other"),
])
def test_intents(text, name):
    assert detect_intent(text).name == name


@pytest.mark.parametrize(("text", "rating"), [("五星", 5), ("5分", 5), ("三颗星", 3), ("非常满意", 5), ("满意", 4),
                                              ("一般", 3), ("不满意", 2), ("非常不满意", 1), ("4", 4),
                                              ("给两分", 2), ("四星吧 还行", 4)])
def test_ratings(text, rating):
    intent = detect_intent(text)
    assert intent.name == "rate" and intent.rating == rating


@pytest.mark.parametrize("text", ["公交公司取消了23路公交车，出行很不方便", "物业说要取消我们的车位，凭什么",
                                  "孩子学校取消了午休，家长意见很大", "小区的快递柜撤销了，取快递很不方便"])
def test_a_complaint_about_something_cancelled_is_not_calling_off_a_case(text):
    assert detect_intent(text).name != "cancel"


@pytest.mark.parametrize("text", ["帮我把刚才那个投诉撤销吧", "取消我的诉求", "撤销 MS-20261207-0001", "不用了谢谢",
                                  "我那个路灯的诉求撤销吧"])
def test_calling_off_ones_own_case_in_more_words(text):
    assert detect_intent(text).name == "cancel"


@pytest.mark.parametrize("text", ["幸福里小区3号楼路灯坏了一星期", "公交车等了四十五分钟还不来", "三分之一的路灯不亮",
                                  "楼下烧烤摊一分钱卫生费都不交", "等了两分钟"])
def test_a_week_or_minutes_in_a_complaint_are_no_rating(text):
    assert detect_intent(text).name != "rate"
