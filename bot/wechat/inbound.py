"""What a message or event from WeChat means to Minsheng: a turn for the dialogue, a fixed
answer, or a change in whether the resident follows the 公众号. Pure: no I/O, no wechatpy client.

WeChat redelivers a POST it got no answer to, with the same MsgId (events: the same sender,
CreateTime and event), so that is the message id the dialogue claims.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.channels import channel
from flows.messages import Inbound, Location

CHANNEL = channel("wechat").code
WELCOME = ("您好，欢迎关注！这里是{district}的群众诉求服务号。\n"
           "遇到邻里纠纷、需要办事维修、或想向政府反映问题，直接发文字或语音告诉我们即可，"
           "我们会登记、转交负责部门，并在这里告诉您每一步的办理进度。\n"
           "也可以点底部菜单：我要反映、查询进度、帮助。")
VOICE_UNHEARD = "抱歉，这条语音没能转成文字。请用文字再说一遍，或者说得慢一点再试。"
UNSUPPORTED = "暂时只能处理文字、语音、图片和位置。请用文字告诉我们遇到了什么问题。"
MENU_WORDS = {"report": "我要反映问题", "status": "查询我的诉求进度", "help": "帮助"}  # what a resident would type


@dataclass(frozen=True)
class Heard:
    open_id: str
    key: str  # the id a redelivery repeats
    inbound: Inbound | None = None  # a turn for the dialogue
    answer: str | None = None  # or a fixed answer
    following: bool | None = None  # subscribe → True, unsubscribe → False, anything else → None
    opens_window: bool = True  # WeChat's 48-hour window opens on what the resident does, not on unfollowing


def user_ref(open_id: str) -> str:
    return channel(CHANNEL).user_ref(open_id)


def hear(message: Any, raw: Mapping[str, Any], district: str = "") -> Heard:
    """`message` is wechatpy's parsed message; `raw` its XML fields (wechatpy does not read
    `bizmsgmenuid`, which marks a tapped choice of a 菜单消息)."""
    open_id = str(message.source)
    key = str(message.id) if getattr(message, "id", 0) else _event_key(open_id, message.time, raw)
    ref = user_ref(open_id)

    def turn(**content: Any) -> Heard:
        return Heard(open_id, key, inbound=Inbound(CHANNEL, ref, key, **content))

    kind = message.type
    if kind == "text":
        text = str(message.content or "").strip()
        if raw.get("bizmsgmenuid"):
            return turn(choice=text)
        return turn(text=text) if text else Heard(open_id, key, answer=UNSUPPORTED)
    if kind == "voice":
        words = str(message.recognition or "").strip().rstrip("。")
        return turn(text=words) if words else Heard(open_id, key, answer=VOICE_UNHEARD)
    if kind == "location":
        point = _location(message.location_x, message.location_y)
        return turn(location=point) if point else Heard(open_id, key, answer=UNSUPPORTED)
    if kind == "image":
        return turn(attachment=_picture(raw))
    if kind == "event" or str(raw.get("MsgType", "")).lower() == "event":
        return _event(open_id, key, str(raw.get("Event", "")).lower(), str(raw.get("EventKey") or ""), turn, district)
    return Heard(open_id, key, answer=UNSUPPORTED)


def _event_key(open_id: str, created: int, raw: Mapping[str, Any]) -> str:
    """WeChat's advice is sender + CreateTime; two taps within one second differ by what was tapped."""
    return f"{open_id}:{created}:{raw.get('Event', '')}:{raw.get('EventKey') or ''}"


def _event(open_id: str, key: str, event: str, event_key: str, turn: Any, district: str) -> Heard:
    if event in ("subscribe", "subscribe_scan"):
        return Heard(open_id, key, answer=WELCOME.format(district=district or "本辖区"), following=True)
    if event == "unsubscribe":
        return Heard(open_id, key, following=False, opens_window=False)
    if event == "click" and event_key in MENU_WORDS:
        return turn(text=MENU_WORDS[event_key])
    return Heard(open_id, key, opens_window=event == "click")  # menu links, template receipts, location reports


def _picture(raw: Mapping[str, Any]) -> str:
    """Where staff can find the photo: WeChat's picture address, else its media id (kept 3 days)."""
    url = str(raw.get("PicUrl") or "")
    return url if url.startswith(("http://", "https://")) else f"wechat-media:{raw.get('MediaId', '')}"


def _location(latitude: Any, longitude: Any) -> Location | None:
    try:
        point = Location(float(latitude), float(longitude))
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(point.latitude) and math.isfinite(point.longitude)):
        return None
    return point if abs(point.latitude) <= 90 and abs(point.longitude) <= 180 else None
