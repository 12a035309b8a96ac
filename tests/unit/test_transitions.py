"""Every (action, state) pair: allowed ones move as the table says, the rest are refused untouched."""

from datetime import UTC, datetime

import pytest

from handlers.case import Case, Event, open_case, replay
from handlers.errors import IllegalTransition
from handlers.status import TRANSITIONS, Status

AT = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
PAIRS = [(action, status) for action in TRANSITIONS for status in Status]


def _case_in(status: Status) -> Case:
    case = open_case("MS-20261127-0001", AT, "resident", text="楼上漏水")
    if status is not Status.RECEIVED:
        case.apply(Event("test_setup", AT, "test", Status.RECEIVED, status, seq=2))
    case.new_events.clear()
    return case


@pytest.mark.parametrize(("action", "status"), PAIRS, ids=[f"{a}-{s}" for a, s in PAIRS])
def test_transition_table(action: str, status: Status) -> None:
    allowed_from, to_status = TRANSITIONS[action]
    case = _case_in(status)
    before = (case.snapshot(), len(case.events))
    if status in allowed_from:
        event = case.record(action, AT, "clerk", "note")
        assert case.status is (to_status or status)
        assert event.from_status is status and event.seq == len(case.events)
        assert case.new_events == [event]
    else:
        with pytest.raises(IllegalTransition) as refused:
            case.record(action, AT, "clerk", "note")
        assert "不能" in refused.value.message and status.label in refused.value.message
        assert (case.snapshot(), len(case.events)) == before
        assert case.new_events == []


def test_replay_rebuilds_the_case() -> None:
    case = open_case("MS-20261127-0002", AT, "resident", text="路灯坏了", category="service")
    case.record("dispatch", AT, "system", department="C-1", level="community")
    case.record("accept", AT, "clerk", handler="王")
    case.record("start", AT, "clerk", "已联系电工")
    case.record("resolve", AT, "clerk", reply="已修复")
    case.record("rate", AT, "resident", rating=5)
    case.record("close", AT, "resident", closed_at=AT)
    assert replay(case.number, case.events).snapshot() == case.snapshot()


def test_unknown_field_in_an_event_is_refused() -> None:
    case = open_case("MS-20261127-0003", AT, "resident", text="x")
    with pytest.raises(ValueError):
        case.record("note", AT, "clerk", colour="red")
