"""The grid map is drawn from the registry's polygons: every grid with a boundary is one shape, shaded
by its count, the flagged one outlined and marked, and names are escaped."""

import json
import re
from pathlib import Path

from bot.web.staff.grid_map import EMPTY, SHADES, grid_map
from handlers.directory import Grid

SAMPLE = Path(__file__).resolve().parents[2] / "sample_district" / "grids.geojson"


def sample_grids() -> list[Grid]:
    features = json.loads(SAMPLE.read_text(encoding="utf-8"))["features"]
    return [
        Grid(f["properties"]["code"], f["properties"]["name"], f["properties"]["community_code"],
             f["properties"]["community"], f["properties"]["street_code"], f["properties"]["street"],
             [[(x, y) for x, y in ring] for ring in f["geometry"]["coordinates"]])
        for f in features
    ]


def test_every_sample_grid_is_drawn_and_the_flagged_one_is_marked() -> None:
    grids = sample_grids()
    counts = {grids[0].code: 12, grids[1].code: 1}
    svg = str(grid_map(grids, counts, {grids[0].code}, "网格诉求分布"))
    drawn = re.findall(r'<path d="[^"]+" fill="([^"]+)"[^>]*data-grid="([^"]+)"', svg)
    assert sorted(code for _, code in drawn) == sorted(g.code for g in grids)
    fills = {code: fill for fill, code in drawn}
    assert fills[grids[0].code] == SHADES[-1] and fills[grids[1].code] == SHADES[0] and fills[grids[2].code] == EMPTY
    assert re.findall(r'data-flagged="1" data-grid="([^"]+)"', svg) == [grids[0].code]
    assert svg.count('class="flag-marker"') == 1 and "诉求件数" in svg and "有未处理的预警" in svg
    assert "style=" not in svg and "<script" not in svg


def test_names_are_escaped_and_grids_without_a_boundary_are_counted() -> None:
    square = [[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]]
    grids = [Grid("G1", "<b>一网格</b>", "C1", "社区", "S1", "街道", square), Grid("G2", "二网格", "C1", "社区", "S1", "街道")]
    svg = str(grid_map(grids, {"G1": 3}, set(), "地图"))
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    assert 'data-grid="G2"' not in svg and "另有 1 个网格未录入边界" in svg
