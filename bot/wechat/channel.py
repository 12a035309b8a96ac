"""The WeChat Official Account (服务号) as a channel: on when an AppID is configured.

wechatpy is imported only here, when the channel is on; `minsheng case list` never loads it.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels import Attachment, Live, Stage
from bot.wechat.settings import WeChatSettings
from bot.wording import local
from handlers.ports import SystemClock
from storage.uow import SqlUnitOfWork
from storage.wechat_store import WeChatFollowers

if TYPE_CHECKING:
    from bot.wechat.notifier import WeChatNotifier
    from bot.wechat.sender import WeChatSender

OFF = "微信公众号：未配置 AppID，未启动。"


@dataclass
class WeChatChannel:
    config: WeChatSettings
    notifier: "WeChatNotifier"
    status: str
    sender: "WeChatSender"
    followers: WeChatFollowers

    async def attach(self, live: Live) -> Attachment:
        from bot.wechat.endpoint import WeChatEndpoint

        endpoint = WeChatEndpoint(self.config, live.dialogue, live.gate, self.sender,
                                  self.followers, live.app.policies.clock, live.app.settings.district_name)
        return Attachment([endpoint.router()])

    async def close(self) -> None:
        self.sender.close()


def configure(stage: Stage) -> WeChatChannel | None:
    config = WeChatSettings.from_settings(stage.settings)
    if config is None:
        return None
    from bot.wechat.notifier import CaseLine, WeChatNotifier
    from bot.wechat.sender import WeChatSender

    sender = WeChatSender.open(config, stage.settings.database_url)
    followers = WeChatFollowers(stage.store.sessions)
    sessions: async_sessionmaker[AsyncSession] = stage.store.sessions

    async def case_line(number: str) -> CaseLine:
        async with SqlUnitOfWork(sessions) as uow:
            case = await uow.cases.get(number)
        return CaseLine(case.status.label, local(case.updated_at))

    notifier = WeChatNotifier(config, sender, followers, stage.clock or SystemClock(), case_line)
    mode = "安全模式" if config.encryption == "safe" else "明文模式"
    return WeChatChannel(config, notifier, f"微信公众号：已启动（{mode}，服务器地址路径 {config.path}）。",
                         sender, followers)
