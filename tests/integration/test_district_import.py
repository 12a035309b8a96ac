"""Importing a district registry into SQLite and PostgreSQL: all of it, or nothing at all."""

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Insert, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import make_engine, session_factory
from storage.importers import (
    District,
    ImportFailed,
    ImportReport,
    import_district,
    load_directory,
    validate_district,
)
from storage.models import DepartmentRow, GridRow, PlaceRow

SAMPLE = Path(__file__).resolve().parents[2] / "sample_district"
FILES = ("grids.geojson", "places.csv", "departments.csv")


@pytest.fixture
async def sessions(db_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(db_url)
    yield session_factory(engine)
    await engine.dispose()


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    """A private copy of the sample district that a test may spoil."""
    for name in FILES:
        shutil.copy(SAMPLE / name, tmp_path / name)
    return [tmp_path / name for name in FILES]


async def load(sessions: async_sessionmaker[AsyncSession], *paths: Path, **options: Any) -> ImportReport:
    async with sessions() as session:
        return await import_district(session, *paths, **options)


Snapshot = tuple[list[int], dict[str, Any] | None, District, list[Any]]


async def snapshot(sessions: async_sessionmaker[AsyncSession]) -> Snapshot:
    """Row counts, one raw row, and the whole registry with its polygons (which Grid equality skips)."""
    async with sessions() as session:
        counts = [await session.scalar(select(func.count()).select_from(t)) or 0
                  for t in (GridRow, PlaceRow, DepartmentRow)]
        row = await session.get(GridRow, "QH01-C01-G01")
        sample_row = None if row is None else {c.key: getattr(row, c.key) for c in GridRow.__table__.c}
        directory = await load_directory(session)
    return counts, sample_row, directory, [g.polygon for g in directory.grids]


async def test_the_sample_district_round_trips(
    sessions: async_sessionmaker[AsyncSession], files: list[Path]
) -> None:
    report = await load(sessions, *files)
    expected = validate_district(*files)
    assert (report.streets, report.communities, report.grids, report.places, report.departments) == (
        2, 8, len(expected.grids), len(expected.places), len(expected.departments))
    async with sessions() as session:
        grids, places, departments = await load_directory(session)
    assert grids == sorted(expected.grids, key=lambda g: g.code)
    assert [g.polygon for g in grids] == [g.polygon for g in sorted(expected.grids, key=lambda g: g.code)]
    assert places == expected.places
    assert departments == sorted(expected.departments, key=lambda d: d.code)


async def test_loading_again_replaces_rather_than_doubles(
    sessions: async_sessionmaker[AsyncSession], files: list[Path]
) -> None:
    await load(sessions, *files)
    before = await snapshot(sessions)
    report = await load(sessions, *files)
    assert report.replaced and await snapshot(sessions) == before


async def test_a_bad_row_is_reported_and_leaves_the_database_unchanged(
    sessions: async_sessionmaker[AsyncSession], files: list[Path]
) -> None:
    await load(sessions, *files)
    before = await snapshot(sessions)
    assert before[0][1] >= 150 and before[1] is not None
    places = files[1]
    with places.open("a", encoding="utf-8") as handle:
        handle.write("新建小区,小区,QH09-C01-G01,,,,\n")
    bad_line = len(places.read_text(encoding="utf-8").splitlines())
    with pytest.raises(ImportFailed) as failed:
        await load(sessions, *files)
    assert [(p.file, p.line) for p in failed.value.problems] == [("places.csv", bad_line)]
    assert "QH09-C01-G01 不存在" in str(failed.value)
    assert await snapshot(sessions) == before


async def test_a_bad_row_writes_nothing_into_an_empty_database(
    sessions: async_sessionmaker[AsyncSession], files: list[Path]
) -> None:
    text = files[2].read_text(encoding="utf-8")
    files[2].write_text(text.replace(",grid,QH01-C01-G02,", ",grid,QH01-C01-G99,", 1), encoding="utf-8")
    with pytest.raises(ImportFailed) as failed:
        await load(sessions, *files)
    [problem] = failed.value.problems
    assert problem.file == "departments.csv" and "QH01-C01-G99" in problem.message
    assert text.splitlines()[problem.line - 1].startswith("W-QH01-C01-G02,")
    assert (await snapshot(sessions))[0] == [0, 0, 0]


class FailingDepartmentInsert:
    """A session whose last write fails, as a lost connection or a full disk would."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def execute(self, statement: Any, *args: Any) -> Any:
        if isinstance(statement, Insert) and statement.table.name == DepartmentRow.__tablename__:
            raise ConnectionError("模拟写入失败")
        return await self.session.execute(statement, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.session, name)


async def test_a_failed_write_keeps_the_old_registry(
    sessions: async_sessionmaker[AsyncSession], files: list[Path]
) -> None:
    await load(sessions, *files)
    before = await snapshot(sessions)
    renamed = files[2].read_text(encoding="utf-8").replace("区综治中心统一分拨", "区社会治理中心统一分拨")
    files[2].write_text(renamed, encoding="utf-8")  # something to write
    async with sessions() as session:
        with pytest.raises(ConnectionError):
            await import_district(FailingDepartmentInsert(session), *files)  # type: ignore[arg-type]
    assert await snapshot(sessions) == before


async def test_an_additive_import_extends_but_never_redefines(
    sessions: async_sessionmaker[AsyncSession], files: list[Path], tmp_path: Path
) -> None:
    await load(sessions, *files)
    before = await snapshot(sessions)
    with pytest.raises(ImportFailed) as failed:
        await load(sessions, *files, replace=False)
    assert "网格编码 QH01-C01-G01 已在数据库中" in str(failed.value)
    assert "部门编码 C-QH01-C01 已在数据库中" in str(failed.value)
    assert await snapshot(sessions) == before

    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "grids.geojson").write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"code": "QH03-C01-G01",'
        ' "name": "新区社区第1网格", "community_code": "QH03-C01", "community": "新区社区", "street_code": "QH03",'
        ' "street": "新区街道"}, "geometry": {"type": "Polygon", "coordinates":'
        " [[[113.0, 28.15], [113.01, 28.15], [113.01, 28.16], [113.0, 28.16], [113.0, 28.15]]]}}]}",
        encoding="utf-8",
    )
    (extra / "places.csv").write_text("name,kind,grid_code\n新区小区,小区,QH03-C01-G01\n补录小区,小区,QH01-C01-G01\n",
                                      encoding="utf-8")
    (extra / "departments.csv").write_text(
        "code,name,level,area,parent\nW-QH03-C01-G01,新区社区第1网格网格员,grid,QH03-C01-G01,QH-DISPATCH\n",
        encoding="utf-8",
    )
    report = await load(sessions, *(extra / name for name in FILES), replace=False)
    assert (report.grids, report.places, report.departments, report.replaced) == (1, 2, 1, False)
    counts, row, _, _ = await snapshot(sessions)
    assert counts == [before[0][0] + 1, before[0][1] + 2, before[0][2] + 1] and row == before[1]
