"""The [sms] section, read without importing the HTTP client: `minsheng serve` checks it before it
loads anything heavy, and both the hotline and the web chat's offline pushes send by it."""

import os
from dataclasses import dataclass

from bot.settings import Settings, is_http_url, timeout_seconds


@dataclass(frozen=True)
class SmsSettings:
    webhook_url: str
    token: str = ""
    signature: str = "【民声】"
    timeout_seconds: float = 10

    @classmethod
    def from_settings(cls, settings: Settings) -> "SmsSettings | None":
        """None when no webhook is configured: hotline pushes then stay queued in the outbox."""
        section = settings.section("sms")
        timeout = timeout_seconds(section, "sms")
        url = str(section.get("webhook_url", "")).strip()
        if not url:
            return None
        if not is_http_url(url, query=True):  # a gateway may take its key in the query string
            raise ValueError(f"sms 部分的 webhook_url 应是短信网关的地址，如 https://sms.example.cn/send，而不是 {url!r}")
        return cls(
            webhook_url=url,
            token=os.environ.get(section.get("token_env", "MINSHENG_SMS_TOKEN"), ""),
            signature=str(section.get("signature", "【民声】")),
            timeout_seconds=timeout,
        )
