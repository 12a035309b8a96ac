"""What the leadership dashboard says about case files: per-department timeliness, satisfaction,
how often staff had to correct the classifier, and what grid workers found on patrol. Pure
functions over cases and their logs."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.case import PATROL, SOURCE_LABELS, Case
from handlers.status import Status

ASSIGNING = frozenset({"dispatched", "transferred", "escalated", "reopened"})
UNRECORDED_VERSION = "未记录"


@dataclass(frozen=True)
class DepartmentStats:
    department: str
    assigned: int  # times a case landed in its queue
    overdue: int  # times a deadline passed while it held a case
    resolved: int
    mean_hours: float | None  # 签收 → 办结, over the cases it resolved

    @property
    def overdue_rate(self) -> float:
        return self.overdue / self.assigned if self.assigned else 0.0


@dataclass(frozen=True)
class SatisfactionPoint:
    period: date
    rated: int
    mean: float | None
    satisfied: int  # rated 3 or more
    unrated: int  # closed after a reply without any rating (未评价)


@dataclass(frozen=True)
class AccuracyStats:
    version: str
    closed: int  # closed cases whose category or topic the classifier suggested
    category_correct: int
    topic_correct: int
    both_correct: int

    @property
    def accuracy(self) -> float:
        return self.both_correct / self.closed if self.closed else 0.0


@dataclass(frozen=True)
class PatrolCount:
    """Patrol reports (巡查上报) of one grid or one worker: settled on the spot or sent on."""

    key: str  # a grid code ("" when no grid was settled) or the reporting worker's actor
    reports: int
    settled: int  # 已现场化解: 小事不出网格

    @property
    def reported_up(self) -> int:
        return self.reports - self.settled


def source_counts(cases: Iterable[Case]) -> dict[str, int]:
    """Cases by where they came from (群众反映, 巡查), every source present even when none came."""
    counts = dict.fromkeys(SOURCE_LABELS, 0)
    for case in cases:
        counts[case.source] = counts.get(case.source, 0) + 1
    return counts


def settled_on_spot(case: Case) -> bool:
    """已现场化解: the worker who filed the report closed it themselves (lifecycle._settle_on_spot).
    A report sent on closes on a rating, unrated or by a clerk, never by the hand that filed it."""
    filer = case.events[0].actor if case.events else None
    return case.source == PATROL and any(e.kind == "closed" and e.actor == filer for e in case.events)


def patrol_counts(cases: Iterable[Case]) -> tuple[list[PatrolCount], list[PatrolCount]]:
    """Patrol reports per grid and per reporting worker, most reports first."""
    by_grid: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_worker: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for case in cases:
        if case.source != PATROL or not case.events:
            continue
        settled = settled_on_spot(case)
        for row in (by_grid[case.grid_code or ""], by_worker[case.events[0].actor]):
            row[0] += 1
            row[1] += settled
    return _ranked(by_grid), _ranked(by_worker)


def _ranked(counts: dict[str, list[int]]) -> list[PatrolCount]:
    found = (PatrolCount(key, n, settled) for key, (n, settled) in counts.items())
    return sorted(found, key=lambda c: (-c.reports, c.key))


def granularity(since: date, until: date) -> str:
    """Day buckets for a month or less, weeks up to half a year, months beyond."""
    span = (until - since).days
    return "day" if span <= 31 else "week" if span <= 183 else "month"


def bucket(day: date, unit: str) -> date:
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def department_stats(cases: Iterable[Case]) -> list[DepartmentStats]:
    """Replays each log to know which queue held the case at every step."""
    assigned: dict[str, int] = defaultdict(int)
    overdue: dict[str, int] = defaultdict(int)
    hours: dict[str, list[float]] = defaultdict(list)
    for case in cases:
        holder, accepted_at = None, None
        for event in case.events:
            holder = event.changes.get("department", holder)
            if holder is None:
                continue
            if event.kind in ASSIGNING:
                assigned[holder] += 1
            elif event.kind == "overdue":
                overdue[holder] += 1
            elif event.kind == "accepted":
                accepted_at = event.at
            elif event.kind == "resolved" and accepted_at is not None:
                hours[holder].append((event.at - accepted_at).total_seconds() / 3600)
    codes = sorted(set(assigned) | set(hours))
    return [
        DepartmentStats(code, assigned[code], overdue[code], len(hours[code]),
                        sum(hours[code]) / len(hours[code]) if hours[code] else None)
        for code in codes
    ]


def satisfaction_trend(cases: Iterable[Case], unit: str, tz: ZoneInfo) -> list[SatisfactionPoint]:
    """Ratings (回访) by when they were given, and archives without one, by when they were closed."""
    ratings: dict[date, list[int]] = defaultdict(list)
    unrated: dict[date, int] = defaultdict(int)
    for case in cases:
        replied, previous = False, None
        for event in case.events:
            period = bucket(_local_day(event.at, tz), unit)
            if event.kind == "rated":
                ratings[period].append(int(event.changes["rating"]))
            elif event.kind == "closed" and replied and previous != "rated":
                unrated[period] += 1
            replied = replied or event.kind == "resolved"
            previous = event.kind
    return [
        SatisfactionPoint(period, len(ratings[period]),
                          sum(ratings[period]) / len(ratings[period]) if ratings[period] else None,
                          sum(1 for r in ratings[period] if r >= 3), unrated[period])
        for period in sorted(set(ratings) | set(unrated))
    ]


def classifier_accuracy(cases: Iterable[Case]) -> list[AccuracyStats]:
    """Closed cases the classifier labelled: was its category and topic what staff finally kept?"""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for case in cases:
        if case.status is not Status.CLOSED or not case.events or case.events[0].kind != "filed":
            continue
        filed = case.events[0].changes
        if filed.get("category_confidence") is None and filed.get("topic_confidence") is None:
            continue
        row = counts[filed.get("model_version") or UNRECORDED_VERSION]
        category_ok = filed.get("category") == case.category
        topic_ok = filed.get("topic") == case.topic
        row[0] += 1
        row[1] += category_ok
        row[2] += topic_ok
        row[3] += category_ok and topic_ok
    return [AccuracyStats(version, *row) for version, row in sorted(counts.items())]


def _local_day(moment: datetime, tz: ZoneInfo) -> date:
    return moment.astimezone(tz).date()
