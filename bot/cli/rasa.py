"""`minsheng rasa-actions`: rasa-sdk's own action server, serving our intake as custom actions."""

import typer

from bot.cli.common import config_path, friendly_errors
from bot.settings import load_settings


def register(app: typer.Typer) -> None:
    app.command("rasa-actions", help="启动 Rasa 自定义动作服务（rasa-sdk 动作服务器）")(rasa_actions)


@friendly_errors
def rasa_actions(
    ctx: typer.Context,
    port: int = typer.Option(5055, "--port", "-p", help="监听端口"),
    host: str = typer.Option("127.0.0.1", "--host", help="监听地址（对外服务用 0.0.0.0）"),
) -> None:
    from bot import rasa_server  # rasa-sdk and the NLU stack load only for this command

    rasa_server.run(load_settings(config_path(ctx)), host, port)
