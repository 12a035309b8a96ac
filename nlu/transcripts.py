"""Hotline call transcripts as operators paste them → turns, and the caller's complaint text.

Forms: `坐席：`/`话务员：`/`市民：`/`来电人：` labels, also in 【】 brackets, `A:`/`B:` (who is the caller
is decided by what each side says), `[00:01:02]` timestamps, speech recognition's `市民 14:02:11` on a
line of its own, one turn per line or all run together. Text without
any speaker label is taken as the caller's own words.

The complaint an operator files is the caller's substance only: a department reads the problem,
not 「喂，你好」 or 「好，谢谢啊」, and the phone number has a field of its own.
"""

import re
from dataclasses import dataclass, field

from nlu.entities import phones
from nlu.normalize import normalize

OPERATOR_LABELS = ("坐席", "话务员", "接线员", "客服", "工作人员", "接线", "热线")
CALLER_LABELS = ("市民", "来电人", "来电者", "来电", "群众", "居民", "用户", "客户", "诉求人", "反映人")
_GENERIC = r"[A-Da-d]|甲|乙|说话人\s*\d|speaker\s*\d|Speaker\s*\d|角色\s*\d"
_NAMES = f"{'|'.join(OPERATOR_LABELS + CALLER_LABELS)}|{_GENERIC}"
_CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?"
# 「坐席：」, 「[00:01:02] 市民:」, 「【话务员】」, and speech recognition's 「市民 14:02:11」 alone on its line
# (tried before the colon form, which took its seconds for words).
_LABEL = re.compile(
    rf"(?:^|(?<=[\s。！？!?.，,；;]))\s*(?:\[?{_CLOCK}\]?\s*)?"
    rf"(?:[【\[]({_NAMES})[】\]]\s*[:：]?|({_NAMES})[ \t]+{_CLOCK}[ \t]*(?=\n|$)|({_NAMES})\s*(?:{_CLOCK}\s*)?[:：])",
)
_TIMESTAMP = re.compile(r"\[?\d{1,2}:\d{2}(?::\d{2})?\]?")
_OPERATOR_CUES = re.compile(r"这里是|12345|热线|工号|请问(?:您|你)|有什么可以帮|请讲|请您|您的(?:姓名|电话|地址)|"
                            r"我们会|已经(?:为您|给您)|记录|转交|转办|登记|感谢(?:您的)?来电|还有(?:其他|别的)|稍等|核实|"
                            r"为您服务|回复您|请保持电话畅通")
_CALLER_CUES = re.compile(r"我家|我们家|我们小区|我们村|我要反映|我想反映|我要投诉|我想投诉|我住|帮我|你们|"
                          r"我想问|我想咨询|我是.{0,6}(?:居民|业主|村民|家长)|楼上|楼下|邻居|物业|老板")
_FILLER = re.compile(r"^[\s喂嗯啊哦呃好的对是呀吧那个,.!?，。！？]*$")
# A clause of a caller's turn, with the punctuation that ends it (on normalized text: ， is ,).
_CLAUSE = re.compile(r"([^,.!?;。！？；\n]*)([,.!?;。！？；\n]*)")
_PARTICLES = " ~啊呀吧哈啦呢嘛哦哟喽噢嘞呃额哎诶唉"
_CONTACT = (r"(?:(?:我的?|本人|我们的?|我?家里?的?)?(?:联系)?(?:(?:电话|手机|座机|固话)(?:号码|号)?|号码|方式)"
            r"|(?:备用|另一个|另外一个|第二个)的?(?:联系)?(?:电话|手机|号码|号)?"  # a second number: 「备用号码139…」
            r"|(?:有事)?(?:请)?(?:打|拨|联系)我的?(?:电话|手机)?|或者|或是)(?:就|也)?(?:是|为)?:?")
# Clauses made only of greetings, acknowledgements, thanks and goodbyes, openers that announce a
# complaint without saying it, or what is left of "my number is …" once the number is taken out.
# No alternative repeats itself or matches a particle: the outer `+` does the repeating, so a
# clause has one way to match and 「好好好…」 cannot make the regex backtrack exponentially.
_COURTESY = (
    r"喂|[你您]好|你们好|哈喽|早上好|上午好|下午好|晚上好|在吗|在不在|听得[到见]吗|能听[到见]吗"
    r"|是(?:不是)?(?:12345|市民热线|便民热线|热线)(?:吗|是吧|对吧)?|请问是.{0,8}(?:热线|12345)(?:吗)?"
    r"|好的?|行|可以|嗯|对的?|是的?|没错|明白了?|知道了|了解|清楚了|收到|没问题|ok|OK"
    r"|谢谢[你您]?们?|多谢|感谢[你您]?们?|非常感谢|太感谢了|麻烦[你您]?们?了?|辛苦[你您]?们?了?|拜托[你您]?们?了?"
    r"|再见|拜拜|没有?了|没有?(?:别的|其他|其它)(?:事|问题)?了?|就(?:这些|这样|这个事)了?|先这样|等你们(?:的)?(?:消息|回复|电话)"
    r"|是这样的?|是这样子|我(?:想|要|是想|是要)?(?:反映|投诉|咨询|问)(?:一下|个|一个)?(?:事情?|问题|情况)?"
    r"|有个(?:事情?|问题|情况)(?:想)?(?:反映|说|问)?(?:一下)?|我说一下"
    rf"|{_CONTACT}(?:这个(?:号码?|电话))?(?:就行|就可以)?"
)
_PLEASANTRY = re.compile(rf"(?:(?:那|那就|就)?(?:{_COURTESY})[{_PARTICLES}]*)+")
_CONTACT_LEAD = re.compile(rf"{_CONTACT}\s*$")


# How the caller asked to be called: 「我姓刘」, 「免贵姓王」, 「我叫王小明」; and the operator's 「刘先生」, which
# also says which honorific (a surname alone leaves it to the operator).
_SURNAME = re.compile(r"(?:我|本人)?(?:免贵)?姓([\u4e00-\u9fa5])(?!名)")
_FULL_NAME = re.compile(r"我叫([\u4e00-\u9fa5]{2,3})(?=[，。,.！!？?\s]|$)")
_ADDRESSED = re.compile(r"([\u4e00-\u9fa5])(先生|女士)")
# A clause that only says the name (「姓李」, 「我叫王小明」): the form's 来电人称呼 has it, masked on staff pages.
_NAME_ONLY = re.compile(r"(?:我|本人)?(?:免贵)?姓[\u4e00-\u9fa5](?:先生|女士)?|我叫[\u4e00-\u9fa5]{2,3}")
_ASKED = re.compile(r"[?？]|[吗吧][\s。.，,]*$")
# The caller's yes to what the operator just read back: 「对」, 「是的」, 「没错」, 「嗯对」.
_YES = re.compile(r"[\s，,。.]*(?:嗯+[，,\s]*)?(?:对|是的|是|没错|正确|没问题|可以|好的?)(?![不错])")


class TranscriptError(ValueError):
    """The text has speaker labels but no words after any of them."""


@dataclass(frozen=True)
class Turn:
    speaker: str  # "operator" | "caller" | "unknown"
    text: str


@dataclass(frozen=True)
class Transcript:
    turns: list[Turn] = field(default_factory=list)
    caller_text: str = ""  # everything the caller said (the evidence the NLU reads)
    complaint: str = ""  # the substance of it (what an operator files)

    @property
    def caller_name(self) -> str:
        """How the caller asked to be called, as an operator writes it (「刘先生」, or 「刘」 when the
        operator never said which), or "" when no name came up."""
        said = " ".join(t.text for t in self.turns if t.speaker == "caller")
        addressed = [m.groups() for t in self.turns if t.speaker == "operator" for m in _ADDRESSED.finditer(t.text)]
        if (full := _FULL_NAME.search(said)) is not None:
            return full.group(1)
        surname = _SURNAME.search(said)
        for name, honorific in addressed:
            if surname is None or name == surname.group(1):
                return name + honorific
        return surname.group(1) if surname else ""

    @property
    def read_back(self) -> str:
        """What the operator asked back and the caller's next turn said yes to (「您的电话是138…，对吗？」
        「对的」): a number confirmed so is the caller's, though the caller never said it. Not what the
        operator told (「有事可以拨打…」 「好的」)."""
        return " ".join(said.text for said, answer in zip(self.turns, self.turns[1:], strict=False)
                        if said.speaker == "operator" and _ASKED.search(said.text) and answer.speaker == "caller"
                        and _YES.match(answer.text))


def parse_transcript(text: str) -> Transcript:
    """Turns in order and the caller's statements joined; raises TranscriptError for labels only."""
    text = text or ""
    canon = normalize(text)
    marks = list(_LABEL.finditer(canon))
    if not marks:
        words = _clean(text)
        return Transcript([Turn("unknown", words)] if words else [], words, substance(words))
    raw_turns = []
    for mark, following in zip(marks, [*marks[1:], None], strict=True):
        body = _clean(text[mark.end() : following.start() if following else len(text)])
        if body:
            raw_turns.append((_label(next(name for name in mark.groups() if name)), body))
    if not raw_turns:
        raise TranscriptError("通话记录只有说话人标记，没有内容")
    roles = _roles(raw_turns)
    turns = [Turn(roles[label], body) for label, body in raw_turns]
    caller = [t.text for t in turns if t.speaker == "caller" and not _FILLER.match(t.text)]
    return Transcript(turns, _join(caller), _join([said for part in caller if (said := substance(part))]))


def substance(words: str) -> str:
    """The words without phone numbers and without clauses that are only courtesy (greetings,
    thanks, 好的, goodbyes), an opener like 「我想反映个问题」 or the caller's name; a cut-off sentence
    ends with 。."""
    words = without_phones(words)
    canon = normalize(words)
    kept = "".join(words[c.start() : c.end(1)] + _stop(words[c.start(2) : c.end(2)]) for c in _CLAUSE.finditer(canon)
                   if (core := c.group(1).strip(_PARTICLES)) and not _PLEASANTRY.fullmatch(core)
                   and not _NAME_ONLY.fullmatch(core))
    trimmed = kept.rstrip("，,、；; ")
    return trimmed + "。" if trimmed and trimmed != kept.rstrip() else trimmed


def _stop(punctuation: str) -> str:
    """One mark where cutting left several (「了，。」): the full stop if there is one."""
    return next((mark for mark in punctuation if mark in "。！？!?."), punctuation[:1])


def without_phones(words: str) -> str:
    """Every phone number (written or spoken) cut out, with the 「我电话是」 that led to it."""
    canon = normalize(words)
    for phone in reversed(phones(words, canon)):
        clause = max(canon.rfind(p, 0, phone.start) for p in ",.!?;。！？；\n") + 1
        lead = _CONTACT_LEAD.search(canon, clause, phone.start)
        start = lead.start() if lead else phone.start
        words, canon = words[:start] + words[phone.end :], canon[:start] + canon[phone.end :]
    return words


def _label(raw: str) -> str:
    return re.sub(r"\s+", "", raw).upper()


def _roles(turns: list[tuple[str, str]]) -> dict[str, str]:
    """Named labels map directly; generic ones (A/B) by operator-like vs caller-like content."""
    roles = {}
    generic = []
    for label, _ in turns:
        if label in roles or label in generic:
            continue
        if label in OPERATOR_LABELS:
            roles[label] = "operator"
        elif label in CALLER_LABELS:
            roles[label] = "caller"
        else:
            generic.append(label)
    if not generic:
        return roles
    lean = {label: 0.0 for label in generic}
    for label, body in turns:
        if label in lean:
            lean[label] += len(_OPERATOR_CUES.findall(body)) - len(_CALLER_CUES.findall(body))
    first = turns[0][0]
    if first in lean:
        lean[first] += 0.5  # a hotline call opens with the operator's greeting
    operator = max(generic, key=lambda label: lean[label]) if "operator" not in roles.values() else None
    for label in generic:
        if label == operator:
            roles[label] = "operator"
        elif "caller" not in roles.values() or len(generic) == 1:
            roles[label] = "caller"
        else:
            roles[label] = "unknown"
    if len(generic) > 2:
        for label in generic:
            if label != operator:
                roles[label] = "caller"
    return roles


def _clean(body: str) -> str:
    return re.sub(r"\s+", " ", _TIMESTAMP.sub(" ", body)).strip(" ，,")


def _join(parts: list[str]) -> str:
    joined = ""
    for part in parts:
        if joined and joined[-1] not in "。！？!?.，,；;":
            joined += "，"
        joined += part
    return joined
