"""How every staff surface (CLI, console, department pages) words times, phones and push states,
so a page and a terminal never disagree about the same fact."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flows.texts import mask_phone as _mask

TZ = ZoneInfo("Asia/Shanghai")
OUTBOX_LABELS = {"pending": "待发送", "sent": "已送达", "failed": "发送失败", "unreachable": "无法送达"}


def local(value: datetime | None) -> str:
    return value.astimezone(TZ).strftime("%Y-%m-%d %H:%M") if value else "—"


def masked_phone(phone: str | None) -> str:
    """The residents' masking rule (flows.texts.mask_phone), with staff's word for no phone."""
    return _mask(phone) or "未留"
