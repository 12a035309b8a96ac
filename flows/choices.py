"""Buttons that also work typed: a tapped button, its number, or (part of) its text all count."""

import re
import unicodedata
from collections.abc import Iterator, Sequence

from flows.messages import Choice, Inbound
from nlu.gazetteer import to_int

_PUNCT = re.compile(r"[\s，。！？、,.!?；;：:~～（）()“”\"'《》【】\[\]]+")
# An answer by position, as residents type it: 2, 第2个, 第二个, 选二, 第二个吧, 最后一个. Checked on
# normalise()d text. 两 is left out: 「两个」 says "both" more often than "the second".
_PICK, _PARTICLE = r"(?:我)?(?:就|要|选|选择|点)?", r"(?:吧|啊|呀|呢|的|就行|就好|好了)?"
_ORDINAL = re.compile(rf"^{_PICK}第?(\d{{1,2}}|[一二三四五六七八九十]{{1,3}})(?:个|项|号|条|\.|、)?{_PARTICLE}$")
_LAST = re.compile(rf"^{_PICK}最后(?:一|1|那)?(?:个|项|条)?{_PARTICLE}$")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_NEGATED = re.compile(r"(?:不|别|不用|不要|没)$")  # before a button's words: 「不用取消」 is not 取消


def normalise(text: str) -> str:
    """Full-width digits and letters folded, punctuation and spaces dropped."""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text)).lower()


def han_count(text: str) -> int:
    """Chinese characters in a typed answer: how much it says, whatever digits and marks are around."""
    return len(_HAN.findall(text))


def shares_a_word(said: str, text: str) -> bool:
    """Whether `text` holds two characters in a row of `said`: most Chinese words are two characters,
    so this is how a few words name something said before (「工资那件」, 「我反映的路灯」)."""
    return any(pair in text for pair in _pairs(said))


def _pairs(said: str) -> Iterator[str]:
    return (said[i:i + 2] for i in range(len(said) - 1))


# Two characters in a row that most complaints share and that name nothing of their own.
_EVERYDAY_PAIRS = frozenset({"坏了", "小区", "我们", "我家", "一个", "没有", "已经", "现在", "时候", "这个", "那个", "还有",
                             "对了", "就是", "一下", "几天", "好几", "不是", "可以", "什么", "怎么", "知道", "晚上", "每天",
                             "天天", "一直", "他们", "我的", "的时", "了一", "有人", "问题", "那边", "这边", "旁边",
                             "门口", "区门", "口的", "楼下", "楼上", "好久", "没人", "人来"})


def names_its_subject(said: str, text: str) -> bool:
    """Like shares_a_word, but over the pairs that say what the matter is about (漏水, 路灯, 北门),
    not the ones every complaint has (坏了, 小区, 一直)."""
    return any(pair in text for pair in _pairs(said) if pair not in _EVERYDAY_PAIRS)


def as_choices(offered: Sequence[tuple[str, str]]) -> tuple[Choice, ...]:
    return tuple(Choice(label, value) for label, value in offered)


def picked(inbound: Inbound, offered: Sequence[tuple[str, str]]) -> str | None:
    """The value of the offered choice this turn selects, or None if it selects none (or several)."""
    values = [value for _, value in offered]
    if inbound.choice is not None and inbound.choice in values:
        return inbound.choice
    text = normalise(inbound.choice or inbound.text)
    if not text or not offered:
        return None
    if _LAST.match(text):
        return values[-1]
    ordinal = _ORDINAL.match(text)
    if ordinal:
        index = to_int(ordinal.group(1)) - 1  # -1 when it is no number
        return values[index] if 0 <= index < len(values) else None
    labels = [(normalise(label), value) for label, value in offered]
    exact = [value for label, value in labels if label == text]
    if exact:
        return exact[0]
    partial = {
        value
        for label, value in labels
        if (len(text) >= 2 and label.startswith(text))
        or (label in text and len(text) - len(label) <= 2 and not _NEGATED.search(text.partition(label)[0]))
    }
    return partial.pop() if len(partial) == 1 else None

