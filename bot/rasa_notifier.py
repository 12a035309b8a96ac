"""Status pushes into the resident's own Rasa conversation, through Rasa's external-event endpoint.

Each push triggers the intent `EXTERNAL_case_update` in the conversation the case was filed from
(its user_ref is Rasa's sender_id); rasa/domain.yml answers it by uttering the text we send, on the
channel the resident last wrote from (`output_channel=latest`).
"""

from urllib.parse import quote

import httpx

from bot.channels import PushOnly, Stage
from bot.rasa_settings import RasaPush
from handlers.ports import DeliveryError, Notification, RecipientUnreachable

OFF = "Rasa 进度推送：未配置 \\[rasa] server_url，经 Rasa 助手反映的群众的进度通知将暂存待发。"
INTENT = "EXTERNAL_case_update"
TEXT_ENTITY = "case_update_text"
NUMBER_ENTITY = "case_number"
TOKEN_HINT = "Rasa 拒绝了令牌，请检查 [rasa] token_env 所指的环境变量是否与 rasa run --auth-token 一致"
HINTS = {
    401: TOKEN_HINT,
    403: TOKEN_HINT,
    404: f"请确认 Rasa 以 --enable-api 启动，且助手的 domain.yml 含有意图 {INTENT}（见 rasa/README.md）",
    409: "Rasa 尚未加载训练好的模型",
}


def configure(stage: Stage) -> PushOnly | None:
    push = RasaPush.from_settings(stage.settings)
    if push is None:
        return None
    notifier = RasaNotifier(push)
    return PushOnly(notifier, f"Rasa 进度推送：已启用（{push.server_url}）。", notifier.close)


class RasaNotifier:
    """Any HTTP failure is retried: Rasa opens a conversation for any id, so an error never means the
    resident is gone, only that Rasa is down or misdeployed (token, --enable-api, domain, model),
    which the outbox's backoff outlasts once fixed. Unreachable is Rasa's own answer that it could
    only collect the reply: the resident's channel cannot take pushes (rest, rasa shell)."""

    def __init__(self, config: RasaPush, client: httpx.AsyncClient | None = None) -> None:
        self.config = config
        self.client = client or httpx.AsyncClient(timeout=config.timeout_seconds)

    async def send(self, notification: Notification) -> None:
        url = f"{self.config.server_url}/conversations/{quote(notification.recipient, safe='')}/trigger_intent"
        params = {"output_channel": "latest"} | ({"token": self.config.token} if self.config.token else {})
        payload = {
            "name": INTENT,
            "entities": {TEXT_ENTITY: notification.text, NUMBER_ENTITY: notification.case_number},
        }
        try:
            response = await self.client.post(url, params=params, json=payload)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"Rasa 服务无法连接：{type(exc).__name__}") from exc
        if not response.is_success:
            hint = HINTS.get(response.status_code, response.text[:200])
            raise DeliveryError(f"Rasa 返回 {response.status_code}：{hint}")
        if "messages" in _body(response):
            raise RecipientUnreachable("该 Rasa 会话所用的渠道不能主动推送消息（如 rest 渠道或 rasa shell）")

    async def close(self) -> None:
        await self.client.aclose()


def _body(response: httpx.Response) -> dict[str, object]:
    """Rasa answers with a JSON object; anything else came from something that is not Rasa."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise DeliveryError(f"[rasa] server_url 所指的服务不像 Rasa：返回了 {response.text[:100]!r}")
    return body
