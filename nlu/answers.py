"""Reading a short answer to a yes/no question the way a person would: 「对的 就是那」, 「可以 提交吧」,
「嗯嗯 没问题」, 「不是这样」, with particles, repetitions and a few words of chatter.

The text is cut by longest match against small vocabularies: yes-words, no-words, fillers that
carry no content (particles, 「就是那」, 「麻烦了」, 「谢谢」), and blockers — everyday words that merely
start like a yes-word (对面, 是不是, 好像, 中间) and so must not be read as one. The first word that is
not a filler decides; anything left over is returned as the rest, so a step can still use
「不对，是幸福路25号」 as a correction. A question (吗, 是不是, ？) is never an answer.
"""

import re
from dataclasses import dataclass

from nlu.normalize import normalize
from nlu.place_words import PLACE_NAMED

YES_WORDS = (
    "对", "对的", "对啊", "对呀", "对头", "没错", "没错儿", "正确", "是", "是的", "是啊", "是呀", "是滴", "就是", "就是它",
    "好", "好的", "好滴", "好嘞", "好呀", "行", "成", "中", "要得", "妥", "可以", "确认", "确定", "同意", "当然",
    "没问题", "没毛病", "都对", "都没问题", "就这样", "就这么办", "就这个", "嗯", "恩", "哦了", "ok", "okay", "yes", "yeah",
    "👌", "👍", "🆗", "✅", "没什么问题", "没啥问题", "没啥", "没什么",
    "提交", "确认提交", "帮我提交", "登记", "上报", "发吧", "交吧", "是这样", "是这个", "就这些", "没别的",
)
NO_WORDS = (
    "不", "不对", "不是", "不是的", "错了", "错", "不行", "不要", "不用", "不正确", "搞错了", "弄错了", "说错了", "搞错", "弄错",
    "否", "no", "nope", "不同意", "没有", "不可以", "不太对", "不完全对", "有错", "有误", "别",
)
FILLERS = (
    "吧", "啊", "呀", "哦", "噢", "喔", "哈", "呢", "嘛", "啦", "咯", "了", "的", "哇", "呗", "嘞", "咧", "嗷",
    "那", "这", "那个", "这个", "那里", "这里", "那儿", "这儿", "那边", "这边", "这样", "那样", "样",
    "就", "也", "都", "全", "你", "您", "请", "一下", "帮我", "给我", "麻烦", "麻烦了", "麻烦你", "辛苦",
    "谢谢", "谢谢你", "谢谢您", "谢了", "感谢", "多谢", "直接", "赶紧", "快点", "尽快", "吧吧", "就行", "就好",
    "可", "确实", "真的", "嗯哼", "唉", "哎", "诶", "额", "呃", "亲",
)
# Words that begin like a yes/no word but mean something else: they stop the reading.
BLOCKERS = (
    "对面", "对门", "对过", "对岸", "对方", "对象", "对于", "对着", "对不起", "对不对", "对吗", "对嘛",
    "是不是", "是否", "是吗", "好像", "好多", "好几", "好久", "好不好", "好吗", "行不行", "行吗", "行政", "行人",
    "中间", "中心", "中午", "可不可以", "可以吗", "可是", "确定吗", "不知道", "不清楚", "不好意思", "没有人", "就是说",
    "啊啊", "你好", "您好", "成都", "成立", "要得吗", "别的", "不过", "不然", "不光", "不仅", "不管", "没法", "是个", "没人",
)
_QUESTION = re.compile(r"[?？]\s*$|[吗么嘛]\s*[?？!！。.]*\s*$")
_ASKS = re.compile(r"啥|什么|怎么|为何|为什么|哪|谁|几")  # left over after a yes, these make it a question
_PUNCT = re.compile(r"[\s,.!?;:~，。！？；：、…“”\"'（）()\-—]+")
_VOCAB = {**{w: "filler" for w in FILLERS}, **{w: "yes" for w in YES_WORDS}, **{w: "no" for w in NO_WORDS},
          **{w: "block" for w in BLOCKERS}}
_LONGEST = max(map(len, _VOCAB))
MAX_REST = 6  # more words than this after a yes is a new statement ("是这样的，我家楼下……"), not an answer


@dataclass(frozen=True)
class Answer:
    kind: str | None  # "yes", "no", or None when the text is not an answer to a yes/no question
    pure: bool = False  # nothing but yes/no words and fillers
    rest: str = ""  # what follows the answer words (normalized, without punctuation)


def read_answer(text: str) -> Answer:
    canon = normalize(text or "").strip().lower()
    if not canon or _QUESTION.search(canon):
        return Answer(None)
    bare = _PUNCT.sub("", canon)
    words = _cut(bare)
    kinds = [kind for _, kind in words if kind != "filler"]
    if not kinds or kinds[0] not in ("yes", "no"):
        return Answer(None)
    lead = kinds[0]
    answered = 0  # characters of `bare` read as the answer (leading fillers and answer words)
    for word, kind in words:
        if kind not in ("filler", lead) and not (lead == "no" and kind == "yes"):
            break
        answered += len(word)
    rest = bare[answered:]
    if lead == "yes" and any(kind in ("no", "block") for _, kind in words):
        return Answer(None)  # 「好的 不用了」, 「对 不对」, 「嗯嗯啊啊」: mixed or mumbled, ask again
    if lead == "yes" and (len(rest) > MAX_REST or _ASKS.search(rest)):
        return Answer(None)
    return Answer(lead, pure=not rest, rest=rest)


def _cut(bare: str) -> list[tuple[str, str]]:
    """Longest match left to right; a character in no vocabulary is content ("text")."""
    words, i = [], 0
    while i < len(bare):
        for size in range(min(_LONGEST, len(bare) - i), 0, -1):
            piece = bare[i:i + size]
            if piece in _VOCAB:
                words.append((piece, _VOCAB[piece]))
                i += size
                break
        else:
            words.append((bare[i], "text"))
            i += 1
    return words


# 没两天, 第二天又: broken again soon after the repair, which is this case and not a new matter.
_BLAME = re.compile(r"不满意|没解决|没有解决|没修好|还没修|还没好|没人来|没人管|老样子|太慢|很慢|敷衍|推诿|糊弄|没用|不管用|差劲|太差|"
                    r"拖了|拖着|不负责|态度不好|没效果|没两天|没几天|第二天又|当天又")
# The problem still there: 「灯还是不亮」, 「根本没修」, 「水管依然漏水」. Asked to rate a case, that is the case's
# problem; out of the blue it may be another thing's (「电梯还是坏的」, 「门口的水管照旧在漏」), see flows/router.py.
_STILL = re.compile(r"还是(?:不亮|不通|不行|没修|没好|没人|坏|漏|堵|吵|臭|黑|一样|老样子|那个问题|有问题)|依然|依旧|照样|仍然|"
                    r"仍旧|照旧|一点没变|根本没(?:修|弄|处理|解决|人来|来)|[跟和]没修一样|修了[跟和]没修")
_PRAISE = re.compile(r"满意|挺好|很好|真好|不错|很快|挺快|真快|及时|给力|辛苦|效率|点赞|感谢|谢谢|多谢|修好了|解决了|办好了|弄好了|"
                     r"负责|热情|好评|太好了|靠谱|到位")


def read_praise(text: str) -> int | None:
    """A score from what a resident says about the handling when asked to rate it: praise alone
    (「挺好的 修得很快 谢谢」) is a 4, or a 5 with more than one good word; blame alone a 2, or a 1;
    both a 3. None when it says neither."""
    bare = _PUNCT.sub("", normalize(text or "").lower())
    blame = len(_BLAME.findall(bare))
    praise = len(_PRAISE.findall(_BLAME.sub("", bare)))
    if blame and praise:
        return 3
    if blame:
        return 1 if blame >= 2 else 2
    if praise:
        return 5 if praise >= 2 else 4
    return None


def says_still_there(text: str) -> bool:
    """Whether the words say the problem is still there (「灯还是不亮啊」, 「依然漏水」)."""
    return bool(_STILL.search(normalize(text or "")))


def besides_still_there(text: str) -> str:
    """The words without those that say the problem is still there: what else they name."""
    return _STILL.sub("", normalize(text or ""))


def says_nothing(text: str) -> bool:
    """Only particles, fillers and punctuation (「呃呃呃」), or a short puzzled 「啊？」「嗯？」: no
    answer and nothing to keep as one, so the question is put again instead of reading it as a place."""
    canon = normalize(text or "").strip().lower()
    bare = _PUNCT.sub("", canon)
    if _QUESTION.search(canon) and len(bare) <= 3:
        return True
    return all(kind == "filler" for _, kind in _cut(bare))


_BEARINGS = re.compile(r"那边|这边|附近|旁边|对面|门口|后面|前面|后头|一带|周边|边上|路口|拐角|楼下|楼上|隔壁")
# Everyday words holding a character place names end with (居, 道, 里, 城): no place by themselves.
_PLAIN_WORDS = re.compile(r"邻居|居民|知道|道理|道歉|难道|这里|那里|哪里|心里|夜里|城管")


def describes_place(text: str) -> bool:
    """Does an answer to "where?" that the registry could not place still describe somewhere: a
    word place names end with (小区, 路, 号楼 …), a bearing (那边, 附近, 门口 …) or a number? Then it
    is worth keeping for the person who assigns the grid. 「跟老板之间的」 or 「让他把钱结了」 is
    the resident talking about something else, not a place that was not found."""
    canon = _PLAIN_WORDS.sub("", normalize(text or ""))
    return bool(PLACE_NAMED.search(canon) or _BEARINGS.search(canon) or any(c.isdigit() for c in canon))
