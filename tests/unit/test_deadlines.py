"""Working-day deadlines across China's statutory holidays and their adjusted working days (调休).

2026 comes from chinesecalendar; 2027 is not announced yet, so the fallback (weekends plus the
holidays listed in config) is used and the deadline says it is an estimate.
"""

import logging
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from handlers.deadlines import Duration, WorkCalendar, parse_sla_table

SHANGHAI = ZoneInfo("Asia/Shanghai")
SPRING_FESTIVAL_2027 = [date(2027, 2, 6) + timedelta(days=i) for i in range(7)]
CALENDAR = WorkCalendar("Asia/Shanghai", [date(2027, 1, 1), *SPRING_FESTIVAL_2027])


def local(y: int, m: int, d: int, hour: int = 10) -> datetime:
    return datetime(y, m, d, hour, tzinfo=SHANGHAI)


def end_of(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 23, 59, 59, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("start", "duration", "expected"),
    [
        # Spring Festival 2026: rest 2/15 (Sun) – 2/23 (Mon); Saturdays 2/14 and 2/28 are working days.
        (local(2026, 2, 12), "5 working days", end_of(2026, 2, 26)),
        (local(2026, 2, 13), "1 working day", end_of(2026, 2, 14)),
        (local(2026, 2, 14), "1 working day", end_of(2026, 2, 24)),
        (local(2026, 2, 27), "1 working day", end_of(2026, 2, 28)),
        (local(2026, 2, 13), "15 days", end_of(2026, 2, 28)),
        # National Day 2026: rest 10/1 – 10/7; Sunday 9/20 and Saturday 10/10 are working days,
        # and the Mid-Autumn Festival takes Friday 9/25.
        (local(2026, 9, 19), "1 working day", end_of(2026, 9, 20)),
        (local(2026, 9, 24), "1 working day", end_of(2026, 9, 28)),
        (local(2026, 9, 30), "1 working day", end_of(2026, 10, 8)),
        (local(2026, 9, 30), "5 working days", end_of(2026, 10, 13)),
        (local(2026, 10, 9), "1 working day", end_of(2026, 10, 10)),
        (local(2026, 9, 30), "15 days", end_of(2026, 10, 15)),
    ],
)
def test_deadlines_across_the_2026_holidays(start: datetime, duration: str, expected: datetime) -> None:
    deadline = CALENDAR.deadline(start, Duration.parse(duration))
    assert deadline.at == expected
    assert not deadline.estimated


def test_the_local_day_counts_not_the_utc_one() -> None:
    # 01:00 on Saturday 14 February in Shanghai is still Friday in UTC.
    start = datetime(2026, 2, 13, 17, 0, tzinfo=UTC)
    assert CALENDAR.deadline(start, Duration.parse("1 working day")).at == end_of(2026, 2, 24)


@pytest.mark.parametrize(
    ("start", "duration", "expected"),
    [
        (local(2026, 12, 30), "5 working days", end_of(2027, 1, 7)),  # 1/1 from config, then a weekend
        (local(2027, 2, 5), "1 working day", end_of(2027, 2, 15)),  # Spring Festival 2027 from config
        (local(2027, 2, 5), "5 working days", end_of(2027, 2, 19)),
    ],
)
def test_years_chinesecalendar_does_not_know_use_the_configured_fallback(
    start: datetime, duration: str, expected: datetime, caplog: pytest.LogCaptureFixture
) -> None:
    calendar = WorkCalendar("Asia/Shanghai", [date(2027, 1, 1), *SPRING_FESTIVAL_2027])
    with caplog.at_level(logging.WARNING, logger="handlers.deadlines"):
        deadline = calendar.deadline(start, Duration.parse(duration))
        calendar.deadline(start, Duration.parse(duration))
    assert deadline.at == expected and deadline.estimated
    assert len([r for r in caplog.records if "no official holiday data for 2027" in r.message]) == 1


def test_calendar_days_into_an_unknown_year_are_exact() -> None:
    """信访 60 days filed in late 2026 ends in 2027, but calendar days need no holiday table."""
    deadline = CALENDAR.deadline(local(2026, 11, 27), Duration.parse("60 days"))
    assert deadline.at == end_of(2027, 1, 26) and not deadline.estimated


def test_sla_table_from_config() -> None:
    table = parse_sla_table(
        {"petition": {"sign": "15 days", "resolve": "60 days", "max_extension": "30 days"},
         "service": {"sign": "1 working day", "resolve": "5 working days"}}
    )
    assert table["petition"].max_extension == Duration(30, False)
    assert table["service"].resolve == Duration(5, True) and table["service"].max_extension is None
    assert table["service"].resolve.label == "5 个工作日"


@pytest.mark.parametrize("text", ["5 weeks", "working days", "-1 days", "五天"])
def test_bad_durations_are_refused_in_chinese(text: str) -> None:
    with pytest.raises(ValueError, match="时限格式不正确"):
        Duration.parse(text)
