"""Grid polygons from GeoJSON: [lon, lat] rings that shapely accepts as a valid, non-empty area."""

import json
import math
from typing import Any

from shapely.geometry import Polygon
from shapely.validation import explain_validity

Ring = list[tuple[float, float]]

_REASONS = {
    "Ring Self-intersection": "环自相交",
    "Self-intersection": "边界自相交",
    "Hole lies outside shell": "内环位于外环之外",
    "Nested holes": "内环相互嵌套",
    "Interior is disconnected": "内部不连通",
    "Nested shells": "外环相互嵌套",
    "Duplicate Rings": "环重复",
    "Too few points": "点数太少",
    "Invalid Coordinate": "坐标无效",
    "Ring is not closed": "环没有闭合",
}


def polygon_rings(geometry: Any) -> tuple[list[Ring], list[str]]:
    """The rings of a GeoJSON Polygon (outer first), or the reasons it is not a usable one."""
    if not isinstance(geometry, dict) or geometry.get("type") != "Polygon":
        kind = geometry.get("type") if isinstance(geometry, dict) else type(geometry).__name__
        return [], [f"几何类型应为 Polygon，实际为 {kind}"]
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list) or not coordinates:
        return [], ["多边形没有坐标"]
    rings: list[Ring] = []
    problems: list[str] = []
    for index, raw in enumerate(coordinates):
        name = "外环" if index == 0 else f"第 {index} 个内环"
        ring, problem = _ring(raw, name)
        rings.append(ring)
        if problem:
            problems.append(problem)
    if problems:
        return rings, problems
    shape = Polygon(rings[0], rings[1:])
    if not shape.is_valid:
        return rings, [f"多边形不合法：{_reason(explain_validity(shape))}"]
    if shape.area == 0:
        return rings, ["多边形面积为零"]
    return rings, []


def _ring(raw: Any, name: str) -> tuple[Ring, str]:
    if not isinstance(raw, list):
        return [], f"{name}应为坐标数组"
    ring: Ring = []
    for position in raw:
        point = _point(position)
        if point is None:
            return ring, f"{name}有坐标格式错误：{_shown(position)}（应为 [经度, 纬度]）"
        lon, lat = point
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            return ring, f"{name}有坐标超出经纬度范围：{_shown(position)}（应为 [经度, 纬度]）"
        ring.append(point)
    if len(ring) < 4:
        return ring, f"{name}至少需要 4 个坐标（首尾相同）"
    if ring[0] != ring[-1]:
        return ring, f"{name}首尾坐标不同，没有闭合"
    return ring, ""


def _point(position: Any) -> tuple[float, float] | None:
    if not isinstance(position, list) or len(position) < 2:
        return None
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position[:2]):
        return None
    try:
        lon, lat = float(position[0]), float(position[1])
    except OverflowError:
        return None
    return (lon, lat) if math.isfinite(lon) and math.isfinite(lat) else None


def _reason(explanation: str) -> str:
    head, _, where = explanation.partition("[")
    reason = _REASONS.get(head.strip(), head.strip())
    return f"{reason}（位置 {where.rstrip(']')}）" if where else reason


def _shown(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)[:60]
