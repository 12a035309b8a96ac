"""Early warning (滚动排查、预警): which weekly counts, repeated disputes and 不满意 reopenings deserve
a person's attention. Pure functions over counts and case facts; the scan in bot/warning_scan.py
reads them from storage and keeps the flags.

A surge is judged against the cell's own history (grid × category × topic), not a district-wide
rate: a grid that always has ten disputes a week is not alarming at eleven, and a grid that never
has any is not alarming at one. See docs/architecture.md, "Early warning", for the method.
"""

import hashlib
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from handlers.case import CATEGORY_LABELS

SURGE, REPEAT_PARTY, REPEAT_ADDRESS, REOPENED = "surge", "repeat_party", "repeat_address", "reopened"
KIND_LABELS = {SURGE: "数量异常上升", REPEAT_PARTY: "同一群众反复纠纷", REPEAT_ADDRESS: "同一地址反复纠纷",
               REOPENED: "不满意重办"}
UNKNOWN_TOPIC = "未分类"
WEEK = timedelta(days=7)
_NOT_ADDRESS = re.compile(r"[\s\W_]+")


@dataclass(frozen=True)
class WarningPolicy:
    """The knobs of [warning] in config.toml (the defaults are the documented ones)."""

    history_weeks: int = 12  # past weeks that make a cell's baseline
    min_history_weeks: int = 4  # no surge is judged before the district has this many weeks of cases
    smoothing: float = 0.2  # EWMA weight of the most recent past week
    baseline_floor: float = 0.5  # a quiet cell is taken to expect at least this many cases a week
    false_alarm: float = 0.001  # chance that a cell at its baseline reaches the warning line by luck
    min_count: int = 3  # a week with fewer cases than this is never a surge
    repeat_days: int = 30  # window for repeated disputes by the same resident or at the same address
    repeat_min: int = 3  # disputes within that window that make a repeat
    scan_minutes: float = 60  # how often the scheduler scans

    def __post_init__(self) -> None:
        problems = [
            f"{name} 应为正数" for name in ("history_weeks", "min_history_weeks", "baseline_floor", "min_count",
                                          "repeat_days", "repeat_min", "scan_minutes")
            if getattr(self, name) <= 0
        ]
        if not 0 < self.smoothing <= 1:
            problems.append("smoothing 应在 0 到 1 之间（不含 0）")
        if not 0 < self.false_alarm < 0.5:
            problems.append("false_alarm 应在 0 到 0.5 之间")
        if self.min_history_weeks > self.history_weeks:
            problems.append("min_history_weeks 不能大于 history_weeks")
        if problems:
            raise ValueError("[warning] " + "；".join(problems))


@dataclass(frozen=True)
class Cell:
    grid: str
    category: str
    topic: str


@dataclass(frozen=True)
class Flag:
    """One thing to look into. `key` makes it one row however often the scan finds it again."""

    kind: str
    week: date  # the Monday of the week it is about (local time)
    grid: str | None
    subject: str  # the cell, a resident's digest, a normalised address, or a case number
    count: int
    category: str | None = None
    topic: str | None = None
    baseline: float | None = None
    threshold: int | None = None
    cases: tuple[str, ...] = field(default=(), compare=False)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.week.isoformat()}:{self.grid or '-'}:{self.subject}"[:200]


@dataclass(frozen=True)
class DisputeFiled:
    """A dispute as the repeat check sees it; `party` is the resident (phone, else channel id), "" when
    nothing identifies them (an anonymous Open311 or imported case, personal data erased)."""

    number: str
    grid: str | None
    party: str
    address: str | None
    day: date  # local day filed


@dataclass(frozen=True)
class Reopening:
    """A case sent back because its resident rated the reply 不满意."""

    number: str
    grid: str | None
    category: str | None
    topic: str | None
    day: date  # local day it was reopened
    rating: int | None
    times: int  # reopen_count after this reopening


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def ewma(history: Sequence[int], smoothing: float) -> float:
    """Exponentially weighted mean, oldest week first, started at the plain mean so that the
    first week does not dominate a short history."""
    level = sum(history) / len(history)
    for value in history:
        level = smoothing * value + (1 - smoothing) * level
    return level


def warning_line(baseline: float, policy: WarningPolicy) -> int:
    """The smallest weekly count that a Poisson(baseline) cell reaches with probability at most
    `false_alarm`, and never below `min_count`."""
    tail, k = 1.0, 0  # tail = P(X >= k)
    while tail > policy.false_alarm:
        tail -= math.exp(k * math.log(baseline) - baseline - math.lgamma(k + 1))  # minus P(X = k)
        k += 1
    return max(k, policy.min_count)


def surges(counts: Mapping[tuple[Cell, date], int], week: date, first_week: date, policy: WarningPolicy) -> list[Flag]:
    """Cells whose count in `week` reaches their warning line. Weeks before `first_week` (the
    district's first case) are no history at all rather than a run of zeros."""
    history_weeks = [week - WEEK * i for i in range(policy.history_weeks, 0, -1)]
    history_weeks = [w for w in history_weeks if w >= first_week]
    if len(history_weeks) < policy.min_history_weeks:
        return []
    found = []
    for (cell, when), count in counts.items():
        if when != week or count < policy.min_count:
            continue
        history = [counts.get((cell, w), 0) for w in history_weeks]
        baseline = max(ewma(history, policy.smoothing), policy.baseline_floor)
        line = warning_line(baseline, policy)
        if count >= line:
            found.append(Flag(SURGE, week, cell.grid, f"{cell.category}/{cell.topic}", count, cell.category,
                              cell.topic, round(baseline, 2), line))
    return sorted(found, key=lambda f: (f.grid or "", f.subject))


def repeats(disputes: Iterable[DisputeFiled], week: date, policy: WarningPolicy) -> list[Flag]:
    """Residents and addresses with `repeat_min` disputes in the `repeat_days` ending with `week`,
    at least one of them filed in `week` (so last month's repeat is not raised again every week)."""
    end = week + WEEK
    start = end - timedelta(days=policy.repeat_days)
    groups: dict[tuple[str, str], list[DisputeFiled]] = defaultdict(list)
    for d in disputes:
        if start <= d.day < end:
            if d.party:
                groups[(REPEAT_PARTY, party_digest(d.party))].append(d)
            place = address_key(d.address)
            if place:
                groups[(REPEAT_ADDRESS, place)].append(d)
    found = []
    for (kind, subject), group in sorted(groups.items()):
        if len(group) >= policy.repeat_min and any(d.day >= week for d in group):
            group.sort(key=lambda d: (d.day, d.number))
            found.append(Flag(kind, week, group[-1].grid, subject, len(group), "dispute",
                              cases=tuple(d.number for d in group)))
    return found


def reopenings(reopened: Iterable[Reopening], week: date) -> list[Flag]:
    """Every 不满意 reopening in `week`, one flag each (a second reopening is a second flag)."""
    return [
        Flag(REOPENED, week, r.grid, f"{r.number}#{r.times}", r.times, r.category, r.topic,
             threshold=r.rating, cases=(r.number,))
        for r in sorted(reopened, key=lambda r: (r.day, r.number))
        if week <= r.day < week + WEEK
    ]


def party_digest(party: str) -> str:
    """Who complained, without keeping their phone or account in the flag."""
    return "p:" + hashlib.sha256(party.encode()).hexdigest()[:16]


def address_key(address: str | None) -> str:
    """An address compared without spaces and punctuation (「幸福路 25 号」 = 「幸福路25号。」)."""
    return _NOT_ADDRESS.sub("", address or "").casefold()


def describe(flag: Flag, grid_label: str, this_week: date, history_weeks: int) -> str:
    """The reason in the words a supervisor reads, e.g. 「幸福社区第1网格 本周矛盾纠纷·邻里纠纷 7 件，
    近 12 周加权平均 1.5 件，达到预警线 7 件」."""
    when = _week_said(flag.week, this_week)
    what = CATEGORY_LABELS.get(flag.category or "", flag.category or "")
    if flag.kind == SURGE:
        topic = f"·{flag.topic}" if flag.topic and flag.topic != UNKNOWN_TOPIC else ""
        return (f"{grid_label} {when}{what}{topic} {flag.count} 件，近 {history_weeks} 周加权平均 "
                f"{flag.baseline or 0:.1f} 件，达到预警线 {flag.threshold} 件")
    if flag.kind == REPEAT_PARTY:
        return f"{grid_label} 同一群众近期反复反映矛盾纠纷 {flag.count} 件（{'、'.join(flag.cases)}），{when}又有新件"
    if flag.kind == REPEAT_ADDRESS:
        return f"{grid_label} 同一地址近期矛盾纠纷 {flag.count} 件（{'、'.join(flag.cases)}），{when}又有新件"
    rating = f"评价 {flag.threshold} 分，" if flag.threshold else ""
    times = f"第 {flag.count} 次重办" if flag.count > 1 else "已重办"
    return f"{grid_label} {flag.cases[0]}（{what}{'·' + flag.topic if flag.topic else ''}）群众{rating}不满意，{times}"


def _week_said(week: date, this_week: date) -> str:
    if week == this_week:
        return "本周"
    if week == this_week - WEEK:
        return "上周"
    return f"{week.month}月{week.day}日起一周"
