"""Status pushes into a resident's WeChat, days after they wrote.

WeChat lets a 公众号 send 客服消息 only within 48 hours of the resident's last message or tap;
after that, only a 模板消息 whose template the district chose on 公众平台. A resident who
unfollowed gets nothing more, and the outbox records why (shown on the case file).
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.wechat.render import outgoing
from bot.wechat.sender import WeChatSender, WeChatUnavailable
from bot.wechat.settings import WeChatSettings
from flows.messages import Choice, Reply
from handlers.ports import Clock, DeliveryError, Notification, RecipientUnreachable
from storage.wechat_store import WeChatFollowers

WINDOW_CLOSED = {45015}  # 回复时间超过限制
NOT_FOLLOWING = {43004, 40003}  # 需要接收者关注 / 不合法的 OpenID
TOO_FREQUENT = {45009, 45047}  # 接口调用超过限制 / 客服接口下行条数超过上限
NOTE_CHARS = 20  # a template's `thing` field holds 20 characters
TRY_AGAIN_SECONDS = 600
UNFOLLOWED = "群众已取消关注公众号，无法推送"


@dataclass(frozen=True)
class CaseLine:
    """What a template message says besides the text: the case's status and when it changed."""

    status: str
    at: str


class WeChatNotifier:
    def __init__(self, config: WeChatSettings, sender: WeChatSender, followers: WeChatFollowers, clock: Clock,
                 case_line: Callable[[str], Awaitable[CaseLine]]) -> None:
        self.config = config
        self.sender = sender
        self.followers = followers
        self.clock = clock
        self.case_line = case_line

    async def send(self, notification: Notification) -> None:
        prefix, _, open_id = notification.recipient.partition(":")
        if prefix != "wx" or not open_id:
            raise RecipientUnreachable(f"不是微信用户：{notification.recipient}")
        follower = await self.followers.get(open_id)
        if follower is not None and not follower.following:
            raise RecipientUnreachable(UNFOLLOWED)
        window = timedelta(hours=self.config.window_hours)
        if follower is not None and self.clock.now() - follower.last_inbound_at < window:
            reply = Reply(notification.text, tuple(Choice(label, label) for label in notification.choices))
            try:
                await self.sender.deliver(open_id, outgoing([reply]))
                return
            except WeChatUnavailable as exc:
                if exc.errcode not in WINDOW_CLOSED:
                    raise _mapped(exc) from exc
        await self._template(open_id, notification)

    async def _template(self, open_id: str, notification: Notification) -> None:
        if not self.config.template_id:
            raise RecipientUnreachable("群众已超过 48 小时未与公众号互动，且未配置模板消息（[wechat.template] id），无法推送")
        line = await self.case_line(notification.case_number)
        note = notification.text if len(notification.text) <= NOTE_CHARS else notification.text[: NOTE_CHARS - 1] + "…"
        values = {"number": notification.case_number, "status": line.status, "time": line.at, "note": note}
        fields = self.config.template_fields
        try:
            await self.sender.template(open_id, self.config.template_id, {fields[k]: v for k, v in values.items()})
        except WeChatUnavailable as exc:
            raise _mapped(exc) from exc


def _mapped(exc: WeChatUnavailable) -> Exception:
    if exc.errcode in NOT_FOLLOWING:
        return RecipientUnreachable(f"群众未关注公众号或已取消关注（{exc}）")
    if exc.errcode in TOO_FREQUENT:
        return DeliveryError(str(exc), retry_after=TRY_AGAIN_SECONDS)
    return DeliveryError(str(exc))
