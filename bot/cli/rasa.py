"""`minsheng rasa-actions`: rasa-sdk's own action server, serving our intake as custom actions."""

import typer
from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor

from bot.bootstrap import App, build_app
from bot.cli.common import config_path, console, friendly_errors
from bot.dialogue_root import build_dialogue
from bot.settings import load_settings
from flows.dialogue import Dialogue
from flows.rasa_actions import actions


def register(app: typer.Typer) -> None:
    app.command("rasa-actions", help="启动 Rasa 自定义动作服务（rasa-sdk 动作服务器）")(rasa_actions)


class _Running:
    """The app and dialogue, built inside the server's event loop when it starts."""

    app: App | None = None
    dialogue: Dialogue | None = None

    def dialogue_now(self) -> Dialogue:
        if self.dialogue is None:
            raise RuntimeError("动作服务尚未启动完成")
        return self.dialogue


@friendly_errors
def rasa_actions(
    ctx: typer.Context,
    port: int = typer.Option(5055, "--port", "-p", help="监听端口"),
    host: str = typer.Option("127.0.0.1", "--host", help="监听地址（对外服务用 0.0.0.0）"),
) -> None:
    settings = load_settings(config_path(ctx))
    running = _Running()
    executor = ActionExecutor()
    for action in actions(running.dialogue_now):
        executor.register_action(action)
    server = create_app(executor)

    async def start(*_: object) -> None:
        running.app = build_app(settings)
        running.dialogue = await build_dialogue(running.app)
        console.print(f"[green]✓[/] Rasa 动作服务已启动：http://{host}:{port}/webhook")

    async def stop(*_: object) -> None:
        if running.app is not None:
            await running.app.close()

    server.register_listener(start, "before_server_start")
    server.register_listener(stop, "after_server_stop")
    server.run(host=host, port=port, single_process=True, access_log=False, motd=False)
