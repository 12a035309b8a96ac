"""Everyday ways residents answer a yes/no question, written for this project (not taken from any
data set): plain yeses and noes with particles, repetitions and a few words after, corrections that
start with a no, and near-misses that must not count as a yes. Shared by tests/unit/test_answers.py
and bench/dialogue.py, which reports how many are read right at each kind of confirmation."""

YES = (
    "对", "对的", "对对对", "对啊", "对呀", "对头", "是的", "是啊", "是的呢", "嗯", "嗯嗯", "恩", "好", "好的", "好的好的",
    "好滴", "好嘞", "行", "行吧", "行 谢谢", "可以", "可以的", "可以可以", "可以 提交吧", "提交吧", "确认", "确认提交",
    "确定", "同意", "没错", "没错没错", "没问题", "没问题 谢谢", "没毛病", "都对", "都没问题", "就这样吧", "就这么办",
    "对的 就是那", "对 就是那里", "对啊 就是这", "嗯 对", "嗯嗯 可以", "哦 好的", "对，没错", "对 没错 提交吧", "是这样",
    "中", "要得", "妥", "OK", "ok的", "好 麻烦了", "好的，谢谢你", "对的对的！", "嗯，是的。", "是的，没错", "行，就这样",
    "没错，麻烦尽快", "好吧", "确认无误", "👌", "👍",
)
NO = (
    "不", "不对", "不是", "不是的", "不对不对", "错了", "不行", "不是这样", "搞错了", "不正确", "不太对", "有错",
    "否", "不对 不是那里", "不是哦", "不同意",
)
CORRECTIONS = (  # a no followed by the right answer
    ("不对，是幸福路125号", "幸福路125号"),
    ("不是 在青禾路", "在青禾路"),
    ("不对不对 是东方花园", "东方花园"),
)
NOT_YES = (  # near-misses: none of these may confirm anything
    "对面那个", "对吗", "是不是", "是不是搞错了", "好像不对", "可以吗", "对不起", "确定吗？", "嗯？", "好的?",
    "是这样的，我家楼下天天有人吵", "好久没人管了", "中间那栋楼", "行不行啊", "好的 不用了", "不是这样", "你好",
)
