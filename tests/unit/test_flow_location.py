"""Every way to the grid: a place named in the complaint, choices, a typed address, a map point,
and the way out when none of them works (never more than two failed tries)."""

import pytest

from flows import contact, intake, location
from flows.state import Candidate, ConversationState
from tests.conversations.kit import at_step, context, said, turn, understood, values

XINGFU = ("QH01-C01-G01", "幸福里小区", 0.95)
WUTONG_HEARD = ("QH02-C01-G03", "梧桐苑", 0.85, "梧铜苑")  # a homophone slip: never certain


def _asked(*places: tuple[str, str, float]) -> ConversationState:
    """An intake whose classification was just confirmed, with these places from the complaint."""
    state = at_step(ConversationState(), intake.CONFIRM_CLASS, candidates=tuple(Candidate(*p) for p in places))
    return turn(state, "对", u=understood("affirm")).state


def test_a_certain_place_from_the_complaint_is_taken_and_said() -> None:
    state = at_step(ConversationState(), intake.CONFIRM_CLASS, candidates=(Candidate(*XINGFU),))
    out = turn(state, "对", u=understood("affirm"))
    assert "地点记为：青禾街道幸福社区第1网格（幸福里小区）（不对的话随时告诉我）" in said(out)
    assert out.state.draft is not None and out.state.draft.grid_code == "QH01-C01-G01"
    assert out.state.draft.location_by == "text" and out.state.step == contact.SUMMARY


def test_a_long_road_alone_in_the_complaint_is_said_to_be_too_broad_when_asking_where() -> None:
    state = at_step(ConversationState(), intake.CONFIRM_CLASS, parts=("青禾大道上的路灯坏了一个多星期了",))
    out = turn(state, "对", u=understood("affirm"))
    assert out.state.step == location.ASK and "“青禾大道”范围比较大，请补充门牌号" in said(out)


@pytest.mark.parametrize(("answer", "joins"), [("幸福里小区3栋，他们家还养了条大狗晚上一直叫，物业也不管", True),
                                            ("幸福里小区3栋，就是进大门往左走到底的那一栋", False)])
def test_more_of_the_story_beside_the_place_joins_the_complaint_but_the_way_there_does_not(answer: str,
                                                                                       joins: bool) -> None:
    state = at_step(ConversationState(), location.ASK, class_done=True)
    out = turn(state, answer)
    assert out.state.draft is not None and out.state.draft.grid_code == "QH01-C01-G01"
    assert (answer in out.state.draft.parts) == joins


def test_an_uncertain_place_from_the_complaint_is_confirmed() -> None:
    state = _asked(WUTONG_HEARD)
    assert state.step == location.CONFIRM and "梧桐苑附近（白溪街道白溪社区第3网格），对吗？" in state.question
    out = turn(state, "对", u=understood("affirm"))
    assert out.state.draft is not None and out.state.draft.grid_code == "QH02-C01-G03"
    assert out.state.draft.location_by == "text" and out.state.step == contact.SUMMARY


def test_a_place_taken_from_the_complaint_is_corrected_at_the_next_question() -> None:
    state = turn(at_step(ConversationState(), intake.CONFIRM_CLASS, candidates=(Candidate(*XINGFU),)), "对",
                 u=understood("affirm")).state
    out = turn(state, "不对，在和平新村", u=understood("deny", confidence=0.8))
    assert out.state.draft is not None and out.state.draft.grid_code == "QH01-C01-G02"
    assert out.state.step == contact.SUMMARY


def test_several_places_are_offered_as_choices() -> None:
    state = _asked(("QH01-C03-G01", "东方花园一期", 0.9), ("QH01-C04-G01", "东方花园二期", 0.9))
    assert state.step == location.PICK
    assert [v for _, v in state.offered] == ["grid:QH01-C03-G01", "grid:QH01-C04-G01", "none"]
    out = turn(state, "2")
    assert out.state.draft is not None and out.state.draft.grid_code == "QH01-C04-G01"
    assert out.state.draft.address == "东方花园二期"


@pytest.mark.parametrize("answer", ["二期", "二期的", "东方花园二期"])
def test_the_words_that_tell_places_of_one_name_apart_pick_one(answer: str) -> None:
    state = _asked(("QH01-C03-G01", "东方花园一期", 0.9), ("QH01-C04-G01", "东方花园二期", 0.9))
    out = turn(state, answer)
    assert out.state.draft is not None and out.state.draft.grid_code == "QH01-C04-G01", said(out)


def test_none_of_them_asks_where_with_streets_and_a_map_button() -> None:
    state = _asked(("QH01-C03-G01", "东方花园一期", 0.9), ("QH01-C04-G01", "东方花园二期", 0.9))
    out = turn(state, "都不是")
    assert out.state.step == location.ASK and out.replies[-1].request_location
    assert values(out) == ["street:QH01", "street:QH02", "unknown"]


def test_street_then_community_then_grid_by_choices() -> None:
    state = _asked()
    state = turn(state, "白溪街道").state
    assert state.step == location.COMMUNITY and "桃源社区" in [label for label, _ in state.offered]
    state = turn(state, "桃源社区").state
    assert state.step == location.GRID and state.offered[0][0].startswith("第1网格（桃源新村")
    out = turn(state, "1")
    assert out.state.draft is not None and out.state.draft.grid_code == "QH02-C02-G01"
    assert out.state.draft.location_by == "choice"


def test_a_typed_address_with_a_house_number_resolves_at_once() -> None:
    out = turn(_asked(), "幸福路120号")
    assert out.state.draft is not None and out.state.draft.grid_code == "QH01-C01-G02"
    assert out.state.draft.location_by == "address" and "幸福社区第2网格" in said(out)


def test_a_misspelt_estate_is_confirmed_rather_than_assumed() -> None:
    out = turn(_asked(), "梧铜苑")
    assert out.state.step == location.CONFIRM and "梧桐苑" in said(out)
    done = turn(out.state, "对", u=understood("affirm"))
    assert done.state.draft is not None and done.state.draft.grid_code == "QH02-C01-G03"


def test_the_nlus_places_in_a_typed_answer_are_used_first() -> None:
    out = turn(_asked(), "就在那个学校旁边", u=understood(places=(("QH02-C02-G04", "白溪中学", 0.9),)))
    assert out.state.draft is not None and out.state.draft.grid_code == "QH02-C02-G04"


def test_a_shared_map_point_is_located_in_its_polygon() -> None:
    out = turn(_asked(), location=(28.24, 112.903))
    assert out.state.draft is not None and out.state.draft.grid_code == "QH01-C01-G01"
    assert out.state.draft.location_by == "map" and out.state.draft.latitude == 28.24


def test_two_failed_tries_file_with_the_address_as_typed() -> None:
    first = turn(_asked(), "火星路1号")
    assert first.state.step == location.ASK and "没有在本区找到“火星路1号”" in said(first)
    second = turn(first.state, "月亮湾")
    draft = second.state.draft
    assert draft is not None and draft.location_done and draft.grid_code is None
    assert draft.location_by == "manual" and draft.address == "月亮湾"
    assert "人工确定" in said(second) and second.state.step == contact.SUMMARY


def test_a_map_point_outside_the_district_counts_as_a_failed_try() -> None:
    first = turn(_asked(), location=(39.9, 116.4))
    assert "不在本区范围内" in said(first) and first.state.step == location.ASK
    second = turn(first.state, location=(39.9, 116.4))
    assert second.state.draft is not None and second.state.draft.location_by == "manual"


def test_not_knowing_stops_asking_and_keeps_what_is_known() -> None:
    state = turn(_asked(), "白溪街道").state
    out = turn(state, "不清楚")
    draft = out.state.draft
    assert draft is not None and draft.location_done and draft.street_code == "QH02" and draft.grid_code is None
    assert "白溪街道" in said(out)


@pytest.mark.parametrize("answer", ["不想说", "不方便说", "地址不留了", "保密"])
def test_declining_to_say_where_is_no_place_name(answer: str) -> None:
    out = turn(_asked(), answer)
    draft = out.state.draft
    assert draft is not None and draft.location_done and draft.grid_code is None and not draft.address
    assert "没有在本区找到" not in said(out)


def test_words_that_describe_no_place_are_not_kept_as_the_address() -> None:
    first = turn(_asked(), "跟老板之间的")
    assert "没有从“跟老板之间的”里看出是哪个地方" in said(first) and "没有在本区找到" not in said(first)
    out = turn(first.state, "让他把钱结了")
    draft = out.state.draft
    assert draft is not None and draft.location_done and draft.location_by == "manual" and draft.address is None
    assert "我们会先受理您的诉求" in said(out) and "地点：未提供" in said(out)


def test_max_location_tries_is_configurable() -> None:
    out = turn(_asked(), "火星路", ctx=context(max_location_tries=1))
    assert out.state.draft is not None and out.state.draft.location_by == "manual"


def test_no_with_the_right_place_in_the_same_breath() -> None:
    state = _asked(WUTONG_HEARD)
    out = turn(state, "不对，在和平新村", u=understood("deny"))
    assert out.state.draft is not None and out.state.draft.grid_code == "QH01-C01-G02"


@pytest.mark.parametrize("text", ["我想问一下地址要写到门牌号吗", "位置怎么写？", "地址要写得很详细吗"])
def test_a_question_about_how_to_say_the_place_is_answered_and_uses_no_try(text: str) -> None:
    where = location.ask_where(at_step(ConversationState(), location.ASK, parts=("门口的路灯坏了",)), context())
    out = turn(where.state, text)
    assert location.HOW_TO_ANSWER in said(out) and out.state.step == location.ASK
    assert out.state.draft is not None and out.state.draft.location_tries == 0 and out.state.draft.address is None


@pytest.mark.parametrize(("typed", "address"), [("阳光花园南门那", "阳光花园南门"), ("我住和平新村3-2-501", "和平新村3-2-501"),
                                                ("春晖苑地下停车场", "春晖苑地下停车场"), ("书香门第8栋2单元门口", "书香门第8栋2单元门口"),
                                                ("书香门第7栋502", "书香门第7栋502"), ("阳光花园那边", "阳光花园"),
                                                ("阳光花园，2个月了", "阳光花园"), ("阳光花园500米外", "阳光花园")])
def test_where_in_the_place_is_kept_with_its_name(typed: str, address: str) -> None:
    out = turn(_asked(), typed)
    assert out.state.draft is not None and out.state.draft.location_done and out.state.draft.address == address


@pytest.mark.parametrize(("answer", "grid"), [("青禾大道那个", "QH01-C02-G02"), ("白溪那边的", "QH02-C03-G02"),
                                              ("新桥社区", "QH02-C03-G02")])
def test_places_of_one_name_are_told_apart_by_their_area(answer: str, grid: str) -> None:
    offered = turn(_asked(), "我租的房子在锦绣家园")
    assert offered.state.step == location.PICK
    out = turn(offered.state, answer)
    assert out.state.draft is not None and out.state.draft.grid_code == grid


def test_an_answer_naming_no_area_of_the_choices_picks_none() -> None:
    offered = turn(_asked(), "我租的房子在锦绣家园")
    out = turn(offered.state, "都不是，在幸福路")
    assert out.state.draft is not None and out.state.draft.grid_code not in ("QH01-C02-G02", "QH02-C03-G02")
