"""Every conversation script in tests/conversations/ played against the real dialogue, the real
NLU and a real database with the sample district (青禾区) loaded; a handful also on PostgreSQL."""

import asyncio
import re
import shutil
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bot.bootstrap import build_app
from bot.cli.main import app as cli
from bot.dialogue_root import build_dialogue
from bot.settings import Settings
from flows.messages import Inbound
from flows.understanding import Understanding
from storage.conversation_store import SqlConversationStore
from storage.db import make_engine, session_factory
from tests.conversations.harness import (
    channels_of,
    config_for_tests,
    load_script,
    run_script,
)
from tests.conversations.kit import load_sample_district
from tests.support import FakeClock

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted((ROOT / "tests" / "conversations").glob("*.yaml"))
# Played on both databases: filing, redelivery, a restart, an errand on a filed case, a correction.
ON_BOTH = {
    "01_dispute_place_in_complaint.yaml",
    "30_redelivered_confirmation_files_once.yaml",
    "31_restart_mid_intake.yaml",
    "40_cancel_before_acceptance.yaml",
    "14_correct_address_at_summary.yaml",
}


def test_there_are_enough_scripts_and_each_is_well_formed() -> None:
    assert len(SCRIPTS) >= 40
    for path in SCRIPTS:
        script = load_script(path)
        assert script.get("name"), path.name


@pytest.mark.parametrize("path", [p for p in SCRIPTS if p.name not in ON_BOTH], ids=lambda p: p.stem)
async def test_conversation(
    path: Path, district_template: Path, tmp_path: Path, analyzer: Any, script_settings: Settings
) -> None:
    target = tmp_path / "minsheng.db"
    shutil.copy(district_template, target)
    await run_script(load_script(path), script_settings, analyzer, f"sqlite:///{target}")


ON_CHANNELS = [(path, channel) for path in SCRIPTS for channel in channels_of(load_script(path)) if channel != "test"]


def test_every_resident_slip_is_played_on_the_web_telegram_and_terminal() -> None:
    slips = [p for p in SCRIPTS if p.name.startswith("7")]
    assert len(slips) >= 8
    assert all(set(channels_of(load_script(p))) >= {"web", "telegram", "terminal"} for p in slips)


@pytest.mark.parametrize(("path", "channel"), ON_CHANNELS, ids=lambda v: v if isinstance(v, str) else v.stem)
async def test_conversation_through_a_channel_edge(
    path: Path, channel: str, district_template: Path, tmp_path: Path, analyzer: Any, script_settings: Settings
) -> None:
    target = tmp_path / "minsheng.db"
    shutil.copy(district_template, target)
    await run_script(load_script(path), script_settings, analyzer, f"sqlite:///{target}", channel=channel)


@pytest.mark.parametrize("path", [p for p in SCRIPTS if p.name in ON_BOTH], ids=lambda p: p.stem)
async def test_conversation_on_both_databases(
    path: Path, db_url: str, analyzer: Any, script_settings: Settings
) -> None:
    await load_sample_district(db_url)
    await run_script(load_script(path), script_settings, analyzer, db_url)


async def test_the_store_claims_a_message_id_once_and_keeps_its_replies(db_url: str) -> None:
    engine = make_engine(db_url)
    store = SqlConversationStore(session_factory(engine))
    now, lease = datetime(2026, 11, 27, 2, 0, tzinfo=UTC), timedelta(seconds=20)
    first = await store.begin("web", "m1", "w-1", now, lease)
    assert (first.attempt, first.state, first.version) == (1, None, 0)
    assert (await store.begin("web", "m1", "w-1", now, lease)).replies is None  # still running
    replies = [{"text": "您好", "choices": [["对", "yes"]], "request_location": False}]
    saved = await store.finish(channel="web", user_ref="w-1", message_id="m1", state={"step": "idle"}, version=0,
                               said="你好", replies=replies, at=now)
    assert saved
    assert (await store.begin("web", "m1", "w-1", now, lease)).replies == replies
    second = await store.begin("web", "m2", "w-1", now, lease)
    assert (second.attempt, second.state, second.version) == (1, {"step": "idle"}, 1)
    stale = await store.finish(channel="web", user_ref="w-1", message_id="m2", state={"step": "x"}, version=0,
                               said="", replies=[], at=now)
    assert not stale
    await store.release("web", "m2", 1)  # finished: a late failure does not drop it
    assert (await store.begin("web", "m2", "w-1", now, lease)).replies == []
    third = await store.begin("web", "m3", "w-1", now, lease)
    await store.release("web", "m3", third.attempt)
    assert (await store.begin("web", "m3", "w-1", now, lease)).attempt == 1
    assert await store.forget_processed(now + timedelta(days=8)) == 3
    assert (await store.begin("web", "m1", "w-1", now, lease)).attempt == 1
    await engine.dispose()


async def test_history_records_both_sides_and_each_push_once(db_url: str) -> None:
    engine = make_engine(db_url)
    store = SqlConversationStore(session_factory(engine))
    now = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
    await store.begin("web", "m1", "w-1", now, timedelta(seconds=20))
    await store.finish(channel="web", user_ref="w-1", message_id="m1", state={}, version=0, said="路灯坏了",
                       replies=[{"text": "对吗？", "choices": [["对", "yes"]]}], at=now)
    assert await store.append_outbound("web", "w-1", "已签收", ["5 非常满意"], "MS-1/3", now)
    assert not await store.append_outbound("web", "w-1", "已签收", ["5 非常满意"], "MS-1/3", now)
    lines = await store.history("web", "w-1", 10)
    assert [(h.direction, h.text) for h in lines] == [("in", "路灯坏了"), ("out", "对吗？"), ("out", "已签收")]
    assert lines[1].choices == ({"label": "对", "value": "yes"},) and lines[2].key == "MS-1/3"
    assert [h.text for h in await store.history("web", "w-1", 2)] == ["对吗？", "已签收"]
    assert await store.history("web", "someone-else", 10) == []
    await engine.dispose()


def test_minsheng_chat_holds_a_piped_conversation_and_shows_pushes(
    district_template: Path, tmp_path: Path, models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The terminal channel end to end: numbered choices, typing a number, a filed case, and on
    the next run the department's status push."""
    target = tmp_path / "minsheng.db"
    shutil.copy(district_template, target)
    monkeypatch.setenv("MINSHENG_DATABASE_URL", f"sqlite:///{target}")
    config = config_for_tests(models, tmp_path)
    # the model is sure enough of this one to say how it files it; the summary's second choice is 匿名反映
    lines = "楼上邻居天天半夜装修，电钻声吵得我们全家睡不着，我住幸福里小区\n2\n1\n"
    first = CliRunner().invoke(cli, ["--config", str(config), "chat", "--user", "t1"], input=lines)
    assert first.exit_code == 0, first.output
    assert "    2. 匿名反映" in first.output and "我：2" in first.output and "按匿名反映登记" in first.output
    assert "地点记为：青禾街道幸福社区第1网格" in first.output and "已为您登记" in first.output
    number = re.search(r"MS-\d{8}-\d{4}", first.output)
    assert number is not None
    accepted = CliRunner().invoke(cli, ["--config", str(config), "case", "accept", number.group()])
    assert accepted.exit_code == 0, accepted.output
    second = CliRunner().invoke(cli, ["--config", str(config), "chat", "--user", "t1"], input="查询\n")
    assert f"【通知】您的诉求 {number.group()} 已由 青禾街道幸福社区第1网格网格员 签收" in second.output
    assert "当前状态：已签收" in second.output


async def test_a_message_delivered_twice_at_once_is_handled_once(
    district_template: Path, tmp_path: Path, analyzer: Any, script_settings: Settings
) -> None:
    target = tmp_path / "minsheng.db"
    shutil.copy(district_template, target)
    app = build_app(replace(script_settings, database_url=f"sqlite:///{target}"), clock=FakeClock())
    dialogue = await build_dialogue(app, analyzer)
    steps = ["对门邻居把鞋柜杂物堆在公共楼道，说了不听，两家为这事吵了好几回", "对", "幸福里小区", "不留电话"]
    for index, text in enumerate(steps):
        await dialogue.handle(Inbound("test", "r9", f"m{index}", text=text))
    confirm = Inbound("test", "r9", "m-final", text="确认提交")
    first, second = await asyncio.gather(dialogue.handle(confirm), dialogue.handle(confirm))
    assert first == second and "已为您登记" in first[0].text
    async with app.uow() as uow:
        assert len(await uow.cases.find(channel="test", user_ref="r9")) == 1
    await app.close()


async def test_a_failing_nlu_degrades_to_choices(district_template: Path, tmp_path: Path, script_settings: Settings) -> None:
    async def broken(text: str) -> Understanding:
        raise RuntimeError("the model on disk does not match the code")

    target = tmp_path / "minsheng.db"
    shutil.copy(district_template, target)
    app = build_app(replace(script_settings, database_url=f"sqlite:///{target}"), clock=FakeClock())
    dialogue = await build_dialogue(app, understand=broken)
    replies = await dialogue.handle(Inbound("test", "r8", "m1", text="对门邻居把杂物堆在公共楼道，说了不听，两家吵了好几回"))
    assert "这件事主要是和谁之间的问题？" in replies[-1].text
    assert [c.value for c in replies[-1].choices] == ["person", "company", "government", "none", "unknown"]
    await app.close()
