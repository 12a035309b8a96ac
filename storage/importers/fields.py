"""Cell-level checks shared by the three registry files, sized by the columns they land in."""

import re
from collections.abc import Mapping

from sqlalchemy import Table

from storage.importers.problems import LINE, ImportProblem

LABELS = {
    "code": "编码",
    "name": "名称",
    "community_code": "社区编码",
    "community": "社区名称",
    "street_code": "街道编码",
    "street": "街道名称",
    "worker": "网格员",
    "kind": "类型",
    "grid_code": "网格编码",
    "aliases": "别名",
    "road": "道路",
    "number_from": "起始门牌号",
    "number_to": "截止门牌号",
    "level": "级别",
    "area": "服务区域",
    "parent": "上级部门",
    "topics": "主管领域",
    "window": "窗口",
}
_SEPARATORS = re.compile(r"[;；]")
_MAX_INT = 2**31 - 1


def label(column: str) -> str:
    return f"{LABELS.get(column, column)}（{column}）"


class RowCheck:
    """Reads one row's cells and collects every problem in it instead of stopping at the first."""

    def __init__(self, file: str, line: int, values: Mapping[str, str], table: Table, unit: str = LINE) -> None:
        self.file, self.line, self.values, self.table, self.unit = file, line, values, table, unit
        self.problems: list[ImportProblem] = []

    def fail(self, message: str) -> None:
        self.problems.append(ImportProblem(self.file, self.line, message, self.unit))

    def text(self, column: str, *, required: bool = True) -> str:
        value = self.values.get(column, "")
        if required and not value:
            self.fail(f"{label(column)}不能为空")
        limit = getattr(self.table.c[column].type, "length", None)
        if limit and len(value) > limit:
            self.fail(f"{label(column)}超过 {limit} 个字符")
        return value

    def items(self, column: str) -> tuple[str, ...]:
        """A `;`-separated list (a full-width `；` is accepted too), blanks and repeats dropped."""
        parts = (part.strip() for part in _SEPARATORS.split(self.values.get(column, "")))
        return tuple(dict.fromkeys(part for part in parts if part))

    def number(self, column: str) -> int | None:
        value = self.values.get(column, "")
        if not value:
            return None
        if not value.isascii() or not value.isdigit():
            self.fail(f"{label(column)}“{value}”不是正整数")
            return None
        number = int(value)
        if not 1 <= number <= _MAX_INT:
            self.fail(f"{label(column)}“{value}”超出范围")
            return None
        return number
