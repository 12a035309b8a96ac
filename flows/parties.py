"""Reading the resident's answer to 「这件事主要是和谁之间的问题？」 and 「您希望怎么解决？」 in their own words,
and whether a message's own cues leave either question to ask.

These are the two questions CATEGORY_GUIDE.md decides by (who the other side is, what is asked),
put as a resident can answer them; `nlu.guide.GuideRules` maps the answers to a category. The
answers are short (「跟楼上邻居」, 「物业公司」, 「街道办不管」, 「就是想问问怎么办」), so a small
vocabulary read in the context of the question beats the classifier trained on whole complaints.
A word that is denied (「不是邻居」) does not count, and an answer naming two sides is no answer.
"""

import re

from flows.choices import normalise
from flows.state import Draft
from nlu.guide import GuideRules

# Party labels are nlu.guide.PARTIES; ask labels a subset of nlu.guide.ASKS.
PERSON, COMPANY, GOVERNMENT, NOBODY = "person", "company", "government", "none"
SETTLE, ENFORCE = "mediation", "enforcement"

# Words that say the other side, checked longest first; "private" words (私立, 民办) outrank the
# public ones they contain, so 私立学校 is a company and 公立学校 a public body, as the guide says.
PARTY_WORDS: dict[str, tuple[str, ...]] = {
    PERSON: (
        "邻居", "邻里", "楼上", "楼下", "隔壁", "对门", "对面那家", "邻家", "住户", "别的业主", "其他业主", "那户人家",
        "家人", "家里人", "亲戚", "亲属", "老公", "老婆", "丈夫", "妻子", "爱人", "前夫", "前妻", "儿子",
        "女儿", "儿媳", "女婿", "父母", "爸妈", "我爸", "我妈", "公婆", "婆婆", "公公", "岳父", "岳母", "兄弟",
        "姐妹", "哥哥", "姐姐", "弟弟", "妹妹", "子女", "孩子他", "房东", "租客", "租户", "房客", "室友", "合租",
        "个人", "私人", "朋友", "熟人", "同村", "村民", "那家人", "他家", "她家", "那个人",
    ),
    COMPANY: (
        "私立学校", "民办学校", "私立医院", "民营医院", "培训学校", "公司", "物业", "商家", "老板", "店家", "店主", "门店", "商店", "小店", "饭店", "饭馆", "餐馆", "餐厅",
        "烧烤店", "超市", "商场", "网店", "卖家", "开发商", "房地产", "中介", "厂", "工厂", "企业", "厂家",
        "雇主", "包工头", "工头", "老板娘", "用人单位", "单位", "工地", "施工队", "装修队", "银行", "电信",
        "移动", "联通", "供电公司", "燃气公司", "自来水公司", "快递", "外卖", "平台", "培训机构", "培训班",
        "机构", "驾校", "健身房", "私立", "民办", "诊所", "药店", "保险公司", "商户", "摊贩", "摊主", "店",
    ),
    GOVERNMENT: (
        "公立学校", "公办学校", "公立医院", "政府", "政府部门", "有关部门", "相关部门", "部门", "街道", "街道办", "办事处", "乡政府", "镇政府",
        "社区", "居委会", "城管", "派出所", "公安", "警察", "民警", "执法", "住建", "环保局", "人社", "社保局",
        "劳动局", "劳动监察", "房管", "教育局", "卫健", "民政", "信访", "12345", "热线", "官员", "干部", "公务员",
        "当官的", "领导", "局里", "局长", "科长", "所长", "主任", "公立", "学校", "老师", "医院", "卫生院",
        "区里", "市里", "县里", "国家", "不作为", "乱作为",
    ),
    NOBODY: (
        "没有对方", "没对方", "没有谁", "不跟谁", "没和谁", "没跟谁", "跟谁都没关系", "和谁都没关系", 
        "不涉及别人", "不涉及其他人", "就我自己", "我自己的事", "自己的事", "只是想问", "就是想问", "想问问",
        "问一下", "问问", "咨询", "了解一下", "想了解", "打听", "怎么办理", "如何办理", "怎么办", "怎么弄",
        "怎么申请", "办事", "办理", "申请", "报修", "维修", "修一下", "修理", "坏了", "求助", "帮忙", "帮个忙",
    ),
}
# What the resident wants done, when a company or a person is on the other side.
ASK_WORDS: dict[str, tuple[str, ...]] = {
    SETTLE: (
        "赔", "赔偿", "赔钱", "退钱", "退款", "退费", "押金", "不退", "还钱", "给钱", "欠款", "工钱", "要回", "结清", "工资",
        "补偿", "道歉", "调解",
        "协调", "说和", "和解", "谈谈", "商量", "履行", "别再", "不要再", "停止", "修好",
        "对方", "让他", "让她", "让他们", "让物业", "让老板", "让公司", "给个说法", "按合同", "按约定",
        "叫他", "叫她", "别吵", "小声点", "搬走", "挪走", "清走",
    ),
    ENFORCE: (
        "查处", "处罚", "罚款", "罚", "取缔", "拆除", "拆掉", "拆了", "关停", "停业", "查封", "封了", "执法",
        "纠正", "依法", "管一管", "管管", "来管", "政府管", "部门管", "有关部门", "相关部门", "城管", "环保",
        "出台", "政策", "规定", "处分", "举报", "查一查", "查查", "吊销", "取消资格", "整治", "治理", "监管",
        "报警", "警察", "公安", "派出所", "来查", "来抓", "抓起来", "关了", "关掉", "封掉",
    ),
}
# Words that name a side only when nothing else does: where the other side lives (「楼下饭店」 is a
# restaurant, 「楼下」 alone a neighbour), and the body asked to act (「工厂，希望有关部门查处」).
_WEAK = ("楼上", "楼下", "隔壁", "对门", "有关部门", "相关部门")
# Clauses that deny a side: 「不是邻居，是物业」 names the company only.
_DENIED = re.compile(r"(?:不是|并非|不关|不怪|不找|不是跟|不是和)[^，,。；;是]*")
_ANSWER_LIMIT = 30  # a longer message is more description, not an answer to this question
_SIDE_WRONG = re.compile(r"对方(?:写|说|弄|搞|记)?(?:错|不对)")


def read_party(text: str) -> str | None:
    """The other side the answer names (a PARTIES label), or None if it names none or several."""
    return _read(text, PARTY_WORDS)


def corrected_side(text: str) -> str | None:
    """The private side a correction puts in place of another (「不是邻居是物业」, 「是楼上那家人不是物业」):
    a person or a company for a person or a company. A public body named either way (「不是物业的事，是
    城管的事」) says which office should act, which is the topic's to say, not the side's."""
    plain = normalise(text)
    if len(plain) > _ANSWER_LIMIT:
        return None
    now, private = read_party(text), {PERSON, COMPANY}
    if _SIDE_WRONG.search(plain):  # 「对方写错了，是物业公司」
        return now if now in private else None
    denied = _DENIED.search(plain)
    was = _labels(denied.group(), PARTY_WORDS) if denied else set()
    return now if len(was) == 1 and was <= private and now in private and now not in was else None


def read_ask(text: str) -> str | None:
    """What the answer asks for: SETTLE (the other side pays, refunds, acts) or ENFORCE (a public
    body investigates, stops, corrects); None if neither or both."""
    return _read(text, ASK_WORDS)


def _read(text: str, vocabulary: dict[str, tuple[str, ...]]) -> str | None:
    plain = normalise(text)
    if not plain or len(plain) > _ANSWER_LIMIT:
        return None
    plain = affirmed(plain)
    found = _labels(plain, vocabulary)
    if len(found) > 1 and vocabulary is PARTY_WORDS:
        found = _labels(_without(plain, _WEAK), vocabulary)
    return found.pop() if len(found) == 1 else None


def affirmed(text: str) -> str:
    """The text without the clauses that deny a side: 「不是邻居，是物业」 names the company only."""
    return _DENIED.sub("|", normalise(text))


def _without(plain: str, words: tuple[str, ...]) -> str:
    for word in words:
        plain = plain.replace(word, "|")
    return plain


def _labels(plain: str, vocabulary: dict[str, tuple[str, ...]]) -> set[str]:
    """Labels of the words found, longest match first, each character read once."""
    words = sorted(((w, label) for label, ws in vocabulary.items() for w in ws), key=lambda p: -len(p[0]))
    found: set[str] = set()
    rest = plain
    for word, label in words:
        if word in rest:
            found.add(label)
            rest = rest.replace(word, "|")
    return found


def from_cues(draft: Draft, guide: GuideRules) -> tuple[str | None, bool]:
    """The category the other side and the request seen in the message imply, and whether what
    the resident wants must still be asked because the other side alone does not decide."""
    if draft.party is None:  # a request alone says who is on the other side only if it says nobody is
        implied = guide.implied(None, draft.want) if draft.want else None
        return (implied, False) if implied is not None and implied == guide.implied(NOBODY) else (None, False)
    if want_decides(draft, guide):
        return None, True
    return guide.implied(draft.party, draft.want), False


def want_decides(draft: Draft, guide: GuideRules) -> bool:
    """A company or a person on the other side makes it a dispute, unless the resident wants a
    public body to enforce or correct: worth asking only when the model leans that way."""
    if draft.want is not None or draft.party not in (PERSON, COMPANY):
        return False
    by_party, enforced = guide.implied(draft.party, None), guide.implied(draft.party, ENFORCE)
    return by_party != enforced and draft.category == enforced


def want_disagrees(draft: Draft, guide: GuideRules) -> bool:
    """What the message seemed to ask (a cue: 「没人管」 read as a correction) would overrule the
    other side the resident just named: ask rather than overrule them."""
    if draft.want is None or draft.party not in (PERSON, COMPANY):
        return False
    return guide.implied(draft.party, draft.want) != guide.implied(draft.party, None)
