"""departments.csv: the queues that own cases, at grid, community, street and district level."""

from collections.abc import Collection
from pathlib import Path

from handlers.directory import LEVEL_LABELS, LEVELS, Department
from storage.importers.fields import RowCheck
from storage.importers.grids import Areas
from storage.importers.problems import Parsed
from storage.importers.sources import csv_records
from storage.models import DepartmentRow

REQUIRED = ("code", "name", "level", "area")
OPTIONAL = ("parent", "topics", "window")
_LEVEL_OF_LABEL = {label: level for level, label in LEVEL_LABELS.items()}


def parse_departments(
    path: str | Path, areas: Areas | None = None, *, district_code: str | None = None
) -> list[Department]:
    """The departments of a CSV file; with `areas`, each area must be a code of its level."""
    return read_departments(path, areas, district_code=district_code).ok()


def read_departments(
    path: str | Path, areas: Areas | None = None, *, district_code: str | None = None, taken: Collection[str] = ()
) -> Parsed[Department]:
    """Departments and problems. Without `district_code`, district-level rows must agree on one;
    `taken` are department codes already in the database (an additive import)."""
    path = Path(path)
    records = csv_records(path, REQUIRED, OPTIONAL)
    parsed: Parsed[Department] = Parsed(problems=records.problems)
    checks: list[RowCheck] = []
    seen: dict[str, int] = {}
    for line, values in records.items:
        check = RowCheck(path.name, line, values, DepartmentRow.__table__)
        dept = _department(check)
        if district_code is None and dept.level == "district" and not (areas and areas.level_of(dept.area)):
            district_code = dept.area or None
        if areas is not None and dept.level in LEVELS and dept.area:
            _check_area(check, dept, areas, district_code or "")
        if dept.code in seen:
            check.fail(f"部门编码 {dept.code} 重复（第 {seen[dept.code]} 行已有）")
        elif dept.code in taken:
            check.fail(f"部门编码 {dept.code} 已在数据库中")
        if dept.code:
            seen.setdefault(dept.code, line)
        parsed.items.append(dept)
        checks.append(check)
    known = seen.keys() | set(taken)
    for check, dept in zip(checks, parsed.items, strict=True):
        if dept.parent == dept.code and dept.code:
            check.fail("上级部门不能是自己")
        elif dept.parent and dept.parent not in known:
            check.fail(f"上级部门 {dept.parent} 不存在")
        parsed.problems += check.problems
    parsed.problems.sort(key=lambda p: p.line)
    return parsed


def _department(check: RowCheck) -> Department:
    code, name, raw_level, area = (check.text(column) for column in REQUIRED)
    level = _LEVEL_OF_LABEL.get(raw_level, raw_level)
    if raw_level and level not in LEVELS:
        check.fail(f"级别“{raw_level}”无效，应为 grid/community/street/district（或 网格/社区/街道/区）之一")
    parent, window = check.text("parent", required=False), check.text("window", required=False)
    return Department(code, name, level, area, parent, check.items("topics"), window)


def _check_area(check: RowCheck, dept: Department, areas: Areas, district_code: str) -> None:
    actual = areas.level_of(dept.area) or ("district" if dept.area == district_code else None)
    if actual == dept.level:
        return
    wanted = LEVEL_LABELS[dept.level]
    if actual is None and dept.level == "district":
        check.fail(f"区级部门的服务区域应为区划代码 {district_code}，此处为 {dept.area}")
    elif actual is None:
        check.fail(f"服务区域 {dept.area} 不是已知的{wanted}编码")
    elif dept.level == "district":
        check.fail(f"区级部门的服务区域应为区划代码 {district_code}，{dept.area} 是{LEVEL_LABELS[actual]}编码")
    else:
        check.fail(f"服务区域 {dept.area} 是{LEVEL_LABELS[actual]}编码，与级别“{wanted}”不符")
