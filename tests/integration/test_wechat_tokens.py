"""One access_token for every worker: kept in the database, fetched by one worker at a time, and
taken (not fetched again) by a worker whose token another one has already replaced."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app as cli
from bot.wechat.client import SharedTokenClient, SharedTokens
from storage.db import make_sync_engine
from tests.fakes.wechat_api import APP_ID, SECRET, FakeWeChat
from tests.fakes.wechat_channel import wechat_env

ROOT = Path(__file__).resolve().parents[2]
OPEN_ID = "oWorkerTest000000000000000001"


@pytest.fixture
async def fake() -> AsyncIterator[FakeWeChat]:
    wechat = FakeWeChat()
    await wechat.start()
    yield wechat
    await wechat.stop()


def worker(db_url: str, fake: FakeWeChat) -> SharedTokenClient:
    """One process's client: its own engine on the shared database."""
    return SharedTokenClient(APP_ID, SECRET, fake.api_base, SharedTokens(make_sync_engine(db_url)))


async def test_workers_share_one_token_and_refresh_it_once(db_url: str, fake: FakeWeChat) -> None:
    a, b = worker(db_url, fake), worker(db_url, fake)
    await asyncio.to_thread(a.message.send_text, OPEN_ID, "甲")
    await asyncio.to_thread(b.message.send_text, OPEN_ID, "乙")
    assert fake.token_fetches == 1

    fake.expire_tokens()  # both hold a rejected token now; both send at once
    await asyncio.gather(*(asyncio.to_thread(c.message.send_text, OPEN_ID, text)
                           for c, text in ((a, "丙"), (b, "丁"), (a, "戊"), (b, "己"))))
    assert fake.token_fetches == 2
    assert sorted(p.text for p in fake.to(OPEN_ID)) == sorted(["甲", "乙", "丙", "丁", "戊", "己"])
    for client in (a, b):
        client.tokens.engine.dispose()


async def test_the_menu_command_pushes_the_configured_menu(db_url: str, fake: FakeWeChat, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINSHENG_DATABASE_URL", db_url)
    shipped = (ROOT / "config.toml").read_text(encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(shipped.replace('api_base = ""\n# WeChat waits', f'api_base = "{fake.api_base}"\n# WeChat waits'),
                      encoding="utf-8")
    with wechat_env():  # the command runs its own event loop: in a thread, beside the fake's
        result = await asyncio.to_thread(CliRunner().invoke, cli, ["--config", str(config), "wechat", "menu"])
    assert result.exit_code == 0, result.output
    assert "我要反映 / 查询进度 / 帮助" in result.output
    assert fake.menus == [{"button": [{"type": "click", "name": "我要反映", "key": "report"},
                                      {"type": "click", "name": "查询进度", "key": "status"},
                                      {"type": "click", "name": "帮助", "key": "help"}]}]
