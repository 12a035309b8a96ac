"""Place resolution against the grid registry: every candidate, with score and span."""

from nlu.gazetteer import Gazetteer
from tests.fixtures.nlu import GRIDS, PLACES, gazetteer


def codes(text: str) -> list[str]:
    return [c.grid_code for c in gazetteer().resolve(text)]


def test_exact_name_resolves_to_its_grid_with_span():
    text = "我家在幸福里，楼下天天吵"
    best = gazetteer().resolve(text)[0]
    assert best.grid_code == "T1-C1-G1" and best.score == 1.0
    assert text[best.start : best.end] == "幸福里"


def test_alias_resolves():
    assert codes("三中门口堵车")[0] == "T1-C2-G1"
    assert codes("书香小区停水")[0] == "T1-C1-G2"


def test_homophone_typo_via_pinyin():
    found = gazetteer().resolve("书香门弟这边的路灯坏了")
    assert found[0].grid_code == "T1-C1-G2" and found[0].name == "书香门第"
    assert 0.5 < found[0].score < 1.0


def test_near_spelling_via_rapidfuzz():
    found = gazetteer().resolve("和平新小区门口的井盖丢了")
    assert "T2-C1-G1" in [c.grid_code for c in found]


def test_chinese_numerals_building_number_keeps_the_place():
    found = gazetteer().resolve("幸福里三号楼漏水")
    assert found[0].grid_code == "T1-C1-G1"
    assert codes("第3中学")[0] == "T1-C2-G1"


def test_road_house_number_picks_the_segment():
    assert codes("青禾路128号楼下烧烤") == ["T1-C1-G2"]
    assert codes("青禾路一百二十八号") == ["T1-C1-G2"]
    assert codes("青禾路５号")[0] == "T1-C1-G1"


def test_road_number_pointing_at_a_place_prefers_the_segment_grid():
    assert codes("青禾路206号")[0] == "T2-C1-G1"


def test_ambiguous_name_returns_every_grid():
    found = gazetteer().resolve("翠湖苑的垃圾没人清")
    assert {c.grid_code for c in found} == {"T1-C2-G1", "T2-C1-G1"}
    assert all(c.score < 1.0 for c in found)


def test_a_shared_name_is_settled_by_the_street_community_or_road_named_with_it():
    for text, grid in (("松岗街道翠湖苑的垃圾没人清", "T2-C1-G1"), ("杏坛社区翠湖苑的垃圾没人清", "T1-C2-G1"),
                       ("青禾路208号旁边的翠湖苑", "T2-C1-G1"), ("翠湖苑，松岗那边的", "T2-C1-G1"),
                       ("翠湖苑，柳塘那个", "T1-C2-G1")):
        found = gazetteer().resolve(text)
        assert (found[0].grid_code, found[0].name, found[0].score) == (grid, "翠湖苑", 1.0), text
        assert [c.score for c in found if c.name == "翠湖苑"][1] < 1.0  # the other one is still offered


def test_a_shared_name_stays_open_when_what_is_named_with_it_fits_both():
    found = gazetteer().resolve("柳塘街道还是松岗街道的翠湖苑，我也说不清")
    assert {c.grid_code for c in found if c.name == "翠湖苑"} == {"T1-C2-G1", "T2-C1-G1"}
    assert all(c.score < 1.0 for c in found)


def test_road_without_number_lists_all_segments_with_low_scores():
    found = gazetteer().resolve("青禾路上的路灯坏了")
    assert {c.grid_code for c in found} == {"T1-C1-G1", "T1-C1-G2", "T2-C1-G1"}
    assert max(c.score for c in found) < 0.5


def test_community_and_street_names():
    community = gazetteer().resolve("杏坛社区有人占道经营")
    assert [c.grid_code for c in community] == ["T1-C2-G1"]
    street = {c.grid_code for c in gazetteer().resolve("柳塘街道办不作为")}
    assert street == {"T1-C1-G1", "T1-C1-G2", "T1-C2-G1"}


def test_nothing_found_and_empty_gazetteer():
    assert gazetteer().resolve("今天天气不错") == []
    assert gazetteer().resolve("") == []
    assert Gazetteer.empty().resolve("幸福里") == []


def test_words_for_jieba_and_from_registry_duck_typing():
    assert {"幸福里", "书香门第", "桂香社区", "柳塘街道", "青禾路"} <= set(gazetteer().words())

    class Grid:
        def __init__(self, g):
            self.code, self.name, self.community, self.street = g.code, g.name, g.community, g.street

    rebuilt = Gazetteer.from_registry([Grid(g) for g in GRIDS], PLACES)
    assert [c.grid_code for c in rebuilt.resolve("幸福里")] == ["T1-C1-G1"]


def test_homophone_at_the_very_end_has_a_span_inside_the_text():
    text = "路灯坏了，在书香门弟"
    found = gazetteer().resolve(text)
    assert found[0].grid_code == "T1-C1-G2" and (found[0].start, found[0].end) == (6, 10)
    assert all(c.end <= len(text) for c in found)
