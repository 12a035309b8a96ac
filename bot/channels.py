"""Every channel a case can come from, in one table, and what a served channel gives `minsheng serve`.

Adding a channel is one package (a module with `configure` and `OFF`, see `ServedChannel`) plus
one line in `CHANNELS`. The table names the channel's code as cases store it, the label staff
read, how a resident on it is referred to, the module that serves it and the light classes that
read its settings. Modules are imported only when serving, so a staff command never pays for
aiogram or wechatpy, and `minsheng serve` checks the settings before it pays for them.
"""

import asyncio
import importlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from fastapi import APIRouter

    from bot.bootstrap import App
    from bot.limits import SenderGate
    from bot.ports import Dialogue
    from bot.settings import Settings
    from bot.web.hub import LiveHub
    from handlers.ports import Clock, Notifier
    from storage.conversation_store import SqlConversationStore

Loop = Callable[[asyncio.Event], Awaitable[None]]


@dataclass(frozen=True)
class ChannelEntry:
    code: str
    label: str
    ref_prefix: str = ""  # a resident on this channel is "<ref_prefix>:<their id>" ("" when the id is used as is)
    module: str | None = None  # serves it in `minsheng serve`; None for sources nobody converses on
    optional: bool = True  # `minsheng serve --no-<code>` leaves it off even when configured
    reads: tuple[str, ...] = ()  # "module:Class": light classes whose from_settings(Settings) its configure calls

    def user_ref(self, resident_id: str) -> str:
        return f"{self.ref_prefix}:{resident_id}" if self.ref_prefix else resident_id


CHANNELS: tuple[ChannelEntry, ...] = (
    ChannelEntry("web", "网页", "web", "bot.web.channel", optional=False,
                 reads=("bot.web.settings:WebSettings", "bot.sms_settings:SmsSettings")),
    ChannelEntry("telegram", "Telegram", "tg", "bot.telegram.channel",
                 reads=("bot.telegram.settings:TelegramSettings",)),
    ChannelEntry("wechat", "微信公众号", "wx", "bot.wechat.channel", reads=("bot.wechat.settings:WeChatSettings",)),
    ChannelEntry("hotline", "12345热线", "hotline", "bot.sms", reads=("bot.sms_settings:SmsSettings",)),
    ChannelEntry("rasa", "Rasa 助手", "", "bot.rasa_notifier", reads=("bot.rasa_settings:RasaPush",)),
    ChannelEntry("terminal", "终端"),
    ChannelEntry("open311", "Open311 接口"),
    ChannelEntry("import", "历史导入"),
)
OTHER_CHANNEL = "其他渠道"
_BY_CODE = {entry.code: entry for entry in CHANNELS}


def channel(code: str) -> ChannelEntry:
    return _BY_CODE[code]


def label(code: str | None) -> str:
    """A channel as staff call it; a code nobody has named yet reads as 其他渠道, never as the code."""
    entry = _BY_CODE.get(code or "")
    return entry.label if entry else OTHER_CHANNEL


def served() -> tuple[ChannelEntry, ...]:
    return tuple(entry for entry in CHANNELS if entry.module)


@dataclass(frozen=True)
class Stage:
    """What exists before the app is built: channels make their notifiers from it."""

    settings: "Settings"
    store: "SqlConversationStore"
    hub: "LiveHub"
    clock: "Clock | None" = None  # the app's clock (tests pass a fake); None: the system's


@dataclass(frozen=True)
class Live:
    """What exists once the dialogue runs: channels attach their routes and loops to it."""

    app: "App"
    dialogue: "Dialogue"
    gate: "SenderGate"


@dataclass
class Attachment:
    routers: list["APIRouter"] = field(default_factory=list)
    loops: list[Loop] = field(default_factory=list)


class ServedChannel(Protocol):
    """A configured channel. Its module has `configure(stage) -> ServedChannel | None` (None: not
    configured; ValueError with a Chinese message: configured wrongly) and `OFF`, the start-up line
    shown when it is not configured."""

    notifier: "Notifier | None"
    status: str

    async def attach(self, live: Live) -> Attachment: ...

    async def close(self) -> None: ...


@dataclass
class PushOnly:
    """A channel that only carries status pushes (SMS for hotline callers, Rasa's push endpoint)."""

    notifier: "Notifier"
    status: str
    closing: Callable[[], Awaitable[None]]

    async def attach(self, live: Live) -> Attachment:
        return Attachment()

    async def close(self) -> None:
        await self.closing()


@dataclass
class Opened:
    entry: ChannelEntry
    channel: ServedChannel | None
    off: str


def check_settings(settings: "Settings", skipped: Sequence[str] = ()) -> None:
    """Read every section a channel not skipped will read, by the same classes its `configure` uses,
    importing only them: a configuration mistake raises ValueError in Chinese before `minsheng serve`
    loads the model, the web stack or a channel's client library."""
    for entry in served():
        if entry.code in skipped:
            continue
        for path in entry.reads:
            module, _, name = path.partition(":")
            getattr(importlib.import_module(module), name).from_settings(settings)


def open_channels(stage: Stage, skipped: Sequence[str] = ()) -> list[Opened]:
    """Configure every served channel not skipped; a configuration mistake raises ValueError in Chinese."""
    opened = []
    for entry in served():
        if entry.code in skipped:
            opened.append(Opened(entry, None, f"{entry.label}：已按 --no-{entry.code} 关闭。"))
            continue
        module: Any = importlib.import_module(entry.module or "")
        opened.append(Opened(entry, module.configure(stage), module.OFF))
    return opened
