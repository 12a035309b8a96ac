"""Confusion-matrix picture for `minsheng nlu eval`: PNG via matplotlib (Agg, no display).

Uses a CJK font when the machine has one; otherwise labels are written in pinyin so the picture
stays readable instead of showing empty boxes.
"""

from pathlib import Path

from pypinyin import lazy_pinyin

_CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
              "SimHei", "Microsoft YaHei", "PingFang SC", "AR PL UMing CN", "Droid Sans Fallback")


def confusion_png(confusion: dict, path: Path, title: str) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    font = next((name for name in _CJK_FONTS if name in installed), None)
    labels = confusion["labels"] if font else ["".join(lazy_pinyin(label)) for label in confusion["labels"]]
    matrix = confusion["matrix"]
    size = max(4.0, 0.8 * len(labels) + 2)
    figure, axes = plt.subplots(figsize=(size, size))
    try:
        if font:
            plt.rcParams["font.sans-serif"] = [font]
        image = axes.imshow(matrix, cmap="Blues")
        figure.colorbar(image, ax=axes, fraction=0.046)
        axes.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
        axes.set_yticks(range(len(labels)), labels)
        axes.set_xlabel("predicted" if not font else "预测")
        axes.set_ylabel("true" if not font else "真实")
        axes.set_title(title)
        peak = max((max(row) for row in matrix), default=0)
        for i, row in enumerate(matrix):
            for j, value in enumerate(row):
                axes.text(j, i, str(value), ha="center", va="center", color="white" if value > peak / 2 else "black")
        figure.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, dpi=120)
    finally:
        plt.close(figure)
    return path
