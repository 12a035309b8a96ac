"""What loading a registry would change, worked out before anything is written (the dry run): grids
and departments added, removed, renamed or otherwise changed, places added and removed, and the open
cases and accounts left pointing at a grid or department that goes away. The CLI and the registry
page show the same sentences (`Changes.lines`)."""

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.directory import Department, Grid
from handlers.status import FINAL
from storage.importers.district import District
from storage.models import CaseRow
from storage.staff_models import StaffGridRow, StaffRow

SHOWN = 20  # case numbers named on the preview; the counts say how many there are in all


@dataclass(frozen=True)
class Entry:
    """A grid or a department as the preview names it."""

    code: str
    name: str


@dataclass(frozen=True)
class Renamed:
    code: str
    before: str
    after: str


@dataclass(frozen=True)
class Affected:
    """What still points at a removed grid or department: open (not yet archived) cases, and enabled accounts."""

    cases: int = 0  # in a removed grid, held by a removed department, or both
    cases_in_removed_grids: int = 0
    cases_of_removed_departments: int = 0
    case_numbers: tuple[str, ...] = ()  # the first few of them, to open before deciding
    accounts: tuple[str, ...] = ()  # clerks of a removed department, grid workers of a removed grid


@dataclass(frozen=True)
class Changes:
    replace: bool  # False: an additive import, which removes and redefines nothing
    grids_added: tuple[Entry, ...]
    grids_removed: tuple[Entry, ...]
    grids_renamed: tuple[Renamed, ...]
    grids_changed: tuple[Entry, ...]  # same name; another community or street code, boundary or grid worker
    departments_added: tuple[Entry, ...]
    departments_removed: tuple[Entry, ...]
    departments_renamed: tuple[Renamed, ...]
    departments_changed: tuple[Entry, ...]  # same name; another level, area, parent, topics or window
    places_added: int
    places_removed: int
    places_reordered: bool  # the same places in another order: loading it still rewrites them
    totals: tuple[int, int, int]  # grids, places, departments once loaded
    affected: Affected = Affected()

    @property
    def nothing(self) -> bool:
        return not any((self.grids_added, self.grids_removed, self.grids_renamed, self.grids_changed,
                        self.departments_added, self.departments_removed, self.departments_renamed,
                        self.departments_changed, self.places_added, self.places_removed, self.places_reordered))

    def lines(self) -> list[str]:
        """The preview in a sentence per kind, then what needs attention."""
        grids, places, departments = self.totals
        if self.nothing:
            return [f"与当前名录完全相同（{grids} 个网格、{places} 个地名、{departments} 个部门），导入不会改变任何数据。"]
        grid_counts = _counts(self.grids_added, self.grids_removed, self.grids_renamed, self.grids_changed,
                              "边界等信息变更")
        department_counts = _counts(self.departments_added, self.departments_removed, self.departments_renamed,
                                    self.departments_changed, "级别或服务区域等信息变更")
        place_counts = _place_counts(self.places_added, self.places_removed, self.places_reordered)
        lines = [f"网格：{grid_counts}（导入后共 {grids} 个）。", f"部门：{department_counts}（导入后共 {departments} 个）。",
                 f"地名：{place_counts}（导入后共 {places} 条）。"]
        affected = self.affected
        if affected.cases_in_removed_grids:
            lines.append(f"注意：要删除的网格中有 {affected.cases_in_removed_grids} 件未归档的诉求，"
                         "导入后它们的网格将显示为原编码，地图和网格统计中不再出现。")
        if affected.cases_of_removed_departments:
            lines.append(f"注意：要删除的部门名下有 {affected.cases_of_removed_departments} 件未归档的诉求，"
                         "导入后将没有部门办理，请先转办，或在新名录中保留这些部门。")
        if affected.accounts:
            lines.append(f"注意：{len(affected.accounts)} 个账号所属的部门或负责的网格将被删除"
                         f"（{'、'.join(affected.accounts)}），请随后在账号管理中调整。")
        return lines

    def itemised(self, limit: int = SHOWN) -> list[str]:
        """Each grid and department that changes, by code (the first `limit` of each kind)."""
        kinds: list[tuple[str, Sequence[Entry | Renamed]]] = [
            ("新增网格", self.grids_added), ("删除网格", self.grids_removed), ("网格更名", self.grids_renamed),
            ("网格边界等信息变更", self.grids_changed), ("新增部门", self.departments_added),
            ("删除部门", self.departments_removed), ("部门更名", self.departments_renamed),
            ("部门级别或服务区域等信息变更", self.departments_changed)]
        lines = []
        for what, items in kinds:
            lines += [f"{what} {_said(item)}" for item in items[:limit]]
            if len(items) > limit:
                lines.append(f"{what}……（另有 {len(items) - limit} 个）")
        return lines

    def fingerprint(self) -> str:
        """Stands for this preview: applying checks that the registry still gives the same one."""
        return hashlib.sha256(json.dumps(asdict(self), ensure_ascii=False, sort_keys=True).encode()).hexdigest()

    def details(self) -> dict[str, Any]:
        """For the audit log: codes, not whole rows."""
        codes = lambda entries: [e.code for e in entries]  # noqa: E731 - read eight times below
        return {"replace": self.replace, "totals": list(self.totals),
                "grids_added": codes(self.grids_added), "grids_removed": codes(self.grids_removed),
                "grids_renamed": codes(self.grids_renamed), "grids_changed": codes(self.grids_changed),
                "departments_added": codes(self.departments_added),
                "departments_removed": codes(self.departments_removed),
                "departments_renamed": codes(self.departments_renamed),
                "departments_changed": codes(self.departments_changed),
                "places_added": self.places_added, "places_removed": self.places_removed,
                "open_cases_affected": self.affected.cases}


async def changes(session: AsyncSession, before: District, loaded: District, *, additive: bool) -> Changes:
    """The difference between the registry in the database and what it becomes with `loaded` (which,
    in an additive import, holds only the new rows), with what is left pointing at removed codes."""
    after = loaded if not additive else District([*before.grids, *loaded.grids], [*before.places, *loaded.places],
                                            [*before.departments, *loaded.departments])
    diff = compare(before, after, replace=not additive)
    affected = await _affected(session, [e.code for e in diff.grids_removed],
                               [e.code for e in diff.departments_removed])
    return replace(diff, affected=affected)


def compare(before: District, after: District, *, replace: bool) -> Changes:
    old_grids, new_grids = {g.code: g for g in before.grids}, {g.code: g for g in after.grids}
    old_depts, new_depts = {d.code: d for d in before.departments}, {d.code: d for d in after.departments}
    kept_grids = [(old_grids[code], new_grids[code]) for code in sorted(old_grids.keys() & new_grids.keys())]
    kept_depts = [(old_depts[code], new_depts[code]) for code in sorted(old_depts.keys() & new_depts.keys())]
    places_old, places_new = Counter(before.places), Counter(after.places)
    return Changes(
        replace=replace,
        grids_added=_entries(new_grids, new_grids.keys() - old_grids.keys(), _grid_name),
        grids_removed=_entries(old_grids, old_grids.keys() - new_grids.keys(), _grid_name),
        grids_renamed=tuple(Renamed(o.code, o.label, n.label) for o, n in kept_grids if o.label != n.label),
        grids_changed=tuple(Entry(n.code, n.label) for o, n in kept_grids
                            if o.label == n.label and _grid_details(o) != _grid_details(n)),
        departments_added=_entries(new_depts, new_depts.keys() - old_depts.keys(), _department_name),
        departments_removed=_entries(old_depts, old_depts.keys() - new_depts.keys(), _department_name),
        departments_renamed=tuple(Renamed(o.code, o.name, n.name) for o, n in kept_depts if o.name != n.name),
        departments_changed=tuple(Entry(n.code, n.name) for o, n in kept_depts if o.name == n.name and o != n),
        places_added=sum((places_new - places_old).values()),
        places_removed=sum((places_old - places_new).values()),
        places_reordered=places_old == places_new and before.places != after.places,
        totals=(len(new_grids), len(after.places), len(new_depts)),
    )


def _counts(added: Sequence[Any], removed: Sequence[Any], renamed: Sequence[Any], changed: Sequence[Any],
            changed_as: str) -> str:
    said = [f"{what} {len(items)} 个" for what, items in
            (("新增", added), ("删除", removed), ("更名", renamed), (changed_as, changed)) if items]
    return "、".join(said) or "无变化"


def _said(item: "Entry | Renamed") -> str:
    if isinstance(item, Renamed):
        return f"{item.code}：{item.before} → {item.after}"
    return f"{item.code} {item.name}"


def _place_counts(added: int, removed: int, reordered: bool) -> str:
    said = [f"{what} {count} 条" for what, count in (("新增", added), ("删除", removed)) if count]
    if reordered and not said:
        return "内容相同，仅顺序不同"
    return "、".join(said) or "无变化"


def _entries(by_code: dict[str, Any], codes: Iterable[str], name: Any) -> tuple[Entry, ...]:
    return tuple(Entry(code, name(by_code[code])) for code in sorted(codes))


def _grid_name(grid: Grid) -> str:
    return grid.label


def _department_name(department: Department) -> str:
    return department.name


def _grid_details(grid: Grid) -> tuple[Any, ...]:
    """What a grid holds beside its names; rings compared as float pairs (the database hands back lists)."""
    rings = tuple(tuple((float(x), float(y)) for x, y in ring) for ring in grid.polygon)
    return grid.community_code, grid.street_code, grid.worker, rings


async def _affected(session: AsyncSession, grids: list[str], departments: list[str]) -> Affected:
    if not grids and not departments:
        return Affected()
    still_open = CaseRow.status.not_in([status.value for status in FINAL])
    in_grids, of_departments = CaseRow.grid_code.in_(grids), CaseRow.department.in_(departments)
    count = lambda where: select(func.count()).select_from(CaseRow).where(still_open, where)  # noqa: E731
    numbers = select(CaseRow.number).where(still_open, in_grids | of_departments).order_by(CaseRow.number).limit(SHOWN)
    clerks = select(StaffRow.username).where(StaffRow.active.is_(True), StaffRow.department.in_(departments))
    workers = (select(StaffRow.username).join(StaffGridRow, StaffGridRow.staff_id == StaffRow.id)
               .where(StaffRow.active.is_(True), StaffGridRow.grid_code.in_(grids)))
    accounts = set((await session.execute(clerks)).scalars()) | set((await session.execute(workers)).scalars())
    return Affected(await session.scalar(count(in_grids | of_departments)) or 0,
                    await session.scalar(count(in_grids)) or 0, await session.scalar(count(of_departments)) or 0,
                    tuple((await session.execute(numbers)).scalars()), tuple(sorted(accounts)))
