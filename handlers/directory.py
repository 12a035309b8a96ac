"""The district as the lifecycle sees it: grids (三级网格), named places, departments."""

from collections.abc import Iterable
from dataclasses import dataclass, field

LEVELS = ("grid", "community", "street", "district")
LEVEL_LABELS = {"grid": "网格", "community": "社区", "street": "街道", "district": "区"}


@dataclass(frozen=True)
class Grid:
    code: str
    name: str
    community_code: str
    community: str
    street_code: str
    street: str
    polygon: list[list[tuple[float, float]]] = field(default_factory=list, compare=False)
    worker: str = ""

    @property
    def label(self) -> str:
        """青禾街道幸福社区第1网格: how residents and staff alike are told a grid, the community said once
        when the grid is named after it."""
        return f"{self.community_label}{self.within_community}"

    @property
    def community_label(self) -> str:
        """青禾街道幸福社区: the grid's street and community, as a list of grids is headed."""
        return f"{self.street}{self.community}"

    @property
    def within_community(self) -> str:
        """第1网格: the grid's name under its community_label."""
        return self.name.removeprefix(self.community)


@dataclass(frozen=True)
class Place:
    name: str
    kind: str
    grid_code: str
    aliases: tuple[str, ...] = ()
    road: str = ""
    number_from: int | None = None
    number_to: int | None = None


@dataclass(frozen=True)
class Department:
    """A queue that owns cases: a grid worker, a community, a street window or a district bureau.

    `area` is the grid, community or street code it serves (the district code for bureaus);
    `topics` are the topic fields a district bureau owns; `window` names a street centre window.
    """

    code: str
    name: str
    level: str
    area: str
    parent: str = ""
    topics: tuple[str, ...] = ()
    window: str = ""


class DirectoryIndex:
    """Lookups routing needs, built once per command from the registry rows."""

    def __init__(self, grids: list[Grid], departments: list[Department]) -> None:
        self.grids = {g.code: g for g in grids}
        self.departments = {d.code: d for d in departments}

    def grid(self, code: str | None) -> Grid | None:
        return self.grids.get(code or "")

    def department(self, code: str | None) -> Department | None:
        return self.departments.get(code or "")

    def unit(
        self, level: str, grid: Grid | None, *, window: str = "", topic: str | None = None
    ) -> Department | None:
        """The department at `level` that serves `grid` (or owns `topic`, for district bureaus)."""
        for dept in self.departments.values():
            if dept.level != level:
                continue
            if level == "district":
                if topic and topic in dept.topics:
                    return dept
            elif grid is not None and dept.area == _area(level, grid):
                if not window or dept.window == window:
                    return dept
        return None


def by_community(grids: Iterable[Grid]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Grids under their street and community (「青禾街道幸福社区」 → 第1网格 …), in code order: how a
    page lists them to pick from."""
    grouped: dict[str, list[tuple[str, str]]] = {}
    for grid in sorted(grids, key=lambda g: g.code):
        grouped.setdefault(grid.community_label, []).append((grid.code, grid.within_community))
    return list(grouped.items())


def _area(level: str, grid: Grid) -> str:
    return {"grid": grid.code, "community": grid.community_code, "street": grid.street_code}[level]
