"""Dashboard arithmetic on hand-built case files, and charts that escape what they draw."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.web.staff.charts import line_chart, stacked_bars
from handlers.case import Case, open_case
from handlers.statistics import (
    bucket,
    classifier_accuracy,
    department_stats,
    granularity,
    satisfaction_trend,
)

T0 = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def walked(*steps: tuple[str, dict[str, object]], version: str | None = "0003") -> Case:
    """A case filed by the classifier (dispute / 城乡建设) that then takes the given actions, an hour apart."""
    extra = {"model_version": version} if version else {}
    case = open_case("MS-1", T0, "r", text="噪音", category="dispute", topic="城乡建设",
                     category_confidence=0.9, topic_confidence=0.7, **extra)
    for hours, (action, changes) in enumerate(steps, start=1):
        case.record(action, T0 + timedelta(hours=hours), "x", **changes)
    return case


def test_overdue_counts_against_the_queue_that_held_the_case() -> None:
    case = walked(
        ("dispatch", {"department": "GRID"}), ("overdue", {}), ("escalate", {"department": "COMMUNITY"}),
        ("accept", {}), ("start", {}), ("resolve", {"reply": "好"}),
    )
    stats = {s.department: s for s in department_stats([case])}
    assert (stats["GRID"].assigned, stats["GRID"].overdue, stats["GRID"].resolved) == (1, 1, 0)
    assert stats["GRID"].overdue_rate == 1.0
    community = stats["COMMUNITY"]
    assert (community.assigned, community.overdue, community.resolved, community.mean_hours) == (1, 0, 1, 2.0)


def test_satisfaction_counts_ratings_and_unrated_archives() -> None:
    rated = walked(("dispatch", {"department": "D"}), ("accept", {}), ("resolve", {"reply": "好"}),
                   ("rate", {"rating": 2}), ("reopen", {}), ("accept", {}), ("resolve", {"reply": "好"}),
                   ("rate", {"rating": 5}), ("close", {}))
    unrated = walked(("dispatch", {"department": "D"}), ("accept", {}), ("resolve", {"reply": "好"}), ("close", {}))
    [point] = satisfaction_trend([rated, unrated], "week", SHANGHAI)
    assert point.period == date(2026, 11, 23) and (point.rated, point.mean, point.satisfied) == (2, 3.5, 1)
    assert point.unrated == 1


def test_accuracy_by_model_version_from_what_staff_kept() -> None:
    kept = walked(("dispatch", {"department": "D"}), ("accept", {}), ("resolve", {"reply": "好"}), ("close", {}))
    corrected = walked(("reclassify", {"topic": "环境保护"}), ("dispatch", {"department": "D"}), ("accept", {}),
                       ("resolve", {"reply": "好"}), ("close", {}))
    unversioned = walked(("dispatch", {"department": "D"}), ("accept", {}), ("resolve", {"reply": "好"}),
                         ("close", {}), version=None)
    still_open = walked(("dispatch", {"department": "D"}))
    by_version = {a.version: a for a in classifier_accuracy([kept, corrected, unversioned, still_open])}
    assert (by_version["0003"].closed, by_version["0003"].topic_correct, by_version["0003"].accuracy) == (2, 1, 0.5)
    assert by_version["未记录"].accuracy == 1.0


def test_buckets_follow_the_span() -> None:
    assert granularity(date(2026, 11, 1), date(2026, 11, 30)) == "day"
    assert granularity(date(2026, 9, 1), date(2026, 11, 30)) == "week"
    assert granularity(date(2026, 1, 1), date(2026, 11, 30)) == "month"
    assert bucket(date(2026, 11, 27), "week") == date(2026, 11, 23)
    assert bucket(date(2026, 11, 27), "month") == date(2026, 11, 1)


def test_charts_escape_labels_and_draw_without_style_attributes() -> None:
    bars = str(stacked_bars(["11-27"], [("<b>纠纷</b>", [3])], "诉求量 & 趋势"))
    line = str(line_chart(["a", "b"], [4.5, None], "满意度", top=5))
    for svg in (bars, line):
        assert svg.startswith("<svg") and svg.endswith("</svg>") and "style=" not in svg
    assert "<b>" not in bars and "&lt;b&gt;纠纷" in bars and "诉求量 &amp; 趋势" in bars
    assert line.count("<circle") == 1
