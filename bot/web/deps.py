"""Everything the web routes need, built once by the composition root and kept on app.state."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.bootstrap import App
from bot.limits import LoginThrottle, SenderGate
from bot.ports import Dialogue
from bot.web.admission import Admission
from bot.web.hub import LiveHub
from bot.web.settings import WebSettings
from bot.web.templating import Pages


class History(Protocol):
    async def history(self, channel: str, user_ref: str, limit: int) -> Sequence[Any]: ...


@dataclass
class WebDeps:
    app: App
    dialogue: Dialogue
    history: History
    hub: LiveHub
    gate: SenderGate
    web: WebSettings
    logins: LoginThrottle
    admission: Admission
    analyzer: Any = None
    pages: Pages = field(default_factory=Pages)
