"""Database and district registry commands."""

import typer

from bot.cli.common import config_path, console, friendly_errors
from bot.settings import load_settings
from storage.migrate import upgrade

db_app = typer.Typer(help="数据库管理", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")


@db_app.command("upgrade", help="创建或升级数据库结构")
@friendly_errors
def db_upgrade(ctx: typer.Context) -> None:
    settings = load_settings(config_path(ctx))
    upgrade(settings.database_url)
    console.print(f"[green]✓[/] 数据库已是最新结构：{settings.database_url}")
