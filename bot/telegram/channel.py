"""Telegram as a channel: on when a bot token is configured; polling or webhook by `[telegram] mode`.

aiogram is imported only here, when a token is set: a server without one never loads it.
"""

import asyncio
import functools
from dataclasses import dataclass
from typing import Any

from bot.channels import Attachment, Live, Loop, Stage
from bot.leases import open_lease, while_leading
from bot.telegram.settings import TelegramSettings

OFF = "Telegram：未配置令牌，未启动。"


@dataclass
class TelegramChannel:
    config: TelegramSettings
    bot: Any
    notifier: Any
    status: str

    async def attach(self, live: Live) -> Attachment:
        """Webhook mode serves in every worker; polling runs in one worker at a time (Telegram
        refuses a second getUpdates), the others standing by for it on a lease."""
        from bot.telegram import runner

        routers, loops = await runner.attach(self.config, self.bot, live.dialogue, live.gate)
        database_url = live.app.settings.database_url
        return Attachment(routers, [functools.partial(_alone, database_url, loop) for loop in loops])

    async def close(self) -> None:
        await self.bot.session.close()


async def _alone(database_url: str, loop: Loop, stop: asyncio.Event) -> None:
    await while_leading(open_lease(database_url, "telegram"), stop, loop)


def configure(stage: Stage) -> TelegramChannel | None:
    config = TelegramSettings.from_settings(stage.settings)
    if config is None:
        return None
    from bot.telegram import runner
    from bot.telegram.notifier import TelegramNotifier

    bot = runner.make_bot(config)
    mode = "Webhook" if config.mode == "webhook" else "长轮询"
    return TelegramChannel(config, bot, TelegramNotifier(bot), f"Telegram：已启动（{mode}模式）。")
