"""Phone numbers (written or spoken), times, money amounts, case numbers and the detail said after a place,
with spans into the original text."""

import re
from dataclasses import dataclass
from typing import Any

import cn2an
import phonenumbers

from nlu.normalize import normalize

_CN = "零〇一二两三四五六七八九十百千万"
_PHONE_HINT = re.compile(r"\d[\d\- ]{5,}\d")
# How callers read a number aloud, digit by digit: 幺 for 1 and 洞 for 0 (so they are not misheard),
# 两 for 2, 拐 for 7, 勾 for 9; a transcriber writes what was said, pauses as commas or spaces.
SPOKEN_DIGITS = dict(zip("零〇洞幺一二两三四五六七拐八九勾", "0001122345677899", strict=True))
_SPOKEN = "".join(SPOKEN_DIGITS)
_SPOKEN_RUN = re.compile(  # seven or more digits, none glued to a 十/百 that would make them a quantity
    rf"(?=[{_SPOKEN}\d])(?<![{_SPOKEN}\d十百千万])[{_SPOKEN}\d]"
    rf"(?:[\s,、\-—–~]{{0,2}}[{_SPOKEN}\d]){{6,}}(?![{_SPOKEN}\d十百千万])"
)
_DIGIT_GROUP = re.compile(rf"[{_SPOKEN}\d]+")
_LONGEST_NUMBER = 12  # a landline with a four-digit area code
# Invisible characters a copied number may carry: word joiners (our Telegram replies glue the number with
# them so it never breaks across lines), zero-width spaces and joiners, a byte-order mark.
_INVISIBLE = "[\u200b\u200c\u200d\u2060\ufeff]*"
_CASE_SEPARATOR = rf"{_INVISIBLE}[-_ ]?{_INVISIBLE}"
CASE_NUMBER = re.compile(
    rf"(?<![A-Za-z0-9])MS{_CASE_SEPARATOR}(\d{{8}}){_CASE_SEPARATOR}(\d{{1,6}})(?!\d)", re.IGNORECASE
)
# The leading lookaheads name every character a match can start with, so the scan skips other
# positions at once (times are found in a quarter of their former time on real messages).
_MONEY = re.compile(rf"(?=[\d{_CN}])(\d+(?:\.\d+)?|[{_CN}]+)\s*(万元|万块|万|元|块钱|块)(?:钱)?")
_TIME_START = rf"(?=[\d{_CN}今昨前明上这本去每天最早中下傍晚夜半凌])"
_TIME = re.compile(
    rf"{_TIME_START}(?:(?:\d{{4}}年)?(?:\d{{1,2}}|[{_CN}]{{1,3}})月(?:\d{{1,2}}|[{_CN}]{{1,3}})[日号]"
    rf"|\d{{4}}年(?:\d{{1,2}}月)?|\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}"
    rf"|(?:今天|昨天|前天|明天|今晚|昨晚|上周[一二三四五六日天]?|这周|本周|上个月|这个月|去年|今年|最近|每天|天天)"
    rf"(?:(?:早上|上午|中午|下午|傍晚|晚上|夜里|半夜|凌晨)?(?:\d{{1,2}}|[{_CN}]{{1,3}})[点时](?:半|\d{{1,2}}分)?)?"
    rf"|(?:早上|上午|中午|下午|傍晚|晚上|夜里|半夜|凌晨)(?:\d{{1,2}}|[{_CN}]{{1,3}})[点时](?:半|\d{{1,2}}分)?"
    rf"|\d{{1,2}}:\d{{2}}"
    rf"|(?:\d+|[{_CN}]{{1,3}}|半)(?:(?:个多?|多个)月|多?个?(?:小时|天|星期|礼拜|周|年))(?:多|半)?)"
)
# What a caller says right after a place to say where exactly: numbered parts (3号楼2单元501室,
# 负一层, B座), sides (北门, 东侧) and the spots a field worker looks for (地下车库入口, 门口, 楼道).
_NUMERAL = r"(?:\d+|[零〇一二两三四五六七八九十百]+|[A-Za-z]\d*)"
_SPOT = ("地下车库|地下停车场|地下室|地下通道|停车场|车库|出入口|入口|出口|门口|大门|正门|侧门|后门|门岗|门卫室|门卫|"
         "单元门|楼道|楼梯口|楼梯间|楼梯|电梯口|电梯间|电梯厅|电梯|楼顶|天台|顶楼|屋顶|底商|院内|院子|广场|花园|"
         "绿化带|垃圾站|垃圾房|配电房|泵房|路口|拐角|转角|旁边|对面|附近|周边|门前|边上|地下")
_DETAIL = re.compile(
    rf"(?:\s*的?\s*(?:(?:负|地下)?{_NUMERAL}\s*(?:号楼|号院|栋|幢|座|单元|号|室|楼|层|期|区|门|排|弄|巷|组)"
    rf"|[东南西北]{{1,2}}(?:门|侧|边|面|头|角)|{_SPOT}))+"
)
_DETAIL_CHARS = 30


@dataclass(frozen=True)
class Entity:
    type: str  # "place" | "phone" | "time" | "money" | "case_number"
    text: str
    start: int
    end: int
    value: Any = None


def extract_entities(text: str, canon: str | None = None) -> list[Entity]:
    """Every phone, time, money amount and case number in `text`, in reading order.

    `canon` is `normalize(text)` when the caller has it already (the analyzer normalizes once)."""
    canon = canon if canon is not None else normalize(text)
    found = [*phones(text, canon), *case_numbers(text, canon), *_money(text, canon), *_times(text, canon)]
    return sorted(found, key=lambda e: (e.start, e.end))


def case_numbers(text: str, canon: str | None = None) -> list[Entity]:
    canon = canon if canon is not None else normalize(text)
    return [Entity("case_number", text[m.start():m.end()], m.start(), m.end(), f"MS-{m.group(1)}-{m.group(2).zfill(4)}")
            for m in CASE_NUMBER.finditer(canon)]


def phones(text: str, canon: str | None = None) -> list[Entity]:
    """Every valid mainland number, written (138 1234 5678, 010-12345678) or spoken digit by digit
    (幺五九，零一二三，四五六七); the value is E.164."""
    canon = canon if canon is not None else normalize(text)
    found = []
    if _PHONE_HINT.search(canon):
        for match in phonenumbers.PhoneNumberMatcher(canon, "CN", leniency=phonenumbers.Leniency.VALID):
            value = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
            found.append(Entity("phone", text[match.start:match.end], match.start, match.end, value))
    for start, end, value in _spoken_numbers(canon):
        if not any(e.start < end and start < e.end for e in found):
            found.append(Entity("phone", text[start:end], start, end, value))
    return sorted(found, key=lambda e: e.start)


def national(number: str) -> str:
    """+8613800138000 → 13800138000, +861088886666 → 01088886666: the digits as an operator types them."""
    try:
        parsed = phonenumbers.parse(number, "CN")
    except phonenumbers.NumberParseException:
        return re.sub(r"\D", "", number)
    return re.sub(r"\D", "", phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL))


def _spoken_numbers(canon: str) -> list[tuple[int, int, str]]:
    """(start, end, E.164) of numbers read out in Chinese digits. A run of digit groups may hold two
    numbers one after the other, so the longest valid number is taken from each group on."""
    found = []
    for run in _SPOKEN_RUN.finditer(canon):
        groups = list(_DIGIT_GROUP.finditer(canon, run.start(), run.end()))
        first = 0
        while first < len(groups):
            for last in range(len(groups), first, -1):
                start, end = groups[first].start(), groups[last - 1].end()
                value = _valid_number(canon[start:end])
                if value is not None:
                    found.append((start, end, value))
                    first = last
                    break
            else:
                first += 1
    return found


def _valid_number(said: str) -> str | None:
    """E.164 for a said number that is a valid mobile (1[3-9] and 11 digits) or a landline with its
    area code; None for anything else, and for digits written only in Arabic (the matcher has those)."""
    if not any(c in SPOKEN_DIGITS for c in said):
        return None
    digits = "".join(SPOKEN_DIGITS.get(c, c) for c in said if not c.isspace() and c not in ",、-—–~")
    if len(digits) > _LONGEST_NUMBER or not re.fullmatch(r"1[3-9]\d{9}|0\d{9,11}", digits):
        return None
    number = phonenumbers.parse(digits, "CN")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) \
        if phonenumbers.is_valid_number(number) else None


def place_with_detail(text: str, start: int, end: int) -> str:
    """The place said at text[start:end] with the detail said right after it (3号楼地下车库入口):
    the grid needs only the place, but whoever goes there needs the rest."""
    detail = _DETAIL.match(normalize(text[end : end + _DETAIL_CHARS]))
    return text[start : end + (detail.end() if detail else 0)]


def _money(text: str, canon: str) -> list[Entity]:
    found = []
    for match in _MONEY.finditer(canon):
        amount = _number(match.group(1))
        if amount is None:
            continue
        if match.group(2).startswith("万"):
            amount *= 10000
        found.append(Entity("money", text[match.start():match.end()], match.start(), match.end(), amount))
    return found


def _times(text: str, canon: str) -> list[Entity]:
    return [Entity("time", text[m.start():m.end()], m.start(), m.end(), m.group()) for m in _TIME.finditer(canon)]


def _number(raw: str) -> float | None:
    try:
        return float(raw) if raw[0].isdigit() else float(cn2an.cn2an(raw, "smart"))
    except (ValueError, KeyError):
        return None
