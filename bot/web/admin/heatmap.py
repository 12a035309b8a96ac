"""A classifier's confusion matrix as a heat map drawn on the server in SVG, like the dashboard's
charts (bot/web/staff/charts.py): no script, presentation attributes only, labels escaped.

Each cell is shaded by its share of the true label's row, so a label with few cases shows its
errors as clearly as a common one: the diagonal in blue (read correctly), the rest in red (the page
says so under the picture: LEGEND)."""

from collections.abc import Callable, Sequence
from html import escape

from markupsafe import Markup

CELL, LEFT, TOP, PAD = 40, 132, 128, 12
SPILL = 72  # room on the right for the last slanted column label
RIGHT_BLUE, WRONG_RED = (47, 111, 159), (179, 58, 58)
LEGEND = "颜色深浅为占该行（实际标签）的比例：蓝色为判断正确，红色为判错。"


def confusion_heatmap(labels: Sequence[str], matrix: Sequence[Sequence[int]], title: str,
                      name: Callable[[str], str] = str) -> Markup:
    """Rows are the labels people confirmed, columns what the classifier said; `name` words a label."""
    size = len(labels)
    width, height = LEFT + CELL * size + SPILL, TOP + CELL * size + PAD
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" role="img" '
        f'aria-label="{escape(title)}" class="chart heatmap"><title>{escape(title)}</title>',
        f'<text x="4" y="16" font-size="13" font-weight="bold" fill="#333">{escape(title)}</text>',
        f'<text x="{LEFT + CELL * size / 2:.0f}" y="34" font-size="11" text-anchor="middle" fill="#666">'
        "分类器判断 →</text>",
        f'<text x="4" y="{TOP - 8}" font-size="11" fill="#666">实际（人工确认）↓</text>',
    ]
    for i, label in enumerate(labels):
        said = escape(_short(name(label)))
        x = LEFT + CELL * i + CELL / 2
        parts.append(f'<text x="{x:.0f}" y="{TOP - 6}" font-size="11" fill="#333" '
                     f'transform="rotate(-50 {x:.0f} {TOP - 6})">{said}</text>')
        parts.append(f'<text x="{LEFT - 6}" y="{TOP + CELL * i + CELL / 2 + 4:.0f}" font-size="11" '
                     f'text-anchor="end" fill="#333">{said}</text>')
    for row, (truth, counts) in enumerate(zip(labels, matrix, strict=True)):
        total = sum(counts)
        for column, (guess, count) in enumerate(zip(labels, counts, strict=True)):
            share = count / total if total else 0.0
            colour = _shade(RIGHT_BLUE if row == column else WRONG_RED, share)
            x, y = LEFT + CELL * column, TOP + CELL * row
            tip = f"实际 {name(truth)} → 判为 {name(guess)}：{count} 条"
            if total:
                tip += f"（占实际为{name(truth)}的 {share:.0%}）"
            parts.append(f'<g><title>{escape(tip)}</title><rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" '
                         f'fill="{colour}" stroke="#fff"/>')
            if count:
                ink = "#fff" if share > 0.55 else "#222"
                parts.append(f'<text x="{x + CELL / 2:.0f}" y="{y + CELL / 2 + 4:.0f}" font-size="12" '
                             f'text-anchor="middle" fill="{ink}">{count}</text>')
            parts.append("</g>")
    return Markup("".join(parts) + "</svg>")


def _shade(colour: tuple[int, int, int], share: float) -> str:
    """White at 0, the full colour at 1; a cell with any case is at least faintly tinted."""
    strength = 0.0 if share <= 0 else 0.12 + 0.88 * share
    r, g, b = (round(255 - (255 - c) * strength) for c in colour)
    return f"#{r:02x}{g:02x}{b:02x}"


def _short(label: str, limit: int = 8) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
