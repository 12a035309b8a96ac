"""The staff CLI and residents' personal information: `case show` masks the phone and the caller's
name (in the words too) unless `--reveal`, which is logged; `privacy purge --dry-run` lists what is
due without a digit of it and changes nothing; `privacy purge` erases it and says how many."""

import asyncio
import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.bootstrap import build_app
from bot.cli.main import app as cli
from bot.settings import Settings
from handlers import commands as c
from storage.audit_models import AuditRow
from tests.support import FakeClock, seed_registry

PHONE = "13812345678"
ROOT = Path(__file__).resolve().parents[2]
SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


async def _archived_long_ago(settings: Settings) -> str:
    """A hotline case filed, answered and archived 400 days ago (the CLI runs on the real clock)."""
    app = build_app(settings, clock=FakeClock(datetime.now(UTC) - timedelta(days=400)))
    try:
        await seed_registry(app.sessions)
        case = await app.bus.handle(c.FileCase(
            actor="staff:op1", text=f"路灯坏了，来电人电话{PHONE}", channel="hotline", user_ref=f"hotline:{PHONE}",
            phone=PHONE, contact_name="王先生", category="service", topic="城乡建设", classification_confirmed=True,
            grid_code="T01-C01-G01"))
        for command in (c.AcceptCase("staff:li", case.number), c.ResolveCase("staff:li", case.number, "已修好"),
                        c.CloseCase("staff:li", case.number)):
            await app.bus.handle(command)
        return case.number
    finally:
        await app.close()


async def _audit(settings: Settings) -> list[tuple[str, str, str | None, dict]]:
    app = build_app(settings)
    try:
        async with app.sessions() as session:
            rows = (await session.execute(select(AuditRow).order_by(AuditRow.id))).scalars().all()
            return [(r.actor, r.action, r.subject, r.details) for r in rows]
    finally:
        await app.close()


@SQLITE
def test_case_show_masks_unless_revealed_and_purge_erases_what_the_dry_run_listed(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINSHENG_STAFF", "staff:wangky")
    number = asyncio.run(_archived_long_ago(settings))
    run = CliRunner()

    shown = run.invoke(cli, ["case", "show", number])
    assert shown.exit_code == 0, shown.output
    assert "138****5678" in shown.output and "王**" in shown.output
    assert PHONE not in shown.output and "王先生" not in shown.output
    assert asyncio.run(_audit(settings)) == []

    revealed = run.invoke(cli, ["case", "show", number, "--reveal"])
    assert PHONE in revealed.output and "王先生" in revealed.output
    assert asyncio.run(_audit(settings)) == [("wangky", "revealed", number, {"fields": ["phone", "name"], "via": "cli"})]

    listed = run.invoke(cli, ["privacy", "purge", "--dry-run", "--format", "csv"])
    assert listed.exit_code == 0, listed.output
    rows = list(csv.reader(listed.output.splitlines()))
    assert rows[0] == ["编号", "类别", "状态", "办结/撤销时间", "保存期限", "将删除"]
    assert rows[1][0] == number and rows[1][1:3] == ["便民服务", "已归档"]
    assert rows[1][4:] == ["365 天", "联系电话、姓名、账号"]
    assert PHONE not in listed.output and "王先生" not in listed.output

    purged = run.invoke(cli, ["privacy", "purge"])
    assert purged.exit_code == 0, purged.output
    assert "已删除 1 件诉求中的群众个人信息" in purged.output
    assert run.invoke(cli, ["privacy", "purge", "--dry-run"]).output.splitlines()[1:] == []  # only the header
    after = run.invoke(cli, ["case", "show", number, "--reveal"]).output
    assert PHONE not in after and "王先生" not in after and "删除个人信息" in after and "路灯坏了" in after
    actions = [(actor, action, details.get("erased")) for actor, action, _, details in asyncio.run(_audit(settings))]
    assert actions == [("wangky", "revealed", None), ("wangky", "retention_purge", 1)]  # nothing held: nothing revealed
