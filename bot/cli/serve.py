"""`minsheng serve`: the web chat and operator console, Telegram (when a token is configured) and
the outbox delivery loop, all in one process."""

import asyncio
import logging
from dataclasses import replace

import typer

from bot.cli.common import config_path, fail, friendly_errors
from bot.settings import load_settings


def register(app: typer.Typer) -> None:
    app.command("serve", help="启动服务：群众网页端、坐席工作台、Telegram 机器人和进度通知")(serve)


@friendly_errors
def serve(
    ctx: typer.Context,
    host: str | None = typer.Option(None, "--host", help="监听地址（默认取配置文件 web 部分的 host）"),
    port: int | None = typer.Option(None, "--port", "-p", help="端口（默认取配置文件 web 部分的 port）"),
    no_telegram: bool = typer.Option(False, "--no-telegram", help="即使配置了令牌也不启动 Telegram"),
) -> None:
    from bot import server  # aiogram, spaCy and uvicorn load only when serving

    settings = load_settings(config_path(ctx))
    try:
        web = server.WebSettings.from_settings(settings)
        telegram = None if no_telegram else server.TelegramSettings.from_settings(settings)
        sms = server.SmsSettings.from_settings(settings)
    except (TypeError, ValueError) as exc:
        raise fail(f"配置文件有误：{exc}", 2) from None
    web = replace(web, host=host or web.host, port=port or web.port)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for chatty in ("jieba", "apscheduler"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    asyncio.run(server.serve(settings, web, telegram, sms))


