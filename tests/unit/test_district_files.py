"""The registry files: every kind of bad row is reported by file and line; the sample district is
complete, consistent and exactly what its generator writes."""

import csv
import importlib.util
import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from shapely.geometry import Polygon, box

from handlers.directory import LEVELS
from storage.importers import (
    PLACE_KINDS,
    Areas,
    ImportFailed,
    ImportProblem,
    parse_departments,
    parse_grids,
    parse_places,
    validate_district,
)

SAMPLE = Path(__file__).resolve().parents[2] / "sample_district"
PLACE_HEADER = ["name", "kind", "grid_code", "aliases", "road", "number_from", "number_to"]
DEPT_HEADER = ["code", "name", "level", "area", "parent", "topics", "window"]
GOOD_PLACE = ["甲小区", "小区", "T1-C1-G1", "甲;甲园", "甲路", "1", "9"]
GOOD_DEPTS = [
    ["W-T1-C1-G1", "一网格网格员", "grid", "T1-C1-G1", "C-T1-C1", "", ""],
    ["W-T1-C1-G2", "二网格网格员", "grid", "T1-C1-G2", "C-T1-C1", "", ""],
    ["C-T1-C1", "甲社区居委会", "community", "T1-C1", "S-T1-INTAKE", "", ""],
    ["S-T1-INTAKE", "甲街道综合受理窗口", "street", "T1", "T-DISPATCH", "", "综合受理"],
    ["T-HOUSING", "区住房和城乡建设局", "district", "T", "", "城乡建设", ""],
    ["T-DISPATCH", "区综治中心统一分拨", "district", "T", "", "", "统一分拨"],
]


def square(i: int, size: float = 0.01) -> list[list[float]]:
    x, y = 112.9 + i * size, 28.2
    return [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]


def feature(code: str, ring: list[list[float]], **changes: object) -> dict[str, object]:
    properties = {"code": code, "name": f"{code}网格", "community_code": "T1-C1", "community": "甲社区",
                  "street_code": "T1", "street": "甲街道", "worker": "张三"}
    return {"type": "Feature", "properties": properties | changes,
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


def good_features() -> list[dict[str, object]]:
    return [feature("T1-C1-G1", square(0)), feature("T1-C1-G2", square(1))]


def write_geojson(path: Path, features: list[object]) -> Path:
    """Feature k (0-based) starts on line k + 2."""
    body = ",\n".join(json.dumps(f, ensure_ascii=False) for f in features)
    path.write_text('{"type": "FeatureCollection", "features": [\n' + body + "\n]}\n", encoding="utf-8")
    return path


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    """The header is line 1, row k (0-based) is line k + 2."""
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *rows])
    return path


def problems_of(call) -> list[ImportProblem]:  # type: ignore[no-untyped-def]
    with pytest.raises(ImportFailed) as failed:
        call()
    return failed.value.problems


def only(problems: list[ImportProblem], file: str, line: int, fragment: str, unit: str = "行") -> None:
    assert len(problems) == 1, problems
    assert (problems[0].file, problems[0].line, problems[0].unit) == (file, line, unit)
    assert fragment in problems[0].message, problems[0].message


# --- grids.geojson -----------------------------------------------------------------------------


def test_good_grids_parse_with_polygons(tmp_path: Path) -> None:
    grids = parse_grids(write_geojson(tmp_path / "g.geojson", good_features()))
    assert [g.code for g in grids] == ["T1-C1-G1", "T1-C1-G2"]
    assert grids[0].polygon[0][1] == pytest.approx((112.91, 28.2)) and grids[0].worker == "张三"


BOWTIE = [[112.9, 28.2], [112.91, 28.21], [112.91, 28.2], [112.9, 28.21], [112.9, 28.2]]


@pytest.mark.parametrize(
    ("bad", "fragment"),
    [
        (feature("T1-C1-G3", BOWTIE), "多边形不合法：边界自相交"),
        (feature("T1-C1-G3", square(2)[:4]), "没有闭合"),
        (feature("T1-C1-G3", [[28.2, 112.9], [28.21, 112.9], [28.21, 112.91], [28.2, 112.9]]), "超出经纬度范围"),
        (feature("T1-C1-G3", [[112.9, "28.2"], *square(2)]), "坐标格式错误"),
        (feature("T1-C1-G3", [[10**400, 28.2], *square(2)]), "坐标格式错误"),
        (feature("T1-C1-G3", square(2)[:3]), "至少需要 4 个坐标"),
        ({**feature("T1-C1-G3", square(2)), "geometry": {"type": "Point", "coordinates": [1, 2]}}, "应为 Polygon"),
        (feature("T1-C1-G1", square(2)), "网格编码 T1-C1-G1 重复（第 2 行已有）"),
        (feature("T1-C1-G3", square(2), name=""), "名称（name）不能为空"),
        (feature("T1-C1-G3", square(2), street=["甲"]), "街道名称（street）应为文本"),
        (feature("T1-C1-G3", square(2), community="乙社区"), "社区编码 T1-C1 已对应“甲社区”"),
        (feature("T1-C1-G3", square(2), name="长" * 65), "超过 64 个字符"),
        ({"type": "Feature", "geometry": None}, "缺少 properties"),
        (["not", "a", "feature"], "应为 GeoJSON Feature"),
    ],
)
def test_each_bad_feature_is_reported_at_the_line_it_starts(tmp_path: Path, bad: object, fragment: str) -> None:
    path = write_geojson(tmp_path / "g.geojson", [*good_features(), bad])
    only(problems_of(lambda: parse_grids(path)), "g.geojson", 4, fragment)


def test_every_bad_feature_is_reported_not_just_the_first(tmp_path: Path) -> None:
    features = [feature("T1-C1-G1", BOWTIE), feature("T1-C1-G2", square(1)), feature("T1-C1-G3", square(2)[:4])]
    problems = problems_of(lambda: parse_grids(write_geojson(tmp_path / "g.geojson", features)))
    assert [p.line for p in problems] == [2, 4]


def test_a_multi_line_feature_is_reported_where_it_starts(tmp_path: Path) -> None:
    path = tmp_path / "pretty.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        *good_features(), feature("T1-C1-G3", BOWTIE)]}, indent=2, ensure_ascii=False), encoding="utf-8")
    [problem] = problems_of(lambda: parse_grids(path))
    assert path.read_text(encoding="utf-8").splitlines()[problem.line - 2].strip().endswith("},")
    assert path.read_text(encoding="utf-8").splitlines()[problem.line - 1].strip() == "{"


def test_a_one_line_file_reports_the_feature_index(tmp_path: Path) -> None:
    path = tmp_path / "g.geojson"
    features = [*good_features(), feature("T1-C1-G3", BOWTIE)]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    problems = problems_of(lambda: parse_grids(path))
    only(problems, "g.geojson", 3, "自相交", unit="个要素")
    assert str(problems[0]).startswith("g.geojson 第3个要素：")


@pytest.mark.parametrize(
    ("content", "line", "fragment"),
    [
        ('{"type": "FeatureCollection",\n "features": [\n {"type": "Feature"}\n {"type": "Feature"}]}', 4, "缺少逗号"),
        ('{"type": "FeatureCollection",\n "features": []}', 1, "features 应为非空数组"),
        ('[1, 2]', 1, "FeatureCollection"),
        ('{"features": [' + "9" * 5000 + "]}", 1, "数字过长"),
        ("", 1, "文件为空"),
        ("  \n\n", 1, "文件为空"),
    ],
)
def test_bad_geojson_files(tmp_path: Path, content: str, line: int, fragment: str) -> None:
    path = tmp_path / "g.geojson"
    path.write_text(content, encoding="utf-8")
    only(problems_of(lambda: parse_grids(path)), "g.geojson", line, fragment)


def test_a_code_used_at_two_levels_is_refused(tmp_path: Path) -> None:
    features = [*good_features(), feature("T1-C2", square(2), community_code="T1-C3", community="丙社区"),
                feature("T1-C2-G1", square(3), community_code="T1-C2", community="乙社区")]
    only(problems_of(lambda: parse_grids(write_geojson(tmp_path / "g.geojson", features))), "g.geojson", 5,
         "编码 T1-C2 同时用作不同级别")


# --- encodings (any file) ----------------------------------------------------------------------


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", PLACE_HEADER, [GOOD_PLACE], encoding="utf-8-sig")
    assert parse_places(path)[0].name == "甲小区"


def test_gbk_file_reports_each_undecodable_line(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", PLACE_HEADER, [GOOD_PLACE, ["x", "其他", "T1-C1-G1", "", "", "", ""],
                                                        GOOD_PLACE[:1] + ["公园", "T1-C1-G2", "", "", "", ""]], "gbk")
    problems = problems_of(lambda: parse_places(path))
    assert [(p.file, p.line) for p in problems] == [("p.csv", 2), ("p.csv", 3), ("p.csv", 4)]
    assert "GBK" in problems[0].message


def test_a_whole_file_in_gbk_is_one_problem_not_one_a_line(tmp_path: Path) -> None:
    rows = [[f"甲小区{n}", "小区", "T1-C1-G1", "", "", "", ""] for n in range(63)]
    problems = problems_of(lambda: parse_places(write_csv(tmp_path / "p.csv", PLACE_HEADER, rows, "gbk")))
    only(problems, "p.csv", 2, "整个文件不是 UTF-8 编码（看起来是 GBK/GB18030），请另存为 UTF-8（共 63 行无法读取")


def test_utf16_file_is_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", DEPT_HEADER, GOOD_DEPTS, encoding="utf-16")
    only(problems_of(lambda: parse_departments(path)), "d.csv", 1, "UTF-16")


# --- places.csv --------------------------------------------------------------------------------


def test_good_places_parse(tmp_path: Path) -> None:
    road = ["长街", "道路", "T1-C1-G2", "", "", "100", "199"]
    path = write_csv(tmp_path / "p.csv", PLACE_HEADER, [GOOD_PLACE, road])
    place, segment = parse_places(path, {"T1-C1-G1", "T1-C1-G2"})
    assert place.aliases == ("甲", "甲园") and (place.road, place.number_from, place.number_to) == ("甲路", 1, 9)
    assert (segment.road, segment.number_from, segment.number_to) == ("长街", 100, 199)


@pytest.mark.parametrize(
    ("bad", "fragment"),
    [
        (["乙小区", "小区", "T9-C9-G9", "", "", "", ""], "网格编码 T9-C9-G9 不存在"),
        (["乙小区", "小区", "T1-C1-G1", "", "乙路", "12号", "12"], "起始门牌号（number_from）“12号”不是正整数"),
        (["乙小区", "小区", "T1-C1-G1", "", "乙路", "0", "12"], "超出范围"),
        (["乙小区", "小区", "T1-C1-G1", "", "乙路", "30", "12"], "起始大于截止"),
        (["乙小区", "小区", "T1-C1-G1", "", "乙路", "12", ""], "须同时填写"),
        (["乙小区", "小区", "T1-C1-G1", "", "", "12", "12"], "没有填写道路"),
        (["乙小区", "别墅", "T1-C1-G1", "", "", "", ""], "类型“别墅”无效"),
        (["", "小区", "T1-C1-G1", "", "", "", ""], "名称（name）不能为空"),
        (["长" * 129, "小区", "T1-C1-G1", "", "", "", ""], "超过 128 个字符"),
        (["甲小区", "小区", "T1-C1-G1", "别名不同也算", "甲路", "1", "9"], "与第 2 行重复"),
        (["乙小区", "小区", "T1-C1-G1", "", ""], "本行有 5 列，表头有 7 列"),
    ],
)
def test_each_bad_place_row_is_reported_by_line(tmp_path: Path, bad: list[str], fragment: str) -> None:
    path = write_csv(tmp_path / "p.csv", PLACE_HEADER, [GOOD_PLACE, bad])
    only(problems_of(lambda: parse_places(path, {"T1-C1-G1"})), "p.csv", 3, fragment)


def test_header_problems_name_the_header_line_after_comments(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("# 注释\nname,kind,aliase,road\n甲,小区,,\n", encoding="utf-8")
    problems = problems_of(lambda: parse_places(path))
    assert [(p.line, p.message.split("：")[0]) for p in problems] == [(2, "表头缺少列"), (2, "表头有未知列")]
    assert "grid_code" in problems[0].message and "aliase" in problems[1].message


def test_quoted_multi_line_cell_keeps_later_line_numbers_true(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(",".join(PLACE_HEADER) + '\n"甲\n小区",小区,T1-C1-G1,,,,\n\n乙,小区,T9,,,,\n', encoding="utf-8")
    only(problems_of(lambda: parse_places(path, {"T1-C1-G1"})), "p.csv", 5, "T9 不存在")


def test_empty_and_header_only_files_and_full_width_separators(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_bytes(b"\xef\xbb\xbf\r\n")
    only(problems_of(lambda: parse_departments(tmp_path / "d.csv")), "d.csv", 1, "文件为空")
    only(problems_of(lambda: parse_places(write_csv(tmp_path / "p.csv", PLACE_HEADER, []))), "p.csv", 1, "没有数据行")
    row = ["甲小区", "小区", "T1-C1-G1", "甲；甲园; 甲 ;甲小区", "", "", ""]
    assert parse_places(write_csv(tmp_path / "q.csv", PLACE_HEADER, [row]))[0].aliases == ("甲", "甲园")


# --- departments.csv ---------------------------------------------------------------------------

AREAS = Areas(frozenset({"T1-C1-G1", "T1-C1-G2"}), frozenset({"T1-C1"}), frozenset({"T1"}))


def test_good_departments_parse(tmp_path: Path) -> None:
    rows = [*GOOD_DEPTS, ["C-T1-C1-B", "甲社区警务室", "社区", "T1-C1", "", "", ""]]
    depts = parse_departments(write_csv(tmp_path / "d.csv", DEPT_HEADER, rows), AREAS, district_code="T")
    assert depts[4].topics == ("城乡建设",) and depts[3].window == "综合受理"
    assert depts[-1].level == "community"


@pytest.mark.parametrize(
    ("bad", "fragment"),
    [
        (["X", "某部门", "bureau", "T", "", "", ""], "级别“bureau”无效"),
        (["X", "某部门", "grid", "T1-C1-G9", "", "", ""], "服务区域 T1-C1-G9 不是已知的网格编码"),
        (["X", "某部门", "grid", "T1-C1", "", "", ""], "服务区域 T1-C1 是社区编码，与级别“网格”不符"),
        (["X", "某部门", "street", "Q", "", "", ""], "不是已知的街道编码"),
        (["X", "某部门", "district", "Q", "", "", ""], "区级部门的服务区域应为区划代码 T"),
        (["X", "某部门", "district", "T1", "", "", ""], "T1 是街道编码"),
        (["X", "某部门", "grid", "T1-C1-G1", "C-NOPE", "", ""], "上级部门 C-NOPE 不存在"),
        (["X", "某部门", "grid", "T1-C1-G1", "X", "", ""], "上级部门不能是自己"),
        (["C-T1-C1", "某部门", "community", "T1-C1", "", "", ""], "部门编码 C-T1-C1 重复（第 4 行已有）"),
        (["X", "某部门", "grid", "", "", "", ""], "服务区域（area）不能为空"),
    ],
)
def test_each_bad_department_row_is_reported_by_line(tmp_path: Path, bad: list[str], fragment: str) -> None:
    path = write_csv(tmp_path / "d.csv", DEPT_HEADER, [*GOOD_DEPTS, bad])
    only(problems_of(lambda: parse_departments(path, AREAS)), "d.csv", 8, fragment)


# --- the three files together ------------------------------------------------------------------


def test_problems_from_all_three_files_come_back_together(tmp_path: Path) -> None:
    grids = write_geojson(tmp_path / "grids.geojson", [*good_features(), feature("T1-C1-G3", BOWTIE)])
    places = write_csv(tmp_path / "places.csv", PLACE_HEADER, [GOOD_PLACE, ["乙", "小区", "T1-C1-G9", "", "", "", ""]])
    depts = write_csv(tmp_path / "departments.csv", DEPT_HEADER, [*GOOD_DEPTS, ["X", "某", "grid", "T1-C9", "", "", ""]])
    problems = problems_of(lambda: validate_district(grids, places, depts))
    assert [(p.file, p.line) for p in problems] == [("grids.geojson", 4), ("places.csv", 3), ("departments.csv", 8)]


def test_a_bad_grid_row_does_not_make_its_places_unknown(tmp_path: Path) -> None:
    grids = write_geojson(tmp_path / "grids.geojson", [feature("T1-C1-G1", BOWTIE), feature("T1-C1-G2", square(1))])
    places = write_csv(tmp_path / "places.csv", PLACE_HEADER, [GOOD_PLACE])
    depts = write_csv(tmp_path / "departments.csv", DEPT_HEADER, GOOD_DEPTS)
    assert [p.file for p in problems_of(lambda: validate_district(grids, places, depts))] == ["grids.geojson"]


# --- the sample district -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample():  # type: ignore[no-untyped-def]
    return validate_district(SAMPLE / "grids.geojson", SAMPLE / "places.csv", SAMPLE / "departments.csv",
                             district_code="QH")


def test_sample_district_size(sample) -> None:  # type: ignore[no-untyped-def]
    streets = {g.street_code: g.street for g in sample.grids}
    assert streets == {"QH01": "青禾街道", "QH02": "白溪街道"}
    communities = Counter(code[:4] for code in {g.community_code for g in sample.grids})
    assert sum(communities.values()) >= 6 and min(communities.values()) >= 3
    assert len(sample.grids) >= 30 and len(sample.places) >= 150
    assert {p.kind for p in sample.places} == set(PLACE_KINDS)
    assert {p.grid_code for p in sample.places} <= {g.code for g in sample.grids}


def test_sample_district_departments(sample) -> None:  # type: ignore[no-untyped-def]
    depts = {d.code: d for d in sample.departments}
    for grid in sample.grids:
        worker = depts[f"W-{grid.code}"]
        assert (worker.level, worker.area, worker.parent) == ("grid", grid.code, f"C-{grid.community_code}")
        assert depts[worker.parent].area == grid.community_code
    windows = {(d.area, d.window) for d in sample.departments if d.level == "street"}
    assert windows == {(s, w) for s in ("QH01", "QH02") for w in ("综合受理", "矛盾纠纷", "法律服务", "流动人口")}
    bureaus = {t: d.name for d in sample.departments if d.level == "district" for t in d.topics}
    assert bureaus == {"城乡建设": "区住房和城乡建设局", "环境保护": "生态环境分局", "交通运输": "区交通运输局",
                       "教育文体": "区教育体育局", "劳动和社会保障": "区人力资源和社会保障局",
                       "商贸旅游": "区市场监督管理局", "卫生计生": "区卫生健康局",
                       "政法": "区委政法委（区司法局）", "民政": "区民政局"}
    dispatcher = depts["QH-DISPATCH"]
    assert (dispatcher.name, dispatcher.level, dispatcher.area, dispatcher.window) == (
        "区综治中心统一分拨", "district", "QH", "统一分拨")
    assert {d.level for d in sample.departments} == set(LEVELS)


def test_sample_grids_are_valid_and_tile_the_district(sample) -> None:  # type: ignore[no-untyped-def]
    shapes = [Polygon(g.polygon[0], g.polygon[1:]) for g in sample.grids]
    assert all(s.is_valid and s.area > 0 for s in shapes)
    overlaps = [(a.code, b.code) for i, a in enumerate(sample.grids) for j, b in enumerate(sample.grids)
                if i < j and shapes[i].intersection(shapes[j]).area > 1e-12]
    assert overlaps == []
    bounds = box(112.90, 28.15, 113.00, 28.25)
    assert all(bounds.covers(s) for s in shapes)
    assert sum(s.area for s in shapes) == pytest.approx(bounds.area)


def test_sample_addresses_lie_on_their_grids_road_segment(sample) -> None:  # type: ignore[no-untyped-def]
    segments = defaultdict(list)
    for p in sample.places:
        if p.kind == "道路":
            segments[(p.road, p.grid_code)].append((p.number_from, p.number_to))
    for p in sample.places:
        if p.kind != "道路" and p.number_from is not None:
            assert any(lo <= p.number_from <= p.number_to <= hi for lo, hi in segments[(p.road, p.grid_code)]), p
    assert [(lo, hi) for lo, hi in segments[("幸福路", "QH01-C01-G01")]] == [(1, 99)]
    assert segments[("幸福路", "QH01-C01-G02")] == [(100, 199)]


def test_sample_has_real_ambiguity(sample) -> None:  # type: ignore[no-untyped-def]
    community = {g.code: g.community_code for g in sample.grids}
    by_name = defaultdict(set)
    for p in sample.places:
        for name in (p.name, *p.aliases):
            by_name[name].add(community[p.grid_code])
    assert len(by_name["东方花园"]) == 2 and len(by_name["锦绣家园"]) == 2 and len(by_name["实验小学"]) == 2
    assert len(by_name["青禾大道"]) == 2
    assert "幸福里" in next(p.aliases for p in sample.places if p.name == "幸福里小区")


def test_sample_files_are_marked_fictional_and_match_their_generator(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("sample_generate", SAMPLE / "generate.py")
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    generator.write_all(tmp_path)
    for name in ("grids.geojson", "places.csv", "departments.csv"):
        committed = (SAMPLE / name).read_text(encoding="utf-8")
        assert (tmp_path / name).read_text(encoding="utf-8") == committed, f"{name} 与 generate.py 不一致，请重新生成"
        assert "虚构" in committed.splitlines()[0] + committed.splitlines()[1]
    assert json.loads((SAMPLE / "grids.geojson").read_text(encoding="utf-8"))["fictional"] is True
    assert "虚构" in (SAMPLE / "README.md").read_text(encoding="utf-8")
