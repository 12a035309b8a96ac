"""The `minsheng` command: one typer app, each feature module registering its own commands."""

from pathlib import Path

import typer

# The command modules import only typer, Rich and light domain modules; each command imports the
# database, model, chat and web stacks inside its function, so help and usage errors start at once
# (tests/e2e/test_cli_startup.py).
from bot.cli import cases, database, serve, staff
from bot.cli import chat, nlu, privacy, rasa, warning, wechat

app = typer.Typer(
    help="民声：基层治理诉求受理系统（命令行）",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)


@app.callback()
def main(
    ctx: typer.Context,
    config: Path | None = typer.Option(None, "--config", "-c", help="配置文件路径（默认 ./config.toml）"),
) -> None:
    ctx.obj = {"config": str(config) if config else None}


for module in (database, cases, staff, chat, rasa, serve, nlu, wechat, warning, privacy):
    module.register(app)


def run() -> None:
    app()
