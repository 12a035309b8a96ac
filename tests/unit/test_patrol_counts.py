"""Patrol reports on the dashboard: counted apart from residents' cases, per grid and per worker,
settled on the spot only when the hand that filed the report closed it."""

from datetime import UTC, datetime

from handlers.case import Case, open_case
from handlers.statistics import patrol_counts, settled_on_spot, source_counts

T0 = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


def filed(number: str, actor: str, grid: str, closer: str | None = None, **changes: object) -> Case:
    case = open_case(number, T0, actor, text="井盖破损", grid_code=grid, **changes)
    if closer is not None:
        for action, extra in (("dispatch", {"department": "W-G1"}), ("accept", {}), ("resolve", {"reply": "好了"}),
                              ("close", {})):
            case.record(action, T0, closer, **extra)
    return case


def test_reports_count_per_grid_and_worker_and_only_the_reporters_own_closing_is_on_the_spot() -> None:
    cases = [
        filed("MS-1", "staff:wang", "G1", closer="staff:wang", source="patrol"),
        filed("MS-2", "staff:wang", "G2", closer="resident:web:x", source="patrol"),  # sent on, closed on a rating
        filed("MS-3", "staff:li", "G1", source="patrol"),
        filed("MS-4", "resident:web:x", "G1", closer="resident:web:x"),
    ]
    assert [settled_on_spot(c) for c in cases] == [True, False, False, False]
    assert source_counts(cases) == {"resident": 1, "patrol": 3}
    grids, workers = patrol_counts(cases)
    assert [(g.key, g.reports, g.settled, g.reported_up) for g in grids] == [("G1", 2, 1, 1), ("G2", 1, 0, 1)]
    assert [(w.key, w.reports, w.settled) for w in workers] == [("staff:wang", 2, 1), ("staff:li", 1, 0)]
