"""The server process: web chat, operator console, Telegram and the outbox loop, wired together.

Kept apart from the CLI so that `minsheng case list` does not pay for aiogram, spaCy and uvicorn.
"""

import asyncio
from collections.abc import Awaitable, Callable

import uvicorn
from fastapi import APIRouter

from bot.bootstrap import App, build_app
from bot.cli.common import console
from bot.dialogue_root import build_dialogue, load_analyzer
from bot.rasa_notifier import RasaNotifier
from bot.scheduler import run_scheduler
from bot.settings import Settings
from bot.sms import SmsNotifier, SmsSettings
from bot.telegram.settings import TelegramSettings
from bot.web.app import create_web_app, web_deps
from bot.web.hub import LiveHub
from bot.web.nlu_suggestions import NluTranscriptAnalyzer
from bot.web.notifier import WebNotifier
from bot.web.settings import WebSettings
from handlers.ports import Notifier
from storage.conversation_store import SqlConversationStore
from storage.db import make_engine, session_factory
from storage.queries import load_gazetteer_rows

Loop = Callable[[asyncio.Event], Awaitable[None]]


async def serve(settings: Settings, web: WebSettings, telegram: TelegramSettings | None,
                sms: SmsSettings | None) -> None:
    engine = make_engine(settings.database_url)
    store, hub = SqlConversationStore(session_factory(engine)), LiveHub()
    notifiers: dict[str, Notifier] = {"web": WebNotifier(store, hub)}
    bot = None
    if telegram is not None:  # aiogram takes seconds to import: only when a token is configured
        from bot.telegram import runner
        from bot.telegram.notifier import TelegramNotifier

        bot = runner.make_bot(telegram)
        notifiers["telegram"] = TelegramNotifier(bot)
    sms_notifier = SmsNotifier(sms) if sms else None
    if sms_notifier is not None:
        notifiers["hotline"] = sms_notifier
    rasa_notifier = RasaNotifier(settings.rasa_push) if settings.rasa_push else None
    if rasa_notifier is not None:
        notifiers["rasa"] = rasa_notifier
    app = build_app(settings, notifiers=notifiers, engine=engine)
    try:
        console.print("正在加载语义模型和辖区数据（约需数秒）……")
        analyzer = await _load_analyzer(app)
        dialogue = await build_dialogue(app, analyzer)
        deps = web_deps(app, dialogue, store, hub, NluTranscriptAnalyzer(analyzer))
        loops: list[Loop] = [
            lambda stop: app.deliverer().run(stop, settings.outbox_poll_seconds),
            lambda stop: run_scheduler(app, stop),  # every worker stands by; the lease picks one
        ]
        routers: list[APIRouter] = []
        if bot is not None and telegram is not None:
            telegram_routers, telegram_loops = await runner.attach(telegram, bot, dialogue, deps.gate)
            routers += telegram_routers
            loops += telegram_loops
        web_app = create_web_app(deps, routers, loops)
        _announce(web, telegram, sms is not None, rasa_notifier is not None)
        config = uvicorn.Config(web_app, host=web.host, port=web.port, ws="websockets-sansio", ws_max_size=65_536,
                                proxy_headers=True, log_level="info", access_log=False)
        await uvicorn.Server(config).serve()
    finally:
        if bot is not None:
            await bot.session.close()
        if sms_notifier is not None:
            await sms_notifier.close()
        if rasa_notifier is not None:
            await rasa_notifier.close()
        await app.close()


async def _load_analyzer(app: App):  # type: ignore[no-untyped-def]
    async with app.sessions() as session:
        grids, places = await load_gazetteer_rows(session)
    return await asyncio.to_thread(load_analyzer, app.settings.models_dir, grids, places,
                                   with_textcat=app.settings.spacy_textcat)


def _announce(web: WebSettings, telegram: TelegramSettings | None, sms: bool, rasa: bool) -> None:
    console.print(f"[bold green]民声已启动[/]。请用浏览器打开：")
    console.print(f"  群众在线受理：[link={web.url}/]{web.url}/[/link]")
    console.print(f"  热线坐席工作台：[link={web.url}/console]{web.url}/console[/link]（账号用 minsheng staff add 创建）")
    console.print(f"  部门工作台（签收、办结、督办、统计）：{web.url}/console/work")
    if telegram is None:
        console.print("  Telegram：未配置令牌，未启动。")
    else:
        console.print(f"  Telegram：已启动（{'Webhook' if telegram.mode == 'webhook' else '长轮询'}模式）。")
    if not sms:
        console.print("  短信通知：未配置 \\[sms] webhook_url，热线来电人的进度通知将暂存待发。")
    if not rasa:
        console.print("  Rasa 进度推送：未配置 \\[rasa] server_url，经 Rasa 助手反映的群众的进度通知将暂存待发。")
    console.print("按 Ctrl+C 停止。")
