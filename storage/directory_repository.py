"""The district registry read back as domain objects."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.directory import Department, Grid, Place
from storage.models import DepartmentRow, GridRow, PlaceRow


class SqlDirectoryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def grids(self) -> list[Grid]:
        rows = (await self.session.execute(select(GridRow).order_by(GridRow.code))).scalars()
        return [to_grid(row) for row in rows]

    async def places(self) -> list[Place]:
        rows = (await self.session.execute(select(PlaceRow).order_by(PlaceRow.id))).scalars()
        return [to_place(row) for row in rows]

    async def departments(self) -> list[Department]:
        rows = (await self.session.execute(select(DepartmentRow).order_by(DepartmentRow.code))).scalars()
        return [to_department(row) for row in rows]


def to_grid(row: GridRow) -> Grid:
    rings = [[(float(x), float(y)) for x, y in ring] for ring in (row.polygon or [])]
    return Grid(row.code, row.name, row.community_code, row.community, row.street_code, row.street, rings, row.worker)


def to_place(row: PlaceRow) -> Place:
    return Place(
        row.name, row.kind, row.grid_code, tuple(row.aliases or ()), row.road, row.number_from, row.number_to
    )


def to_department(row: DepartmentRow) -> Department:
    return Department(row.code, row.name, row.level, row.area, row.parent, tuple(row.topics or ()), row.window)
