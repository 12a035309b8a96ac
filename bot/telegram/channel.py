"""Telegram as a channel: on when a bot token is configured; polling or webhook by `[telegram] mode`.

aiogram is imported only here, when a token is set: a server without one never loads it.
"""

from dataclasses import dataclass
from typing import Any

from bot.channels import Attachment, Live, Stage
from bot.telegram.settings import TelegramSettings

OFF = "Telegram：未配置令牌，未启动。"


@dataclass
class TelegramChannel:
    config: TelegramSettings
    bot: Any
    notifier: Any
    status: str

    async def attach(self, live: Live) -> Attachment:
        from bot.telegram import runner

        routers, loops = await runner.attach(self.config, self.bot, live.dialogue, live.gate)
        return Attachment(routers, loops)

    async def close(self) -> None:
        await self.bot.session.close()


def configure(stage: Stage) -> TelegramChannel | None:
    config = TelegramSettings.from_settings(stage.settings)
    if config is None:
        return None
    from bot.telegram import runner
    from bot.telegram.notifier import TelegramNotifier

    bot = runner.make_bot(config)
    mode = "Webhook" if config.mode == "webhook" else "长轮询"
    return TelegramChannel(config, bot, TelegramNotifier(bot), f"Telegram：已启动（{mode}模式）。")
