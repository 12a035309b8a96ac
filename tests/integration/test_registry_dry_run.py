"""The district registry's dry run and load on SQLite and PostgreSQL (storage.importers, shared by the
registry page and `minsheng district load`): every problem as 文件 第N行：原因 with nothing written; a
preview of what changes, with the open cases and accounts left on removed codes; the load in one
transaction that a failure midway leaves unwritten, its audit entry included; a registry changed
since its preview refused; and the CLI's --dry-run."""

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Insert, create_engine, func, select
from typer.testing import CliRunner

from bot.bootstrap import App
from bot.cli.main import app as cli
from bot.web.accounts import add_staff
from handlers import commands as c
from storage.audit_log import recent
from storage.audit_models import AuditRow
from storage.importers import ImportFailed, RegistryChanged, import_district, load_directory, plan_district
from storage.importers.changes import Entry, Renamed
from storage.models import DepartmentRow, GridRow, PlaceRow
from storage.importers.registry import AREA
from tests.fakes.web_stack import PASSWORD

SAMPLE = Path(__file__).resolve().parents[2] / "sample_district"
FILES = ("grids.geojson", "places.csv", "departments.csv")
PROBLEM = re.compile(r"^(grids\.geojson|places\.csv|departments\.csv) 第\d+(行|个要素)：.+$")
GONE, RENAMED, NEW = "QH01-C01-G05", "QH01-C01-G04", "QH03-C01-G01"
NEW_POLYGON = [[[113.0, 28.15], [113.01, 28.15], [113.01, 28.16], [113.0, 28.16], [113.0, 28.15]]]


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    """A private copy of the sample district that a test may spoil."""
    for name in FILES:
        shutil.copy(SAMPLE / name, tmp_path / name)
    return [tmp_path / name for name in FILES]


def redrawn(files: list[Path], folder: Path) -> list[Path]:
    """The sample district a year on: grid G05 merged away with its places and grid worker's queue,
    G04 renamed, a new street's first grid and its queue, the dispatch centre renamed."""
    folder.mkdir()
    document = json.loads(files[0].read_text(encoding="utf-8"))
    features = [f for f in document["features"] if f["properties"]["code"] != GONE]
    for feature in features:
        if feature["properties"]["code"] == RENAMED:
            feature["properties"]["name"] = "幸福社区第四网格"
    features.append({"type": "Feature", "properties": {
        "code": NEW, "name": "新区社区第1网格", "community_code": "QH03-C01", "community": "新区社区",
        "street_code": "QH03", "street": "新区街道"}, "geometry": {"type": "Polygon", "coordinates": NEW_POLYGON}})
    lines = ",\n".join(json.dumps(f, ensure_ascii=False) for f in features)
    (folder / FILES[0]).write_text('{"type": "FeatureCollection", "features": [\n' + lines + "\n]}\n", encoding="utf-8")
    places = [line for line in files[1].read_text(encoding="utf-8").splitlines() if f",{GONE}," not in line]
    (folder / FILES[1]).write_text("\n".join(places) + "\n", encoding="utf-8")
    departments = [line.replace("区综治中心统一分拨", "区社会治理中心统一分拨")
                   for line in files[2].read_text(encoding="utf-8").splitlines() if not line.startswith(f"W-{GONE},")]
    departments.append(f"W-{NEW},新区街道新区社区第1网格网格员,grid,{NEW},QH-DISPATCH,,")
    (folder / FILES[2]).write_text("\n".join(departments) + "\n", encoding="utf-8")
    return [folder / name for name in FILES]


async def snapshot(app: App) -> tuple[list[int], Any]:
    """Row counts of the registry tables and the audit log, and the registry itself."""
    async with app.sessions() as session:
        counts = [await session.scalar(select(func.count()).select_from(t)) or 0
                  for t in (GridRow, PlaceRow, DepartmentRow, AuditRow)]
        return counts, await load_directory(session)


async def load(app: App, paths: list[Path], **options: Any) -> Any:
    async with app.sessions() as session:
        return await import_district(session, *paths, **options)


async def plan(app: App, paths: list[Path], **options: Any) -> Any:
    async with app.sessions() as session:
        return await plan_district(session, *paths, **options)


def append(path: Path, row: str) -> int:
    """Adds a row; its line number."""
    with path.open("a", encoding="utf-8") as handle:
        handle.write(row + "\n")
    return len(path.read_text(encoding="utf-8").splitlines())


async def test_every_bad_row_is_listed_by_file_and_line_and_nothing_is_written(app: App, files: list[Path]) -> None:
    await load(app, files)
    before = await snapshot(app)
    place_line = append(files[1], "新建小区,小区,QH09-C01-G01,,,,")
    department_line = append(files[2], "W-NEW,新网格网格员,镇,QH01-C01-G01,C-QH01-C01,,")
    grids = files[0].read_text(encoding="utf-8")
    files[0].write_text(grids.replace('"name": "幸福社区第2网格", ', "", 1), encoding="utf-8")
    grid_line = next(n for n, line in enumerate(grids.splitlines(), 1) if '"QH01-C01-G02"' in line)

    dry = await plan(app, files)
    assert dry.district is None and dry.changes is None
    said = [str(p) for p in dry.problems]
    assert all(PROBLEM.match(line) for line in said), said
    assert f"grids.geojson 第{grid_line}行：名称（name）不能为空" in said
    assert any(line.startswith(f"places.csv 第{place_line}行：") and "QH09-C01-G01 不存在" in line for line in said)
    assert any(line.startswith(f"departments.csv 第{department_line}行：级别“镇”无效") for line in said)
    with pytest.raises(ImportFailed) as failed:
        await load(app, files, actor="root", now=app.policies.clock.now())
    assert [str(p) for p in failed.value.problems] == said  # the load refuses with the dry run's own words
    assert await snapshot(app) == before


async def test_the_preview_says_what_changes_and_what_is_left_on_removed_codes(app: App, files: list[Path],
                                                                              tmp_path: Path) -> None:
    await load(app, files)
    filed = await app.bus.handle(c.FileCase(
        actor="resident", text="楼道里堆满杂物，消防通道堵死了", channel="web", user_ref="web:r1", category="dispute",
        topic="城乡建设", category_confidence=0.2, topic_confidence=0.2, grid_code=GONE))
    await app.bus.handle(c.DispatchCase("staff:disp", filed.number, f"W-{GONE}"))
    now = app.policies.clock.now()
    await add_staff(app.sessions, "g05-clerk", PASSWORD, "clerk", f"W-{GONE}", now)
    await add_staff(app.sessions, "g05-worker", PASSWORD, "grid_worker", None, now, grids=[GONE, "QH01-C01-G01"])
    before = await snapshot(app)

    changes = (await plan(app, redrawn(files, tmp_path / "next"))).changes
    assert changes.grids_added == (Entry(NEW, "新区街道新区社区第1网格"),)
    assert changes.grids_removed == (Entry(GONE, "青禾街道幸福社区第5网格"),)
    assert changes.grids_renamed == (Renamed(RENAMED, "青禾街道幸福社区第4网格", "青禾街道幸福社区第四网格"),)
    assert changes.grids_changed == ()
    assert [e.code for e in changes.departments_added] == [f"W-{NEW}"]
    assert [e.code for e in changes.departments_removed] == [f"W-{GONE}"]
    assert changes.departments_renamed == (Renamed("QH-DISPATCH", "区综治中心统一分拨", "区社会治理中心统一分拨"),)
    assert changes.places_added == 0 and changes.places_removed > 0
    affected = changes.affected
    assert (affected.cases, affected.cases_in_removed_grids, affected.cases_of_removed_departments) == (1, 1, 1)
    assert affected.case_numbers == (filed.number,) and affected.accounts == ("g05-clerk", "g05-worker")
    lines = changes.lines()
    assert lines[0] == "网格：新增 1 个、删除 1 个、更名 1 个（导入后共 36 个）。"
    assert lines[1] == "部门：新增 1 个、删除 1 个、更名 1 个（导入后共 62 个）。"
    assert "要删除的网格中有 1 件未归档的诉求" in lines[3] and "要删除的部门名下有 1 件未归档的诉求" in lines[4]
    assert "g05-clerk、g05-worker" in lines[5]
    assert "网格更名 QH01-C01-G04：青禾街道幸福社区第4网格 → 青禾街道幸福社区第四网格" in changes.itemised()
    assert await snapshot(app) == before  # a dry run writes nothing

    same = (await plan(app, files)).changes
    assert same.nothing and same.lines() == ["与当前名录完全相同（36 个网格、162 个地名、62 个部门），导入不会改变任何数据。"]


class FailingPlaceInsert:
    """A session whose second write fails, as a lost connection or a full disk would."""

    def __init__(self, session: Any) -> None:
        self.session = session

    async def execute(self, statement: Any, *args: Any) -> Any:
        if isinstance(statement, Insert) and statement.table.name == PlaceRow.__tablename__:
            raise ConnectionError("模拟写入失败")
        return await self.session.execute(statement, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.session, name)


async def test_a_load_is_one_transaction_with_its_audit_entry(app: App, files: list[Path], tmp_path: Path) -> None:
    await load(app, files)
    before = await snapshot(app)
    following = redrawn(files, tmp_path / "next")
    preview = (await plan(app, following)).changes
    async with app.sessions() as session:
        with pytest.raises(ConnectionError):
            await import_district(FailingPlaceInsert(session), *following, actor="root",  # type: ignore[arg-type]
                                  now=app.policies.clock.now(), expected=preview.fingerprint())
    assert await snapshot(app) == before  # grids were deleted and inserted, then undone; no audit entry either

    report = await load(app, following, actor="root", now=app.policies.clock.now(), expected=preview.fingerprint())
    assert report.changes == preview
    counts, registry = await snapshot(app)
    assert counts[3] == before[0][3] + 1 and NEW in {g.code for g in registry.grids}
    assert GONE not in {g.code for g in registry.grids}
    [entry] = await recent(app.sessions, AREA)
    assert (entry.actor, entry.area, entry.action) == ("root", "registry", "loaded")
    assert entry.at == app.policies.clock.now()
    details = entry.details
    assert details["files"] == {"grids": "grids.geojson", "places": "places.csv", "departments": "departments.csv"}
    assert (details["grids_added"], details["grids_removed"], details["grids_renamed"]) == ([NEW], [GONE], [RENAMED])
    assert details["departments_renamed"] == ["QH-DISPATCH"] and details["totals"] == [36, len(registry.places), 62]
    assert details["replace"] is True and details["open_cases_affected"] == 0

    again = await load(app, following, actor="root", now=app.policies.clock.now())
    assert again.changes.nothing and len(await recent(app.sessions, AREA)) == 1  # nothing to write, nothing logged


async def test_a_registry_changed_since_its_preview_is_refused(app: App, files: list[Path], tmp_path: Path) -> None:
    await load(app, files)
    following = redrawn(files, tmp_path / "next")
    preview = (await plan(app, following)).changes
    meanwhile = files[2].read_text(encoding="utf-8").replace("区民政局", "区民政和退役军人事务局")
    files[2].write_text(meanwhile, encoding="utf-8")
    await load(app, files, actor="someone-else", now=app.policies.clock.now())
    before = await snapshot(app)
    with pytest.raises(RegistryChanged):
        await load(app, following, actor="root", now=app.policies.clock.now(), expected=preview.fingerprint())
    assert await snapshot(app) == before
    assert [e.actor for e in await recent(app.sessions, AREA)] == ["someone-else"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_district_load_dry_run_writes_nothing_and_if_empty_keeps_a_registry(
    db_url: str, files: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINSHENG_DATABASE_URL", db_url)
    monkeypatch.setenv("MINSHENG_STAFF", "staff:cli-admin")
    runner = CliRunner()
    paths = ["--grids", str(files[0]), "--places", str(files[1]), "--departments", str(files[2])]
    bad_line = append(files[1], "新建小区,小区,QH09-C01-G01,,,,")
    refused = runner.invoke(cli, ["district", "load", *paths, "--dry-run"])
    assert refused.exit_code == 1 and f"places.csv 第{bad_line}行：" in refused.output
    assert "名录有 1 处问题，未导入任何数据" in refused.output
    files[1].write_text("\n".join(files[1].read_text(encoding="utf-8").splitlines()[:-1]) + "\n", encoding="utf-8")

    dry = runner.invoke(cli, ["district", "load", *paths, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "网格：新增 36 个（导入后共 36 个）" in dry.output and "本次未写入任何数据" in dry.output
    assert "新增部门 QH-DISPATCH 区综治中心统一分拨" in dry.output
    assert counts(db_url) == [0, 0, 0, 0]

    assert runner.invoke(cli, ["district", "load", *paths]).exit_code == 0
    assert counts(db_url) == [36, 162, 62, 1]
    unchanged = runner.invoke(cli, ["district", "load", *paths])
    assert "完全相同" in unchanged.output and counts(db_url)[3] == 1
    files[2].write_text(files[2].read_text(encoding="utf-8").replace("区民政局", "区民政和退役军人事务局"), encoding="utf-8")
    kept = runner.invoke(cli, ["district", "load", *paths, "--if-empty"])  # as make run loads: never over a registry
    assert kept.exit_code == 0 and "数据库中已有名录（36 个网格" in kept.output and counts(db_url)[3] == 1
    engine = create_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(select(AuditRow.actor, AuditRow.action)).all() == [("staff:cli-admin", "loaded")]
    engine.dispose()


def counts(db_url: str) -> list[int]:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        found = [conn.scalar(select(func.count()).select_from(t)) or 0 for t in (GridRow, PlaceRow, DepartmentRow,
                                                                                 AuditRow)]
    engine.dispose()
    return found
