"""How every staff surface (CLI, console, department pages) words times, phones, channels, actors,
model versions and durations (a grid by handlers.directory.Grid.label, as residents hear it), so a page and a terminal never disagree about the same fact
and no stored code (`web`, `staff:op1`, `0001-20261203T190414Z`) reaches a member of staff."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot import channels
from handlers.names import mask_name
from handlers.phones import mask_phone

TZ = ZoneInfo("Asia/Shanghai")
OUTBOX_LABELS = {"pending": "待发送", "sent": "已送达", "failed": "发送失败", "unreachable": "无法送达"}
SAID, WRITTEN_UP = "群众原话", "诉求内容（坐席整理）"
DAY_HOURS = 48  # beyond two days a duration is said in days
# A running worker routes with the new registry within seconds (storage.directory_repository.DirectoryCache)
# and reads residents' words with it soon after (bot.live_registry).
REGISTRY_IN_USE = "派单和各页面在 10 秒内、群众对话里的地名识别和位置选项在约半分钟内改用新名录，无需重启服务。"


def local(value: datetime | None) -> str:
    return value.astimezone(TZ).strftime("%Y-%m-%d %H:%M") if value else "—"


def masked_phone(phone: str | None) -> str:
    """The one masking rule (handlers.phones.mask_phone), with staff's word for no phone."""
    return mask_phone(phone) or "未留"


def masked_name(name: str | None) -> str:
    """The one name rule (handlers.names.mask_name), with staff's word for no name."""
    return mask_name(name) or "未留"


def channel_label(code: str | None) -> str:
    """A channel as staff call it (bot.channels holds the labels); never the stored code."""
    return channels.label(code)


def actor_label(actor: str | None) -> str:
    """Who did it, from the actor id the case log stores (resident:web:web:<hash>, staff:op1, system)."""
    kind, _, rest = (actor or "").partition(":")
    if kind == "system" and not rest:
        return "系统"
    if kind == "resident":
        return "匿名群众" if rest in ("", "anonymous") else f"群众（{channel_label(rest.partition(':')[0])}）"
    if kind == "staff" and rest:
        return f"工作人员 {rest}"
    return actor or "—"


def case_texts(text: str, original: str | None) -> list[tuple[str, str, str]]:
    """What the case file shows of what was said, as (key, heading, words): the resident's own words
    (cases.original_text: a hotline caller's, as said) first, and beside them the write-up the case
    was filed with when it differs; a resident who typed the complaint has one text, their own."""
    if original and original.strip() != text.strip():
        return [("original", SAID, original), ("text", WRITTEN_UP, text)]
    return [("text", SAID, text)]


def model_label(version: str | None) -> str:
    """A classifier version (nlu.registry names them 0001-20261203T190414Z, in UTC) as 第 1 版 and
    when it was trained, local time; anything else (未记录) is shown as it is."""
    number, _, stamp = (version or "").partition("-")
    try:
        trained = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return version or "—"
    if not number.isdigit():
        return version or "—"
    return f"第 {int(number)} 版（{local(trained)} 训练）"


def duration_label(hours: float) -> str:
    """How long handling took: minutes under an hour (never 「0.0 小时」), days beyond two days."""
    minutes = round(hours * 60)
    if minutes < 60:
        return f"约 {max(minutes, 1)} 分钟"
    if hours <= DAY_HOURS:
        return f"{hours:.1f} 小时"
    return f"{hours / 24:.1f} 天"
