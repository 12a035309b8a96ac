"""Hotline call transcripts as operators paste them → turns, and the caller's complaint text.

Forms: `坐席：`/`话务员：`/`市民：`/`来电人：` labels, `A:`/`B:` (who is the caller is decided by
what each side says), `[00:01:02]` timestamps, one turn per line or all run together. Text without
any speaker label is taken as the caller's own words.
"""

import re
from dataclasses import dataclass, field

from nlu.normalize import normalize

OPERATOR_LABELS = ("坐席", "话务员", "接线员", "客服", "工作人员", "接线", "热线")
CALLER_LABELS = ("市民", "来电人", "来电者", "来电", "群众", "居民", "用户", "客户", "诉求人", "反映人")
_GENERIC = r"[A-Da-d]|甲|乙|说话人\s*\d|speaker\s*\d|Speaker\s*\d|角色\s*\d"
_LABEL = re.compile(
    rf"(?:^|(?<=[\s。！？!?.，,；;]))\s*(?:\[?\d{{1,2}}:\d{{2}}(?::\d{{2}})?\]?\s*)?"
    rf"({'|'.join(OPERATOR_LABELS + CALLER_LABELS)}|{_GENERIC})\s*(?:\d{{1,2}}:\d{{2}}(?::\d{{2}})?\s*)?[:：]",
)
_TIMESTAMP = re.compile(r"\[?\d{1,2}:\d{2}(?::\d{2})?\]?")
_OPERATOR_CUES = re.compile(r"这里是|12345|热线|工号|请问(?:您|你)|有什么可以帮|请讲|请您|您的(?:姓名|电话|地址)|"
                            r"我们会|已经(?:为您|给您)|记录|转交|转办|登记|感谢(?:您的)?来电|还有(?:其他|别的)|稍等|核实|"
                            r"为您服务|回复您|请保持电话畅通")
_CALLER_CUES = re.compile(r"我家|我们家|我们小区|我们村|我要反映|我想反映|我要投诉|我想投诉|我住|帮我|你们|"
                          r"我想问|我想咨询|我是.{0,6}(?:居民|业主|村民|家长)|楼上|楼下|邻居|物业|老板")
_FILLER = re.compile(r"^[\s喂嗯啊哦呃好的对是呀吧那个,.!?，。！？]*$")


class TranscriptError(ValueError):
    """The text has speaker labels but no words after any of them."""


@dataclass(frozen=True)
class Turn:
    speaker: str  # "operator" | "caller" | "unknown"
    text: str


@dataclass(frozen=True)
class Transcript:
    turns: list[Turn] = field(default_factory=list)
    caller_text: str = ""


def parse_transcript(text: str) -> Transcript:
    """Turns in order and the caller's statements joined; raises TranscriptError for labels only."""
    text = text or ""
    canon = normalize(text)
    marks = list(_LABEL.finditer(canon))
    if not marks:
        words = _clean(text)
        return Transcript([Turn("unknown", words)] if words else [], words)
    raw_turns = []
    for mark, following in zip(marks, [*marks[1:], None], strict=True):
        body = _clean(text[mark.end() : following.start() if following else len(text)])
        if body:
            raw_turns.append((_label(mark.group(1)), body))
    if not raw_turns:
        raise TranscriptError("通话记录只有说话人标记，没有内容")
    roles = _roles(raw_turns)
    turns = [Turn(roles[label], body) for label, body in raw_turns]
    caller = [t.text for t in turns if t.speaker == "caller" and not _FILLER.match(t.text)]
    return Transcript(turns, _join(caller))


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
