"""The server process: web chat, operator console, every configured channel and the outbox loop,
wired together. Channels come from the registry (`bot.channels`); nothing here names one.

Kept apart from the CLI so that `minsheng case list` does not pay for aiogram, spaCy and uvicorn.
"""

import asyncio
import functools
from collections.abc import Sequence

import uvicorn

from bot import heap
from bot.active_model import ActiveModel
from bot.bootstrap import build_app
from bot.channels import Live, Loop, Opened, Stage, open_channels
from bot.cli.common import console
from bot.dialogue_root import build_dialogue, load_analyzer
from bot.live_registry import follow_registry
from bot.scheduler import run_scheduler
from bot.settings import ConfigError, Settings
from bot.web.app import create_web_app, web_deps
from bot.web.hub import LiveHub
from bot.web.nlu_suggestions import NluTranscriptAnalyzer
from bot.web.serving import uvicorn_options
from bot.web.settings import WebSettings
from storage.conversation_store import SqlConversationStore
from storage.db import make_engine, session_factory
from storage.directory_repository import read_registry


async def serve(settings: Settings, web: WebSettings, skipped: Sequence[str] = ()) -> None:
    engine = make_engine(settings.database_url)
    store, hub = SqlConversationStore(session_factory(engine)), LiveHub()
    try:
        opened = open_channels(Stage(settings, store, hub), skipped)
    except (TypeError, ValueError) as exc:
        await engine.dispose()
        raise ConfigError(f"配置文件有误：{exc}") from None
    running = [o.channel for o in opened if o.channel is not None]
    notifiers = {o.entry.code: o.channel.notifier for o in opened if o.channel is not None and o.channel.notifier}
    app = build_app(settings, notifiers=notifiers, engine=engine)
    try:
        console.print("正在加载语义模型和辖区数据（约需数秒）……")
        registry = await read_registry(app.sessions)
        load = functools.partial(load_analyzer, app.settings.models_dir, with_textcat=app.settings.spacy_textcat)
        analyzer = ActiveModel(await asyncio.to_thread(load, registry.grids, registry.places), load,
                               registry.grids, registry.places)
        dialogue = await build_dialogue(app, analyzer, registry=registry)  # type: ignore[arg-type]
        deps = web_deps(app, dialogue, store, hub, NluTranscriptAnalyzer(analyzer))  # type: ignore[arg-type]
        loops: list[Loop] = [
            lambda stop: app.deliverer().run(stop, settings.outbox_poll_seconds),
            lambda stop: run_scheduler(app, stop),  # every worker stands by; the lease picks one
            lambda stop: analyzer.follow(settings.models_dir, stop),  # a promotion reaches every worker
            lambda stop: follow_registry(app.sessions, analyzer, dialogue, registry, stop),  # and a registry load
        ]
        routers = []
        for channel in running:
            attached = await channel.attach(Live(app, dialogue, deps.gate))
            routers += attached.routers
            loops += attached.loops
        web_app = create_web_app(deps, routers, loops)
        heap.freeze_loaded()
        _announce(web, opened)
        config = uvicorn.Config(web_app, host=web.host, port=web.port, proxy_headers=True, log_level="info",
                                access_log=False, **uvicorn_options())
        await uvicorn.Server(config).serve()
    finally:
        for channel in running:
            await channel.close()
        await app.close()


def _announce(web: WebSettings, opened: Sequence[Opened]) -> None:
    console.print("[bold green]民声已启动[/]。请用浏览器打开：")
    console.print(f"  群众在线受理：[link={web.url}/]{web.url}/[/link]")
    console.print(f"  热线坐席工作台：[link={web.url}/console]{web.url}/console[/link]（账号用 minsheng staff add 创建）")
    console.print(f"  部门工作台（签收、办结、督办、统计）：{web.url}/console/work")
    for line in (o.channel.status if o.channel is not None else o.off for o in opened):
        if line:
            console.print(f"  {line}")
    console.print("按 Ctrl+C 停止。")
