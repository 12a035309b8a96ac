"""What a short dialogue turn means: affirm, deny, cancel, ask_status, give_location, rate, greet,
help, emergency or other. Rules over normalized text: turns are short and the phrasings few.
"""

import re
from dataclasses import dataclass

import cn2an

from nlu.answers import read_answer
from nlu.emergency import detect_emergency
from nlu.entities import case_numbers
from nlu.normalize import normalize

INTENTS = ("affirm", "deny", "cancel", "ask_status", "give_location", "rate", "greet", "help", "emergency", "other")

_PUNCT = re.compile(r"[\s,.!?;:~，。！？；：、…“”\"'（）()]+")
_CANCEL = re.compile(r"撤销|撤回|取消|不办了|不用办了|不需要了|不用了|算了|不要了|不想办了|不反映了|不投诉了")
# 「低保被撤销了」, 「社区把我的低保取消了」, 「物业撤销了我的车位」: done to the resident, not by them
_DONE_TO = re.compile(r"被(?:撤销|撤回|取消)|(?:撤销|撤回|取消)了我|"
                      r"(?:物业|社区|街道|学校|公司|单位|医院|政府|村里|居委会|银行|平台|他们|老板)[^，。！？,.!?]{0,4}"
                      r"把[^，。！？,.!?]{1,10}(?:撤销|撤回|取消)了")
# What may stand around an errand's own words (「帮我把刚才那个投诉撤销吧」, 「请问怎么用」); a message with
# more in it is a complaint that uses them (「公交公司取消了23路」, 「公园的人工湖水发臭了」).
_AROUND = re.compile(r"我的|我们的|这个|那个|那件|这件|刚才的?|上次的?|之前的?|诉求|投诉|反映|举报|工单|单子|申请|"
                     r"登记|编号|案件|事情?|一下|帮我|我要|我想|请问|请|麻烦|怎么|把|给|掉|吧|了|啊|呢|吗|呀|你们|你|您|谢谢|"
                     r"[a-z0-9-]")
_CANCEL_REST = 4  # characters left that may still name which case (「路灯那件」)
_HELP_REST = 2  # 「我要人工服务」
STATUS = re.compile(r"进度|进展|到哪一?步|怎么样了|办(?:得|到)?(?:怎么样|咋样|哪)|查询|查一下|查下|有结果|有没有结果|"
                     r"处理(?:得)?(?:怎么样|咋样)|(?:咋|怎)样了|有人管吗|状态|我的(?:单子|工单|诉求)")
# Asking after one's case in the words of a delay (「修了没有」, 「咋还没人来修」, 「啥时候来修」): a status
# question from a resident with a case, a complaint about the delay from one without (flows/router.py).
DELAY = re.compile(r"(?:修|办|处理|解决|弄|管)(?:好|完)?了?(?:没有|没|吗|么)(?:呢|啊)?$|"
                    r"(?:咋|怎么)还?没(?:有)?人?来?(?:修|管|处理|办|弄|回复|解决)|(?:咋|怎么)还?没(?:有)?人来(?:呢|啊)?$|"
                    r"(?:什么|啥)时候(?:能|才|来|会)*(?:修|处理|解决|办|弄|回复|管)|"
                    r"有(?:回复|回音|消息|动静|结果)了?(?:没有?|吗)|有没有人?(?:管|处理|回复|回音|消息)")
# Pressing on a matter told before (「我那个低保的要多久啊」, 「低保的事能不能催一下」): a status question only with
# words that point back at it; 「小区电梯坏了要多久才能修好」 and 「麻烦催一下物业」 are complaints.
_PRESSING = re.compile(r"(?:要|需要|得|还要)多久|能不能快点|催一下|多久能?(?:办好|批|下来|处理)|(?:啥|什么)时候能?批|"
                       r"(?:咋|怎么)还没(?:有)?(?:消息|动静|回音|结果)")
_POINTS_BACK = re.compile(r"那个|那件|之前|上次|我的|我那|的事")
# Pressing for progress (催办): 「能不能催一下」, 「怎么这么慢」, 「一点动静都没有」, 「还没人来修」. A 催办 from a
# resident with one case being worked on, when it says nothing else of its own (flows/router.py).
CHASE = re.compile(r"(?:能不能|能否|可不可以|可以|麻烦|帮我|帮忙|请|再)?(?:催一下|催一催|催催|催促一下|催办|催一声)|"
                   r"怎么(?:这么|那么)慢|(?:太|好|这么)慢了|(?:一点|任何)?动静(?:都|也)?没(?:有)?|(?:一点|一直|都)?没(?:有)?(?:任何)?动静|"
                   r"还(?:是)?没(?:有)?人(?:来)?(?:修|管|处理|弄|看|联系|理)")
# How long it has been: 「都一个星期了」, 「这么久了」.
SINCE = re.compile(r"(?:都|已经)?(?:[一二两三四五六七八九十几好半\d]+(?:个)?多?(?:天|星期|周|月|礼拜|小时)|这么久|好久|那么久|"
                   r"这么长时间)(?:了)?")
_RATING_WORDS = (  # most specific first: 不满意 before 满意
    (re.compile(r"非常不满意|很不满意|特别不满意|太差|极差|差评"), 1),
    (re.compile(r"不满意|不太满意|不怎么样"), 2),
    (re.compile(r"非常满意|很满意|特别满意|十分满意|好评|点赞|太好了"), 5),
    (re.compile(r"一般|还行|凑合|马马虎虎"), 3),
    (re.compile(r"比较满意|挺满意|还算满意|满意"), 4),
)
# 「五星」, 「打两分」; not 「一星期」, 「四十五分钟」, 「三分之一」 inside a complaint
_STARS = re.compile(r"(?<![0-9一二三四五六七八九十两百几])([1-5一二三四五两])\s*(?:颗星|星(?!期)|分(?![钟之钱秒米地]))")
_DENY_INSIDE = re.compile(r"不对|不是这|错了|不正确|搞错|弄错")  # 「地址错了」: a short text that says no later on
_GREET = re.compile(r"^(?:你好|您好|hi|hello|嗨|哈喽|在吗|在不在|早上好|上午好|下午好|晚上好|喂)+$")
_HELP = re.compile(r"帮助|怎么用|能做什么|能干什么|有什么功能|怎么操作|不会用|help|菜单|使用说明|人工|转人工")
_QUESTION_END = re.compile(r"[?？]\s*$")
_LOCATION = re.compile(r"(?:在|位于|地址是?|住在|就在)?.{0,12}(?:小区|花园|家园|苑|路|街|巷|村|社区|街道|号楼|栋|单元|号|大厦|广场)")


@dataclass(frozen=True)
class Intent:
    name: str
    confidence: float
    case_number: str | None = None
    rating: int | None = None


def detect_intent(text: str) -> Intent:
    canon = normalize(text or "").strip().lower()
    bare = _PUNCT.sub("", canon)
    if not bare:
        return Intent("other", 0.2)
    numbers = case_numbers(canon, canon)
    number = numbers[0].value if numbers else None
    if detect_emergency(canon) is not None:
        return Intent("emergency", 0.9, number)
    if _CANCEL.search(bare) and not _DONE_TO.search(bare) and _only(_CANCEL, bare, _CANCEL_REST):
        return Intent("cancel", 0.9 if len(bare) <= 20 else 0.7, number)
    if number or STATUS.search(bare):
        return Intent("ask_status", 0.95 if number else 0.8, number)
    if DELAY.search(bare) or (_PRESSING.search(bare) and _POINTS_BACK.search(bare)):
        return Intent("ask_status", 0.65)
    rating = _rating(bare)
    if rating is not None:
        return Intent("rate", 0.9, None, rating)
    answer = read_answer(canon)
    if answer.kind == "yes":  # "嗯？" / "好的?" asks back: read_answer reads no question as a yes
        return Intent("affirm", 0.95 if answer.pure else 0.75)
    if answer.kind == "no" or (len(bare) <= 12 and _DENY_INSIDE.search(bare)):
        return Intent("deny", 0.9 if answer.pure else 0.8)
    if _QUESTION_END.search(canon) and len(bare) <= 4:
        return Intent("other", 0.4)
    if _GREET.match(bare):
        return Intent("greet", 0.9)
    if _HELP.search(bare) and _only(_HELP, bare, _HELP_REST):
        return Intent("help", 0.85)
    if len(bare) <= 30 and _LOCATION.search(bare):
        return Intent("give_location", 0.7)
    return Intent("other", 0.5)


def _only(words: re.Pattern[str], bare: str, most: int) -> bool:
    """Whether the text is the errand's words and what may stand around them, with at most `most`
    characters more."""
    return len(_AROUND.sub("", words.sub("", bare))) <= most


def _rating(bare: str) -> int | None:
    star = _STARS.search(bare)
    if star:
        digit = star.group(1)
        return int(digit) if digit.isdigit() else int(cn2an.cn2an(digit.replace("两", "二"), "smart"))
    if bare.isdigit() and len(bare) == 1 and "1" <= bare <= "5":
        return int(bare)
    for pattern, score in _RATING_WORDS:
        if pattern.search(bare) and len(bare) <= 15:
            return score
    return None
