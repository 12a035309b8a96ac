"""The [telegram] section, read without importing aiogram: a server with no token never loads it."""

import os
from dataclasses import dataclass

from bot.settings import Settings


@dataclass(frozen=True)
class TelegramSettings:
    token: str
    api_base: str = ""
    mode: str = "polling"
    webhook_url: str = ""
    webhook_path: str = "/telegram/webhook"
    webhook_secret: str = ""
    polling_timeout: int = 25

    @classmethod
    def from_settings(cls, settings: Settings) -> "TelegramSettings | None":
        """None when no token is configured: the Telegram channel is then simply off."""
        section = settings.section("telegram")
        token = os.environ.get(section.get("token_env", "MINSHENG_TELEGRAM_TOKEN"), "").strip()
        if not token:
            return None
        mode = section.get("mode", "polling")
        if mode not in ("polling", "webhook"):
            raise ValueError(f"[telegram] mode 只能是 polling 或 webhook，而不是 {mode!r}")
        secret = os.environ.get(section.get("webhook_secret_env", "MINSHENG_TELEGRAM_WEBHOOK_SECRET"), "")
        if mode == "webhook" and not (secret and section.get("webhook_url")):
            raise ValueError("[telegram] 使用 webhook 模式时必须设置 webhook_url 和 webhook 密钥环境变量")
        return cls(
            token=token,
            api_base=section.get("api_base", ""),
            mode=mode,
            webhook_url=section.get("webhook_url", ""),
            webhook_path=section.get("webhook_path", "/telegram/webhook"),
            webhook_secret=secret,
            polling_timeout=int(section.get("polling_timeout", 25)),
        )
