"""`minsheng serve`: the web chat and operator console, every configured channel and the outbox
delivery loop, all in one process. Each optional channel of the registry gets a `--no-<code>` flag."""

import asyncio
import inspect
import logging
from dataclasses import replace

import typer

from bot import channels
from bot.cli.common import config_path, fail, friendly_errors
from bot.settings import load_settings
from bot.web.settings import WebSettings


def register(app: typer.Typer) -> None:
    app.command("serve", help="启动服务：群众网页端、坐席工作台、各接入渠道和进度通知")(serve)


@friendly_errors
def serve(ctx: typer.Context, host: str | None, port: int | None, **skip: bool) -> None:
    settings = load_settings(config_path(ctx))
    skipped = [name.removeprefix("no_") for name, off in skip.items() if off]
    try:
        channels.check_settings(settings, skipped)  # a mistake is named at once, not after seconds of loading
        web = WebSettings.from_settings(settings)
    except (TypeError, ValueError) as exc:
        raise fail(f"配置文件有误：{exc}", 2) from None
    from bot import server  # aiogram, spaCy and uvicorn load only when serving

    web = replace(web, host=host or web.host, port=port or web.port)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for chatty in ("jieba", "apscheduler"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    asyncio.run(server.serve(settings, web, skipped))


def _signature() -> inspect.Signature:
    """Typer reads the options from the signature: the fixed ones, then one flag per optional channel."""
    keyword = inspect.Parameter.KEYWORD_ONLY
    fixed = [
        inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context),
        inspect.Parameter("host", keyword, annotation=str | None, default=typer.Option(
            None, "--host", help="监听地址（默认取配置文件 web 部分的 host）")),
        inspect.Parameter("port", keyword, annotation=int | None, default=typer.Option(
            None, "--port", "-p", help="端口（默认取配置文件 web 部分的 port）")),
    ]
    flags = [
        inspect.Parameter(f"no_{entry.code}", keyword, annotation=bool, default=typer.Option(
            False, f"--no-{entry.code}", help=f"即使已配置也不启动「{entry.label}」渠道"))
        for entry in channels.served() if entry.optional
    ]
    return inspect.Signature(fixed + flags)


serve.__signature__ = _signature()  # type: ignore[attr-defined]
