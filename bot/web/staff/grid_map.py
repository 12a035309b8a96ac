"""The district's grids as an inline SVG map, drawn on the server from the registry's polygons like the
dashboard's charts (bot/web/staff/charts.py): no tiles, no script, presentation attributes only.

Grids are shaded by their case count and a grid with a warning flag gets a red outline and a marker.
Longitude is scaled by the cosine of the district's latitude so that grids keep their shape.
"""

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from html import escape

from markupsafe import Markup

from handlers.directory import Grid

SHADES = ("#deebf7", "#b3d1ea", "#7fb0d8", "#4a88c0", "#1f5a96")  # blues, so the red flag marks stand out
EMPTY, OUTLINE, FLAG = "#f3f1ec", "#8a8378", "#b3261e"
MARGIN, LEGEND = 12, 64
Point = tuple[float, float]


def grid_map(
    grids: Sequence[Grid], counts: Mapping[str, int], flagged: Collection[str], title: str,
    width: int = 760, height: int = 560,
) -> Markup:
    """Every grid with a polygon as one <path data-grid="code">; flagged ones carry data-flagged."""
    drawn = [g for g in grids if any(len(ring) >= 3 for ring in g.polygon)]
    top = max((counts.get(g.code, 0) for g in grids), default=0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" class="chart grid-map"><title>{escape(title)}</title>',
        f'<text x="{MARGIN}" y="18" font-size="13" font-weight="bold" fill="#333">{escape(title)}</text>',
    ]
    project = _projection(drawn, width, height)
    markers = []
    for grid in sorted(drawn, key=lambda g: g.code in flagged):  # flagged last: no neighbour hides their outline
        count = counts.get(grid.code, 0)
        fill = SHADES[_band(count, top)] if count else EMPTY
        rings = [[project(point) for point in ring] for ring in grid.polygon if len(ring) >= 3]
        path = " ".join("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in ring) + " Z" for ring in rings)
        hot = grid.code in flagged
        stroke = f'stroke="{FLAG}" stroke-width="3" data-flagged="1"' if hot else f'stroke="{OUTLINE}"'
        parts.append(f'<path d="{path}" fill="{fill}" fill-rule="evenodd" {stroke} data-grid="{escape(grid.code)}" '
                     f'data-count="{count}">'
                     f"<title>{escape(grid.label)}：{count} 件{'，有预警' if hot else ''}</title></path>")
        x, y = _centre(rings[0])
        if count:
            ink = "#fff" if _band(count, top) >= 3 else "#222"
            parts.append(f'<text x="{x:.1f}" y="{y + 4:.1f}" font-size="10" text-anchor="middle" fill="{ink}">'
                         f"{count}</text>")
        if hot:
            markers.append(f'<g class="flag-marker" data-grid="{escape(grid.code)}"><circle cx="{x:.1f}" '
                           f'cy="{y - 16:.1f}" r="7" fill="#fff" stroke="{FLAG}" stroke-width="2"/>'
                           f'<text x="{x:.1f}" y="{y - 12:.1f}" font-size="11" font-weight="bold" '
                           f'text-anchor="middle" fill="{FLAG}">!</text></g>')
    parts.extend(markers)  # above every grid, so a neighbour's fill never hides a marker
    parts.extend(_legend(top, height, width, len(grids) - len(drawn)))
    return Markup("".join(parts) + "</svg>")


def _projection(grids: Sequence[Grid], width: int, height: int) -> Callable[[Point], Point]:
    """Fit the grids' bounding box into the drawing area, north up."""
    points = [p for g in grids for ring in g.polygon for p in ring]
    if not points:
        return lambda point: (width / 2, height / 2)
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    squeeze = math.cos(math.radians((min(lats) + max(lats)) / 2))
    span_x = max((max(lons) - min(lons)) * squeeze, 1e-9)
    span_y = max(max(lats) - min(lats), 1e-9)
    box_w, box_h = width - 2 * MARGIN, height - 2 * MARGIN - LEGEND - 12
    scale = min(box_w / span_x, box_h / span_y)
    left = MARGIN + (box_w - span_x * scale) / 2
    top = MARGIN + 12 + (box_h - span_y * scale) / 2
    west, north = min(lons), max(lats)

    def project(point: Point) -> Point:
        return left + (point[0] - west) * squeeze * scale, top + (north - point[1]) * scale

    return project


def _centre(ring: list[Point]) -> Point:
    """The mean of a ring's corners (its closing point counted once): inside the grid for the convex
    and nearly convex shapes grids have, and cheap."""
    corners = ring[:-1] if len(ring) > 1 and ring[0] == ring[-1] else ring
    return sum(x for x, _ in corners) / len(corners), sum(y for _, y in corners) / len(corners)


def _band(count: int, top: int) -> int:
    """Which shade: the counts from 1 to the busiest grid's split into equal bands."""
    return (count * len(SHADES) - 1) // top


def _legend(top: int, height: int, width: int, undrawn: int) -> list[str]:
    y = height - LEGEND + 8
    parts = [f'<text x="{MARGIN}" y="{y + 9}" font-size="11" fill="#333">诉求件数</text>']
    x = MARGIN + 56
    bands = [(EMPTY, "0")]
    for i, shade in enumerate(SHADES):
        low, high = i * top // len(SHADES) + 1, (i + 1) * top // len(SHADES)
        if low <= high:
            bands.append((shade, str(low) if low == high else f"{low}–{high}"))
    for shade, label in bands:
        parts.append(f'<rect x="{x}" y="{y}" width="14" height="12" fill="{shade}" stroke="{OUTLINE}" '
                     f'stroke-width="0.5"/><text x="{x + 18}" y="{y + 10}" font-size="11" fill="#333">'
                     f"{escape(label)}</text>")
        x += 70
    parts.append(f'<circle cx="{MARGIN + 7}" cy="{y + 30}" r="7" fill="#fff" stroke="{FLAG}" stroke-width="2"/>'
                 f'<text x="{MARGIN + 7}" y="{y + 34}" font-size="11" font-weight="bold" text-anchor="middle" '
                 f'fill="{FLAG}">!</text><text x="{MARGIN + 20}" y="{y + 34}" font-size="11" fill="#333">'
                 f"红框并标 ! 的网格有未处理的预警</text>")
    if undrawn:
        parts.append(f'<text x="{width - MARGIN}" y="{y + 34}" font-size="11" text-anchor="end" fill="#666">'
                     f"另有 {undrawn} 个网格未录入边界，未在图中显示</text>")
    return parts
