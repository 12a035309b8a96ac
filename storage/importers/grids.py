"""grids.geojson: one Feature per grid (三级网格) with its community and street, as Grid objects."""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handlers.directory import Grid
from storage.importers.fields import RowCheck, label
from storage.importers.geometry import polygon_rings
from storage.importers.problems import ImportProblem, Parsed
from storage.importers.sources import geojson_features
from storage.models import GridRow

REQUIRED = ("code", "name", "community_code", "community", "street_code", "street")
OPTIONAL = ("worker",)


@dataclass(frozen=True)
class Areas:
    """Every code a department may serve, by level."""

    grids: frozenset[str]
    communities: frozenset[str]
    streets: frozenset[str]

    @classmethod
    def of(cls, grids: Iterable[Grid]) -> "Areas":
        listed = list(grids)
        return cls(
            frozenset(g.code for g in listed),
            frozenset(g.community_code for g in listed),
            frozenset(g.street_code for g in listed),
        )

    def level_of(self, code: str) -> str | None:
        for level, codes in (("grid", self.grids), ("community", self.communities), ("street", self.streets)):
            if code in codes:
                return level
        return None


def parse_grids(path: str | Path) -> list[Grid]:
    """The grids of a GeoJSON file; raises ImportFailed listing every bad feature."""
    return read_grids(path).ok()


def read_grids(path: str | Path, *, taken: Collection[str] = ()) -> Parsed[Grid]:
    """Grids and problems; `taken` are grid codes already in the database (an additive import)."""
    path = Path(path)
    features, unit = geojson_features(path)
    parsed: Parsed[Grid] = Parsed(problems=features.problems)
    clean: list[tuple[int, Grid]] = []
    seen: dict[str, int] = {}
    for line, feature in features.items:
        check = RowCheck(path.name, line, {}, GridRow.__table__, unit)
        grid = _grid(feature, check)
        if grid is not None:
            if grid.code in seen:
                check.fail(f"网格编码 {grid.code} 重复（第 {seen[grid.code]} {unit}已有）")
            elif grid.code in taken:
                check.fail(f"网格编码 {grid.code} 已在数据库中")
            seen.setdefault(grid.code, line)
            parsed.items.append(grid)
            if not check.problems:
                clean.append((line, grid))
        parsed.problems += check.problems
    parsed.problems += [ImportProblem(path.name, line, message, unit) for line, message in _hierarchy(clean)]
    parsed.problems.sort(key=lambda p: p.line)
    return parsed


def _grid(feature: Any, check: RowCheck) -> Grid | None:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        check.fail("应为 GeoJSON Feature 对象")
        return None
    properties = feature.get("properties")
    if not isinstance(properties, dict):
        check.fail("缺少 properties 对象")
        return None
    check.values = _texts(properties, check)
    code, name, community_code, community, street_code, street = (check.text(key) for key in REQUIRED)
    worker = check.text("worker", required=False)
    rings, reasons = polygon_rings(feature.get("geometry"))
    for reason in reasons:
        check.fail(reason)
    if not code:
        return None
    return Grid(code, name, community_code, community, street_code, street, rings, worker)


def _texts(properties: dict[str, Any], check: RowCheck) -> dict[str, str]:
    values = {}
    for key in (*REQUIRED, *OPTIONAL):
        value = properties.get(key)
        if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
            values[key] = str(value).strip()
        elif value is not None:
            check.fail(f"属性{label(key)}应为文本")
            values[key] = str(value)
    return values


def _hierarchy(located: list[tuple[int, Grid]]) -> list[tuple[int, str]]:
    """A community belongs to one street under one name, a street has one name, and a code names
    one area at one level (so a department's area is never ambiguous). Checked on clean rows only,
    so one bad cell is not reported twice."""
    problems = []
    communities: dict[str, tuple[str, str]] = {}
    streets: dict[str, str] = {}
    areas = Areas.of(grid for _, grid in located)
    clashed: set[str] = set()
    for line, grid in located:
        first = communities.setdefault(grid.community_code, (grid.community, grid.street_code))
        if first != (grid.community, grid.street_code):
            problems.append((line, f"社区编码 {grid.community_code} 已对应“{first[0]}”（街道 {first[1]}），"
                                   f"此处为“{grid.community}”（街道 {grid.street_code}）"))
        name = streets.setdefault(grid.street_code, grid.street)
        if name != grid.street:
            problems.append((line, f"街道编码 {grid.street_code} 已对应“{name}”，此处为“{grid.street}”"))
        for code in {grid.community_code, grid.street_code} - clashed:
            if code in areas.grids or (code == grid.street_code and code in areas.communities):
                clashed.add(code)
                problems.append((line, f"编码 {code} 同时用作不同级别（网格/社区/街道）的编码"))
    return problems
