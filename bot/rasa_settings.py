"""The [rasa] section, read without importing the HTTP client: `minsheng serve` checks it before it
loads anything heavy, and the Rasa push channel (`bot.rasa_notifier`) is configured by it."""

import os
from dataclasses import dataclass

from bot.settings import Settings, is_http_url, timeout_seconds

TOKEN_ENV = "MINSHENG_RASA_TOKEN"


@dataclass(frozen=True)
class RasaPush:
    """Where status pushes for cases filed through a Rasa assistant go (its HTTP API, `--enable-api`)."""

    server_url: str
    token: str = ""
    timeout_seconds: float = 10

    @classmethod
    def from_settings(cls, settings: Settings) -> "RasaPush | None":
        """None without a server_url: pushes for Rasa cases then wait in the outbox until one is set."""
        section = settings.section("rasa")
        url = str(section.get("server_url", "")).strip().rstrip("/")
        if not url:
            return None
        if not is_http_url(url):
            raise ValueError(f"rasa 部分的 server_url 应是 Rasa 服务的地址，如 http://127.0.0.1:5005，而不是 {url!r}")
        token = os.environ.get(str(section.get("token_env", TOKEN_ENV)), "").strip()
        return cls(server_url=url, token=token, timeout_seconds=timeout_seconds(section, "rasa"))
