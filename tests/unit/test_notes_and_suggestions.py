"""Internal notes never reach the resident; the dispatcher's suggestion is the routing rules' pick,
never a department that returned the case; a typed query is read as a number, a phone or words."""

from datetime import UTC, datetime

import pytest

from bot.web.staff.search import CaseQuery, parse_query
from handlers.case import Case, open_case, replay
from handlers.casework import note_action
from handlers.directory import Department, DirectoryIndex, Grid
from handlers.notices import Notices
from handlers.routing import RoutingPolicy, Rule, returned_by, suggest
from handlers.status import Status
from tests.support import DEPARTMENTS, GRIDS

AT = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
NOTICES = Notices({"started": "您的诉求 {number} 正在办理中：{note}", "noted": "{number} 新进展：{note}"})
POLICY = RoutingPolicy(
    rules=(Rule("grid", category="dispute"), Rule("community", category="service", topic="城乡建设"),
           Rule("district", category="service")),
    dispatcher="QH-DISPATCH",
)
INDEX = DirectoryIndex(
    [Grid(**g) for g in GRIDS],  # type: ignore[arg-type]
    [Department(**{**d, "topics": tuple(d["topics"])}) for d in DEPARTMENTS],  # type: ignore[arg-type]
)


def _accepted() -> Case:
    case = open_case("MS-20261127-0001", AT, "resident", text="路灯坏了", user_ref="web:r1", channel="web")
    case.record("dispatch", AT, "system", department="C-T01-C01", level="community")
    case.record("accept", AT, "staff:clerk", handler="clerk")
    return case


def test_the_first_note_for_the_resident_starts_the_work_and_an_internal_one_starts_nothing() -> None:
    case = _accepted()
    assert note_action(case, internal=False) == "start"
    assert note_action(case, internal=True) == "note"
    case.record("start", AT, "staff:clerk", "已联系电工")
    assert note_action(case, internal=False) == "note"


def test_an_internal_note_is_never_pushed_even_where_a_template_would_push_its_kind() -> None:
    case = _accepted()
    internal = case.record(note_action(case, True), AT, "staff:clerk", "居民情绪激动，注意沟通", internal=True)
    assert case.status is Status.ACCEPTED and NOTICES.would_push(case, internal.kind)
    assert NOTICES.render(case, internal) is None
    public = case.record(note_action(case, False), AT, "staff:clerk", "已联系电工，明天上门")
    notice = NOTICES.render(case, public)
    assert case.status is Status.IN_PROGRESS
    assert notice is not None and notice.text.endswith("正在办理中：已联系电工，明天上门")
    assert replay(case.number, case.events).snapshot() == case.snapshot()  # the flag is a fact, not a field


def test_nothing_is_pushed_to_a_case_without_a_resident_to_reach() -> None:
    case = open_case("MS-20261127-0002", AT, "import", text="历史诉求")
    assert not NOTICES.would_push(case, "started")


def _pending(**fields: object) -> Case:
    filed = {"text": "路灯坏了", "category": "service", "topic": "城乡建设", "category_confidence": 0.3,
             "topic_confidence": 0.4, "grid_code": "T01-C01-G01", **fields}
    case = open_case("MS-20261127-0003", AT, "resident", **filed)
    case.record("review", AT, "system", "分类置信度较低（0.30），需人工确认", department="QH-DISPATCH")
    return case


def test_the_suggestion_is_what_the_rules_pick_once_a_person_vouches_for_the_classification() -> None:
    case = _pending()
    dept = suggest(case, POLICY, INDEX)
    assert dept is not None and dept.code == "C-T01-C01"  # not W-T01-C01-G01, the first in the list
    assert not case.classification_confirmed  # the case itself is left as it was


def test_no_suggestion_without_a_place_or_a_class_or_back_to_the_department_that_returned_it() -> None:
    assert suggest(_pending(grid_code=None), POLICY, INDEX) is None
    assert suggest(_pending(topic=None), POLICY, INDEX) is None
    case = _pending()
    case.record("dispatch", AT, "staff:d", department="C-T01-C01", level="community")
    case.record("return", AT, "staff:clerk", "属地不符", department="QH-DISPATCH", level=None)
    assert returned_by(case) == {"C-T01-C01"}
    assert suggest(case, POLICY, INDEX) is None


@pytest.mark.parametrize(("typed", "read"), [
    ("ms-20261127-0001", CaseQuery(number="MS-20261127-0001")),
    ("5678", CaseQuery(phone_tail="5678")),
    ("139 1234 5678", CaseQuery(phone_tail="13912345678")),
    ("+86-139-1234-5678", CaseQuery(phone_tail="13912345678")),
    ("路灯  东门", CaseQuery(words=("路灯", "东门"))),
    ("110", CaseQuery(words=("110",))),
    ("   ", CaseQuery()),
])
def test_a_typed_query_reads_as_a_number_a_phone_or_words(typed: str, read: CaseQuery) -> None:
    assert parse_query(typed) == read
