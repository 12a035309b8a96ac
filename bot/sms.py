"""Status pushes for hotline callers by SMS, through a configurable HTTP webhook (the SMS gateway's
or a relay's). Each push carries its idempotency key, so a gateway can drop a retried duplicate."""

import os
from dataclasses import dataclass
from typing import Any

import httpx

from bot.channels import PushOnly, Stage
from bot.settings import Settings, is_http_url, timeout_seconds
from handlers.phones import phone_digits
from handlers.ports import DeliveryError, Notification, RecipientUnreachable

OFF = "短信通知：未配置 \\[sms] webhook_url，热线来电人的进度通知将暂存待发。"
PERMANENT = {400, 404, 410, 422}


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


def configure(stage: Stage) -> PushOnly | None:
    config = SmsSettings.from_settings(stage.settings)
    if config is None:
        return None
    notifier = SmsNotifier(config)
    return PushOnly(notifier, "短信通知：已启用，热线来电人的进度将以短信发送。", notifier.close)


class SmsNotifier:
    """429/503 → retry after the gateway's Retry-After; a number the gateway rejects → unreachable."""

    def __init__(self, config: SmsSettings, client: httpx.AsyncClient | None = None) -> None:
        self.config = config
        self.client = client or httpx.AsyncClient(timeout=config.timeout_seconds)

    async def send(self, notification: Notification) -> None:
        phone = notification.recipient.partition(":")[2]
        if not phone_digits(phone):  # the rule every channel files phones by
            raise RecipientUnreachable(f"没有可用的手机号码：{notification.recipient or '未留电话'}")
        headers = {"Idempotency-Key": notification.key}
        if self.config.token:
            headers["Authorization"] = f"Bearer {self.config.token}"
        payload: dict[str, Any] = {
            "to": phone,
            "text": f"{self.config.signature}{notification.text}",
            "key": notification.key,
            "case": notification.case_number,
        }
        try:
            response = await self.client.post(self.config.webhook_url, json=payload, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"短信网关无法连接：{type(exc).__name__}") from exc
        if response.is_success:
            return
        detail = f"短信网关返回 {response.status_code}：{response.text[:200]}"
        if response.status_code in (429, 503):
            raise DeliveryError(detail, retry_after=_retry_after(response))
        if response.status_code in PERMANENT:
            raise RecipientUnreachable(detail)
        raise DeliveryError(detail)

    async def close(self) -> None:
        await self.client.aclose()


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None
