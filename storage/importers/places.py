"""places.csv: named places (小区, road segments with house-number ranges, schools …) on grids."""

from collections.abc import Collection
from pathlib import Path

from handlers.directory import Place
from storage.importers.fields import RowCheck
from storage.importers.problems import Parsed
from storage.importers.sources import csv_records
from storage.models import PlaceRow

KINDS = ("小区", "道路", "学校", "市场", "医院", "公园", "公交站", "商场", "其他")
REQUIRED = ("name", "kind", "grid_code")
OPTIONAL = ("aliases", "road", "number_from", "number_to")


def parse_places(path: str | Path, grid_codes: Collection[str] | None = None) -> list[Place]:
    """The places of a CSV file; with `grid_codes`, a place on an unknown grid is a problem too."""
    return read_places(path, grid_codes).ok()


def read_places(path: str | Path, grid_codes: Collection[str] | None = None) -> Parsed[Place]:
    path = Path(path)
    records = csv_records(path, REQUIRED, OPTIONAL)
    parsed: Parsed[Place] = Parsed(problems=records.problems)
    seen: dict[tuple[object, ...], int] = {}
    for line, values in records.items:
        check = RowCheck(path.name, line, values, PlaceRow.__table__)
        place = _place(check, grid_codes)
        key = (place.name, place.grid_code, place.road, place.number_from, place.number_to)
        if key in seen:
            check.fail(f"与第 {seen[key]} 行重复")
        seen.setdefault(key, line)
        parsed.items.append(place)
        parsed.problems += check.problems
    parsed.problems.sort(key=lambda p: p.line)
    return parsed


def _place(check: RowCheck, grid_codes: Collection[str] | None) -> Place:
    name, kind, grid_code = check.text("name"), check.text("kind"), check.text("grid_code")
    road = check.text("road", required=False) or (name if kind == "道路" else "")
    number_from, number_to = check.number("number_from"), check.number("number_to")
    if kind and kind not in KINDS:
        check.fail(f"类型“{kind}”无效，应为 {'/'.join(KINDS)} 之一")
    if grid_code and grid_codes is not None and grid_code not in grid_codes:
        check.fail(f"网格编码 {grid_code} 不存在")
    if (check.values.get("number_from", "") == "") != (check.values.get("number_to", "") == ""):
        check.fail("起始门牌号与截止门牌号须同时填写（单个门牌号两列填同一个数）")
    elif number_from is not None and number_to is not None:
        if number_from > number_to:
            check.fail(f"门牌号范围 {number_from}–{number_to} 起始大于截止")
        if not road:
            check.fail("填写了门牌号，但没有填写道路（road）")
    aliases = tuple(alias for alias in check.items("aliases") if alias != name)
    return Place(name, kind, grid_code, aliases, road, number_from, number_to)
