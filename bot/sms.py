"""Status pushes for hotline callers by SMS, through a configurable HTTP webhook (the SMS gateway's
or a relay's). Each push carries its idempotency key, so a gateway can drop a retried duplicate."""

from typing import Any

import httpx

from bot.channels import PushOnly, Stage
from bot.sms_settings import SmsSettings
from handlers.phones import phone_digits
from handlers.ports import DeliveryError, Notification, RecipientUnreachable

OFF = "短信通知：未配置 \\[sms] webhook_url，热线来电人的进度通知将暂存待发。"
PERMANENT = {400, 404, 410, 422}


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
