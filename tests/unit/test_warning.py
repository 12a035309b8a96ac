"""Early-warning judgement on made-up counts: noise stays quiet, an injected surge is flagged, small
numbers never are, and the same finding is the same flag."""

import random
from datetime import date, timedelta

import pytest

from handlers.warning import (
    REOPENED,
    REPEAT_ADDRESS,
    REPEAT_PARTY,
    SURGE,
    Cell,
    DisputeFiled,
    Reopening,
    WarningPolicy,
    describe,
    ewma,
    reopenings,
    repeats,
    surges,
    warning_line,
    week_start,
)

POLICY = WarningPolicy()
WEEK0 = date(2026, 6, 1)  # a Monday
CELL = Cell("G01", "dispute", "邻里纠纷")


def weeks(n: int) -> list[date]:
    return [WEEK0 + timedelta(weeks=i) for i in range(n)]


def history(values: list[int], cell: Cell = CELL) -> dict[tuple[Cell, date], int]:
    return {(cell, week): n for week, n in zip(weeks(len(values)), values, strict=True) if n}


def poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: plenty for means of a few cases a week."""
    limit, k, product = 2.718281828459045 ** -mean, 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def test_the_warning_line_is_a_poisson_tail_and_never_below_the_minimum() -> None:
    assert warning_line(1.5, POLICY) == 7  # P(X >= 7 | 1.5) < 0.001 <= P(X >= 6 | 1.5)
    assert warning_line(0.01, POLICY) == POLICY.min_count
    assert warning_line(20, POLICY) > 20 + 3 * 20**0.5
    assert warning_line(900, POLICY) > 900  # no underflow in the far tail


def test_ewma_leans_to_recent_weeks() -> None:
    assert ewma([0, 0, 0, 4], 0.2) > ewma([4, 0, 0, 0], 0.2)
    assert ewma([2, 2, 2], 0.2) == pytest.approx(2)


def test_no_flag_on_a_year_of_noise() -> None:
    rng = random.Random(7)
    cells = [Cell(f"G{i:02}", "dispute", "邻里纠纷") for i in range(36)]
    counts = {(cell, week): n for cell in cells for week in weeks(52) if (n := poisson(rng, 1.5))}
    flagged = [f for week in weeks(52)[12:] for f in surges(counts, week, WEEK0, POLICY)]
    assert len(flagged) <= 4  # 36 cells x 40 weeks: a nominal 1 in 1,000, a little more for an estimated baseline


def test_an_injected_surge_is_flagged_with_its_figures() -> None:
    counts = history([2, 1] * 6 + [7])
    [flag] = surges(counts, weeks(13)[-1], WEEK0, POLICY)
    assert (flag.kind, flag.grid, flag.count, flag.category, flag.topic) == (SURGE, "G01", 7, "dispute", "邻里纠纷")
    assert flag.baseline == pytest.approx(1.5, abs=0.1) and flag.threshold == 7
    said = describe(flag, "幸福社区第1网格", flag.week, POLICY.history_weeks)
    assert said == "幸福社区第1网格 本周矛盾纠纷·邻里纠纷 7 件，近 12 周加权平均 1.4 件，达到预警线 7 件"


def test_a_quiet_grid_going_from_nothing_to_one_or_two_is_not_a_surge() -> None:
    for count in (1, 2, 3, 4):
        assert surges(history([0] * 12 + [count]), weeks(13)[-1], WEEK0, POLICY) == []
    assert len(surges(history([0] * 12 + [5]), weeks(13)[-1], WEEK0, POLICY)) == 1


def test_the_minimum_count_holds_even_where_the_tail_is_lower() -> None:
    strict = WarningPolicy(min_count=10, false_alarm=0.2)
    assert surges(history([0] * 12 + [9]), weeks(13)[-1], WEEK0, strict) == []


def test_no_surge_before_the_district_has_enough_history() -> None:
    counts = history([0, 0, 9])
    assert surges(counts, weeks(3)[-1], WEEK0, POLICY) == []
    assert surges(history([0] * 12 + [9]), weeks(13)[-1], weeks(13)[11], POLICY) == []  # only 2 weeks of data


def test_the_same_surge_is_the_same_flag() -> None:
    counts = history([2, 1] * 6 + [7])
    first = surges(counts, weeks(13)[-1], WEEK0, POLICY)
    counts[(CELL, weeks(13)[-1])] = 9  # more cases later the same week
    again = surges(counts, weeks(13)[-1], WEEK0, POLICY)
    assert [f.key for f in first] == [f.key for f in again] and again[0].count == 9


def dispute(number: str, day: date, party: str = "tg:1", address: str | None = None) -> DisputeFiled:
    return DisputeFiled(number, "G01", party, address, day)


def test_repeated_disputes_by_one_resident_or_at_one_address() -> None:
    week = week_start(date(2026, 11, 25))
    filed = [dispute("A", week - timedelta(days=20), address="幸福路 25 号"),
             dispute("B", week - timedelta(days=3), party="tg:2", address="幸福路25号。"),
             dispute("C", week + timedelta(days=1), address="幸福路25号")]
    found = repeats(filed, week, POLICY)
    assert [(f.kind, f.count, f.cases) for f in found] == [(REPEAT_ADDRESS, 3, ("A", "B", "C"))]
    filed.append(dispute("D", week + timedelta(days=2)))
    kinds = {f.kind: f for f in repeats(filed, week, POLICY)}
    assert kinds[REPEAT_PARTY].cases == ("A", "C", "D") and "tg:1" not in kinds[REPEAT_PARTY].subject


def test_residents_nobody_can_identify_are_not_one_resident() -> None:
    """Anonymous Open311 cases and cases whose personal data was erased have no party: never a repeat."""
    week = week_start(date(2026, 11, 25))
    filed = [dispute(n, week + timedelta(days=d), party="") for n, d in (("A", 0), ("B", 1), ("C", 2))]
    assert repeats(filed, week, POLICY) == []


def test_a_repeat_is_raised_in_the_week_it_grew_only() -> None:
    week = week_start(date(2026, 11, 25))
    filed = [dispute(n, week - timedelta(days=d)) for n, d in (("A", 6), ("B", 5), ("C", 3))]
    assert repeats(filed, week, POLICY) == []  # all three were last week
    assert len(repeats(filed, week - timedelta(days=7), POLICY)) == 1
    assert repeats(filed[:2], week - timedelta(days=7), POLICY) == []


def test_each_unsatisfied_reopening_is_one_flag() -> None:
    week = week_start(date(2026, 11, 25))
    items = [Reopening("MS-1", "G01", "dispute", "邻里纠纷", week + timedelta(days=1), 1, 1),
             Reopening("MS-1", "G01", "dispute", "邻里纠纷", week + timedelta(days=4), 2, 2),
             Reopening("MS-2", "G01", "service", None, week - timedelta(days=1), 2, 1)]
    found = reopenings(items, week)
    assert [(f.kind, f.subject) for f in found] == [(REOPENED, "MS-1#1"), (REOPENED, "MS-1#2")]
    assert describe(found[1], "一网格", week, 8) == "一网格 MS-1（矛盾纠纷·邻里纠纷）群众评价 2 分，不满意，第 2 次重办"


def test_a_bad_setting_is_refused_in_chinese() -> None:
    with pytest.raises(ValueError, match="smoothing"):
        WarningPolicy(smoothing=0)
