"""`minsheng staff add --role grid_worker --grid …`: a grid worker is linked to grids the registry
knows, every other role to none; `staff list` shows the grids; `case show` says where a case came
from and lists the photos of a 现场记录."""

import asyncio

from rich.console import Console
from typer.testing import CliRunner

from bot.cli.main import app as cli
from bot.cli.render import case_file
from handlers.case import open_case
from storage.db import make_engine, session_factory
from tests.conversations.kit import NOW
from tests.support import seed_registry

PASSWORD = "a long enough password\n"


async def _seed(url: str) -> None:
    engine = make_engine(url)
    await seed_registry(session_factory(engine))
    await engine.dispose()


def test_a_grid_worker_is_added_with_known_grids_only(db_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MINSHENG_DATABASE_URL", db_url)
    asyncio.run(_seed(db_url))
    runner = CliRunner()

    def add(*args: str) -> tuple[int, str]:
        result = runner.invoke(cli, ["staff", "add", *args, "--password-stdin"], input=PASSWORD)
        return result.exit_code, result.output

    code, said = add("wxh", "--role", "grid_worker")
    assert code == 1 and "--grid" in said
    code, said = add("wxh", "--role", "grid_worker", "--grid", "T01-C01-G01", "--grid", "NOPE")
    assert code == 1 and "未找到网格 NOPE" in said
    code, said = add("wxh", "--role", "grid_worker", "--grid", "T01-C01-G01", "--grid", "T01-C01-G02")
    assert code == 0 and "已添加网格员账号 wxh，负责网格 T01-C01-G01、T01-C01-G02" in said
    code, said = add("op", "--role", "operator", "--grid", "T01-C01-G01")
    assert code == 1 and "其他角色不能指定网格" in said
    code, said = add("wxh", "--role", "grid_worker", "--grid", "T01-C01-G02", "--reset")
    assert code == 0 and "负责网格 T01-C01-G02。" in said
    listed = runner.invoke(cli, ["staff", "list", "--format", "tsv"]).output
    assert "wxh\t网格员\t—\tT01-C01-G02\t启用" in listed


def test_case_show_says_a_patrol_report_came_from_patrol() -> None:
    console = Console(record=True, width=160)
    patrol = open_case("MS-1", NOW, "staff:wxh", text="井盖破损", source="patrol")
    patrol.record("note", NOW, "staff:wxh", "现场已围挡", internal=True, attachments=["/console/work/photos/a.png"])
    console.print(case_file(patrol, {}, []))
    console.print(case_file(open_case("MS-2", NOW, "resident:web:x", text="路灯坏了"), {}, []))
    shown = console.export_text()
    sources = [line.split()[2] for line in shown.splitlines() if line.startswith("│ 来源 ")]
    assert sources == ["巡查", "群众反映"] and "现场照片：/console/work/photos/a.png" in shown
