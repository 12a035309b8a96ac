"""Charts drawn on the server as inline SVG: no script, no CDN, and nothing the pages' CSP
forbids (presentation attributes only, never a style attribute). Labels are escaped."""

import math
from collections.abc import Sequence
from html import escape

from markupsafe import Markup

PALETTE = ("#b33a3a", "#2f6f9f", "#6b8e23", "#c98a1b", "#7a4fa0", "#3b8686")
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 28, 46
MAX_X_LABELS = 12


def stacked_bars(
    labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], title: str,
    width: int = 760, height: int = 280,
) -> Markup:
    """One bar per period, one coloured segment per series (e.g. cases by category)."""
    totals = [sum(values[i] for _, values in series) for i in range(len(labels))]
    top = _nice(max(totals, default=0))
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    step = plot_w / max(len(labels), 1)
    parts = _frame(title, width, height, top, counts=True)
    for i, label in enumerate(labels):
        x, base = LEFT + i * step, float(TOP + plot_h)
        for colour, (name, values) in zip(PALETTE, series, strict=False):
            h = plot_h * values[i] / top if top else 0
            if h > 0:
                base -= h
                parts.append(f'<rect x="{x + step * 0.15:.1f}" y="{base:.1f}" width="{step * 0.7:.1f}" '
                             f'height="{h:.1f}" fill="{colour}"><title>{escape(label)} {escape(name)}：'
                             f'{values[i]}</title></rect>')
        parts.append(_x_label(i, len(labels), x + step / 2, height, label))
    parts.extend(_legend([name for name, _ in series], width))
    return Markup("".join(parts) + "</svg>")


def line_chart(
    labels: Sequence[str], values: Sequence[float | None], title: str, top: float | None = None,
    width: int = 760, height: int = 240,
) -> Markup:
    """A line through the known points (gaps where a period has no value), e.g. mean rating."""
    top = top or _nice(max((v for v in values if v is not None), default=0))
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    step = plot_w / max(len(labels), 1)
    parts = _frame(title, width, height, top)
    points = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = LEFT + i * step + step / 2
        if value is not None:
            y = TOP + plot_h - (plot_h * value / top if top else 0)
            points.append(f"{x:.1f},{y:.1f}")
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{PALETTE[1]}">'
                         f"<title>{escape(label)}：{value:.2f}</title></circle>")
        parts.append(_x_label(i, len(labels), x, height, label))
    if len(points) > 1:
        parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{PALETTE[1]}" stroke-width="2"/>')
    return Markup("".join(parts) + "</svg>")


def _frame(title: str, width: int, height: int, top: float, counts: bool = False) -> list[str]:
    plot_h = height - TOP - BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" class="chart"><title>{escape(title)}</title>',
        f'<text x="{LEFT}" y="16" font-size="13" font-weight="bold" fill="#333">{escape(title)}</text>',
    ]
    for value in ticks(top, counts):
        y = TOP + plot_h * (1 - value / top)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{width - RIGHT}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="#666">'
                     f"{_number(value)}</text>")
    return parts


def ticks(top: float, counts: bool = False) -> list[float]:
    """Gridline values from 0 to `top` in halves, except that a count axis never shows 2.5 cases:
    an odd maximum (1 or 5, see _nice) gets a line per whole case instead."""
    if counts and top % 2:
        return [float(v) for v in range(int(top) + 1)]
    return [0.0, top / 2, top]


def _x_label(i: int, count: int, x: float, height: int, label: str) -> str:
    """Every n-th period is labelled, counted back from the last, so the current one always is."""
    every = math.ceil(count / MAX_X_LABELS) if count else 1
    if (count - 1 - i) % every:
        return ""
    return (f'<text x="{x:.1f}" y="{height - BOTTOM + 16}" font-size="11" text-anchor="middle" fill="#666">'
            f"{escape(label)}</text>")


def _legend(names: Sequence[str], width: int) -> list[str]:
    parts, x = [], width - RIGHT - 90 * len(names)
    for colour, name in zip(PALETTE, names, strict=False):
        parts.append(f'<rect x="{x}" y="6" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{x + 14}" y="15" font-size="11" fill="#333">{escape(name)}</text>')
        x += 90
    return parts


def _nice(value: float) -> float:
    """A round axis maximum at or above `value` (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= value)


def _number(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"
