"""`minsheng wechat menu`: push the 公众号's menu from config.toml ([[wechat.menu]]) to WeChat."""

import asyncio

import typer

from bot.cli.common import config_path, console, fail, friendly_errors
from bot.settings import load_settings


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="微信公众号：推送自定义菜单", no_args_is_help=True)
    group.command("menu", help="把 config.toml 中 [[wechat.menu]] 的菜单推送到公众号")(menu)
    app.add_typer(group, name="wechat")


@friendly_errors
def menu(ctx: typer.Context) -> None:
    from bot.wechat.sender import WeChatSender, WeChatUnavailable  # wechatpy loads only for this command
    from bot.wechat.settings import WeChatSettings

    settings = load_settings(config_path(ctx))
    try:
        config = WeChatSettings.from_settings(settings)
    except ValueError as exc:
        raise fail(f"配置文件有误：{exc}", 2) from None
    if config is None:
        raise fail("未配置微信公众号：请先设置 [wechat] app_id_env 所指的环境变量（公众号的 AppID）。", 2)
    if not config.menu:
        raise fail("config.toml 中没有 [[wechat.menu]] 菜单项。", 2)
    buttons = [{"type": "click", "name": item.name, "key": item.key} for item in config.menu]
    sender = WeChatSender.open(config, settings.database_url)
    try:
        asyncio.run(sender.create_menu(buttons))
    except WeChatUnavailable as exc:
        raise fail(f"推送菜单失败：{exc}") from None
    finally:
        sender.close()
    console.print(f"已推送公众号菜单：{' / '.join(item.name for item in config.menu)}。用户重新进入公众号后即可看到。")
