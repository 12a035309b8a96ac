"""Locating a complaint in the sample district: typed addresses, place names, map points."""

from flows import location
from flows.state import ConversationState
from tests.conversations.kit import at_step, context, sample_district, said, turn


def test_road_and_house_number_pick_the_grid_whose_segment_holds_it() -> None:
    match = sample_district().match_address("幸福路120号")
    assert [p.grid_code for p in match.grids] == ["QH01-C01-G02"]
    assert sample_district().match_address("青禾大道450号").grids[0].grid_code == "QH02-C02-G01"


def test_a_place_name_or_alias_finds_its_grid() -> None:
    assert sample_district().match_address("就在幸福里门口").grids[0].grid_code == "QH01-C01-G01"
    assert sample_district().match_address("区医院旁边").grids[0].grid_code == "QH01-C02-G04"


def test_a_shared_short_name_yields_every_grid_it_may_mean() -> None:
    codes = {p.grid_code for p in sample_district().match_address("东方花园").grids}
    assert codes == {"QH01-C03-G01", "QH01-C04-G01"}


def test_a_road_without_a_number_is_each_grid_it_runs_through_not_the_street_its_name_starts_like() -> None:
    long_road = sample_district().match_address("青禾大道上")
    assert long_road.street_code is None and len(long_road.grids) == 9
    assert {g.grid_code[:4] for g in long_road.grids} == {"QH01", "QH02"}
    assert max(g.score for g in long_road.grids) < 0.8
    crossing = sample_district().match_address("幸福路文昌街路口").grids
    assert [g.grid_code for g in crossing] == ["QH01-C01-G02"] and crossing[0].score >= 0.9


def test_a_long_road_alone_is_asked_about_at_the_place_question() -> None:
    asked = location.ask_where(at_step(ConversationState(), location.ASK, class_done=True), context()).state
    out = turn(asked, "青禾大道")
    assert "“青禾大道”范围比较大" in said(out) and "在青禾街道的哪个社区" not in said(out)


def test_a_community_or_street_alone_narrows_without_guessing_the_grid() -> None:
    community = sample_district().match_address("桃源社区")
    assert (community.grids, community.community_code, community.street_code) == ((), "QH02-C02", "QH02")
    street = sample_district().match_address("白溪街道那边")
    assert (street.grids, street.community_code, street.street_code) == ((), None, "QH02")


def test_a_misspelt_estate_is_still_found_fuzzily() -> None:
    match = sample_district().match_address("梧铜苑小区")
    assert match.grids and match.grids[0].grid_code == "QH02-C01-G03"


def test_nothing_found_for_a_place_outside_the_district() -> None:
    assert not sample_district().match_address("火星基地").found


def test_map_points_inside_and_outside_the_district() -> None:
    grid = sample_district().locate_point(28.24, 112.903)
    assert grid is not None and grid.code == "QH01-C01-G01"
    assert sample_district().locate_point(39.9, 116.4) is None


def test_labels_and_landmarks_are_what_a_resident_recognises() -> None:
    district = sample_district()
    assert district.label("QH01-C01-G01") == "青禾街道幸福社区第1网格"
    assert district.landmarks("QH01-C01-G01")[0] == "幸福里小区"
    assert {"城乡建设", "政法", "民政"} <= set(district.topics) and len(district.topics) == 9
