"""Time limits (限时办理) in calendar or working days, with China's statutory holidays.

chinesecalendar only knows the years the State Council has announced; past that we fall back
to weekends plus the holidays listed in config, and say so on the deadline instead of crashing.
"""

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

log = logging.getLogger(__name__)
_DURATION = re.compile(r"^\s*(\d+)\s*(working\s+days?|days?)\s*$")


@dataclass(frozen=True)
class Duration:
    amount: int
    working: bool

    @classmethod
    def parse(cls, text: str) -> "Duration":
        match = _DURATION.match(text)
        if not match:
            raise ValueError(f"时限格式不正确：{text!r}（应为 \"5 working days\" 或 \"15 days\"）")
        return cls(int(match.group(1)), match.group(2).startswith("working"))

    @property
    def label(self) -> str:
        return f"{self.amount} 个工作日" if self.working else f"{self.amount} 天"


@dataclass(frozen=True)
class Sla:
    sign: Duration
    resolve: Duration
    max_extension: Duration | None = None


@dataclass(frozen=True)
class Deadline:
    at: datetime
    estimated: bool  # True when a year outside chinesecalendar's range was involved


class WorkCalendar:
    def __init__(self, tz: str = "Asia/Shanghai", extra_holidays: Iterable[date] = ()) -> None:
        self.tz = ZoneInfo(tz)
        self.extra_holidays = frozenset(extra_holidays)
        self._warned_years: set[int] = set()

    def is_workday(self, day: date) -> tuple[bool, bool]:
        """(is a working day, whether the official calendar knew the answer)."""
        try:
            return chinese_calendar.is_workday(day), True
        except NotImplementedError:
            return day.weekday() < 5 and day not in self.extra_holidays, False

    def deadline(self, start: datetime, duration: Duration) -> Deadline:
        """End of the local day on which `duration` runs out, counted from the day after `start`."""
        day = start.astimezone(self.tz).date()
        known_all = True
        if duration.working:
            remaining = duration.amount
            while remaining > 0:
                day += timedelta(days=1)
                workday, known = self.is_workday(day)
                known_all &= known
                remaining -= workday
        else:
            day += timedelta(days=duration.amount)
        if not known_all and day.year not in self._warned_years:
            self._warned_years.add(day.year)
            log.warning("no official holiday data for %s: deadlines use weekends plus [calendar] extra_holidays", day.year)
        end = datetime.combine(day, time(23, 59, 59), tzinfo=self.tz)
        return Deadline(end, not known_all)


def parse_sla_table(table: Mapping[str, Mapping[str, str]]) -> dict[str, Sla]:
    """Build the per-category SLA table from config, e.g. {"service": {"sign": "1 working day", ...}}."""
    result = {}
    for category, row in table.items():
        extension = row.get("max_extension")
        result[category] = Sla(
            sign=Duration.parse(row["sign"]),
            resolve=Duration.parse(row["resolve"]),
            max_extension=Duration.parse(extension) if extension else None,
        )
    return result
