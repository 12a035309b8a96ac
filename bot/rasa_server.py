"""rasa-sdk's own action server with our intake registered as its custom actions."""

from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor

from bot.bootstrap import App, build_app
from bot.cli.common import console
from bot.dialogue_root import build_dialogue
from bot.settings import Settings
from flows.dialogue import Dialogue
from flows.rasa_actions import actions


class _Running:
    """The app and dialogue, built inside the server's event loop when it starts."""

    app: App | None = None
    dialogue: Dialogue | None = None

    def dialogue_now(self) -> Dialogue:
        if self.dialogue is None:
            raise RuntimeError("动作服务尚未启动完成")
        return self.dialogue


def run(settings: Settings, host: str, port: int) -> None:
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
