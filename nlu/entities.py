"""Phone numbers, times, money amounts and case numbers, with spans into the original text."""

import re
from dataclasses import dataclass
from typing import Any

import cn2an
import phonenumbers

from nlu.normalize import normalize

_CN = "零〇一二两三四五六七八九十百千万"
_PHONE_HINT = re.compile(r"\d[\d\- ]{5,}\d")
CASE_NUMBER = re.compile(r"(?<![A-Za-z0-9])MS[-_ ]?(\d{8})[-_ ]?(\d{1,6})(?!\d)", re.IGNORECASE)
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


def phones(text: str, canon: str) -> list[Entity]:
    if not _PHONE_HINT.search(canon):
        return []
    found = []
    for match in phonenumbers.PhoneNumberMatcher(canon, "CN", leniency=phonenumbers.Leniency.VALID):
        value = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        found.append(Entity("phone", text[match.start:match.end], match.start, match.end, value))
    return found


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
