"""The district registry read back as domain objects.

Every command routes against the registry, which changes a few times a year; a short-lived
per-process cache spares each command two queries and the polygon JSON.
"""

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.directory import Department, Grid, Place
from storage.models import DepartmentRow, GridRow, PlaceRow


@dataclass(frozen=True)
class Registry:
    """What a worker reads residents' words with: the gazetteer's grids and places, and the
    departments the dialogue names (bot.live_registry keeps it current)."""

    grids: list[Grid]
    places: list[Place]
    departments: list[Department]


async def read_registry(sessions: async_sessionmaker[AsyncSession]) -> Registry:
    async with sessions() as session:
        directory = SqlDirectoryRepository(session)
        return Registry(await directory.grids(), await directory.places(), await directory.departments())


class DirectoryCache:
    def __init__(self, ttl_seconds: float = 10) -> None:
        self.ttl = ttl_seconds
        self._entries: dict[str, tuple[float, Any]] = {}

    async def get(self, name: str, load: Callable[[], Awaitable[Any]]) -> Any:
        hit = self._entries.get(name)
        if hit and time.monotonic() - hit[0] < self.ttl:
            return hit[1]
        value = await load()
        self._entries[name] = (time.monotonic(), value)
        return value


class SqlDirectoryRepository:
    def __init__(self, session: AsyncSession, cache: DirectoryCache | None = None) -> None:
        self.session = session
        self.cache = cache

    async def grids(self) -> list[Grid]:
        return await self._cached("grids", self._grids)

    async def departments(self) -> list[Department]:
        return await self._cached("departments", self._departments)

    async def _cached(self, name: str, load: Callable[[], Awaitable[Any]]) -> Any:
        return await self.cache.get(name, load) if self.cache else await load()

    async def _grids(self) -> list[Grid]:
        rows = (await self.session.execute(select(GridRow).order_by(GridRow.code))).scalars()
        return [to_grid(row) for row in rows]

    async def places(self) -> list[Place]:
        rows = (await self.session.execute(select(PlaceRow).order_by(PlaceRow.id))).scalars()
        return [to_place(row) for row in rows]

    async def _departments(self) -> list[Department]:
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
