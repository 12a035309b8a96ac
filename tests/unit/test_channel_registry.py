"""The channel registry: one table names every channel, `minsheng serve` takes its channels and
flags from it, and every adapter answers through the one converse helper."""

import importlib
import logging
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot import channels
from bot.cli.main import app as cli
from bot.converse import BROKEN, converse
from bot.limits import Limits, SenderGate
from bot.settings import load_settings
from flows.messages import Inbound, Reply

ROOT = Path(__file__).resolve().parents[2]


def test_every_served_channel_has_a_module_that_configures_it() -> None:
    for entry in channels.served():
        module = importlib.import_module(entry.module or "")
        assert callable(module.configure) and isinstance(module.OFF, str), entry.code


def test_the_shipped_settings_pass_the_check_serve_makes_before_loading_a_channel() -> None:
    channels.check_settings(load_settings(ROOT / "config.toml"))  # every class a channel names is found


def test_serve_offers_a_no_flag_for_each_optional_channel_and_none_for_the_web() -> None:
    shown = CliRunner().invoke(cli, ["serve", "--help"], env={"COLUMNS": "200"}).output
    flags = set(re.findall(r"--no-([a-z0-9]+)", shown))
    assert flags == {e.code for e in channels.served() if e.optional}
    assert "web" not in flags and {"telegram", "hotline", "rasa"} <= flags


def test_the_server_and_its_command_name_no_channel() -> None:
    """A new channel is its package plus a line in bot/channels.py: nothing to edit here."""
    for path in ("bot/server.py", "bot/cli/serve.py"):
        source = (ROOT / path).read_text(encoding="utf-8")
        named = [e.code for e in channels.served() if e.code != "web" and re.search(rf"\b{e.code}\b", source, re.I)]
        assert named == [], path


def test_resident_references_are_formed_by_the_registry() -> None:
    assert channels.channel("telegram").user_ref("42") == "tg:42"
    assert channels.channel("hotline").user_ref("13800138000") == "hotline:13800138000"
    assert channels.channel("terminal").user_ref("local") == "local"
    assert channels.label("carrier-pigeon") == channels.OTHER_CHANNEL


class Failing:
    async def handle(self, inbound: Inbound) -> list[Reply]:
        raise RuntimeError("the database went away")


class Echo:
    async def handle(self, inbound: Inbound) -> list[Reply]:
        return [Reply(f"收到：{inbound.text}")]


async def test_a_failing_dialogue_still_answers_and_leaves_the_trace(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR):
        turn = await converse(Failing(), Inbound("web", "web:a", "m1", text="路灯坏了"))
    assert turn.outcome == "failed" and [r.text for r in turn.replies] == [BROKEN]
    assert "RuntimeError" in caplog.text and "web" in caplog.text


async def test_the_gate_refuses_politely_once_then_quietly() -> None:
    gate = SenderGate(Limits(messages_per_minute=1, burst=1), clock=lambda: 0.0)
    first, second, third = [await converse(Echo(), Inbound("web", "web:a", f"m{i}", text="你好"), gate) for i in range(3)]
    assert first.outcome == "answered" and first.replies == [Reply("收到：你好")]
    assert second.outcome == "refused" and "请稍等" in second.replies[0].text
    assert third.outcome == "refused" and third.replies == []


async def test_a_message_too_long_is_refused_by_what_was_typed() -> None:
    gate = SenderGate(Limits(max_message_chars=10))
    turn = await converse(Echo(), Inbound("web", "web:a", "m1", text="短"), gate, shown="长" * 11)
    assert turn.outcome == "refused" and "最多 10 字" in turn.replies[0].text
