"""查询我的信息 and 删除我的信息: what the service holds about the resident asking, and their request to
erase the contact details of their finished cases. Pure steps, the same on every channel; the request
is a command (handlers/erasure.py) an administrator decides, and the resident hears the outcome on this
channel like any status push.

Both are recognised by their wording, never by the classifier: 「查询我的信息」 must not be read as a
status query, and 「物业泄露了我的个人信息」 is a complaint, not a question about what we hold.
"""

import re
from dataclasses import dataclass

from flows.choices import normalise
from flows.context import Context, Outcome, say
from flows.messages import Inbound
from flows.state import ConversationState
from handlers.case import Case
from handlers.commands import RequestErasure
from handlers.names import mask_name
from handlers.phones import mask_phone
from handlers.status import FINAL

HELD, ERASE = "held", "erase"
_WHAT = r"(?:个人)?(?:信息|资料|数据|隐私)"
_MY = rf"(?:(?:我的|本人的?){_WHAT}|个人(?:信息|资料|数据|隐私))"
_ASKS_HELD = re.compile(
    rf"(?:查询|查看|查|看看|看一下|看下|了解)(?:一下)?{_MY}"
    rf"|^我的{_WHAT}(?:有哪些|是什么|都有什么)?(?:呢|吗)?$"
    rf"|(?:存|保存|留存|留|有|掌握|记录|收集)(?:了|着)?(?:我的?|本人)?(?:哪些|什么|多少){_WHAT}"
)
_ERASING = r"(?:删除|删掉|删了|删|清除|清空|注销|抹掉|抹去|销毁)"
_ASKS_ERASE = re.compile(
    rf"{_ERASING}(?:掉|一下)?(?:我的|本人的?)(?:个人)?(?:信息|资料|数据|隐私|联系方式)"
    rf"|{_ERASING}(?:掉|一下)?个人(?:信息|资料|数据|隐私)"
    rf"|(?:我的|本人的?)(?:个人)?(?:信息|资料|数据|隐私|联系方式)(?:都|全部|请)?{_ERASING}"
)
# Words of a complaint about someone else's handling of personal data: filed as a case, not answered here.
_COMPLAINT = re.compile(r"泄露|泄漏|倒卖|出售|卖给|卖了|骚扰|推销|冒用|盗用|诈骗|被人|被别人")
# Another holder named (「物业收集了多少个人信息」, 「这个App不让注销我的个人信息」): a complaint about them,
# not a request about what this service holds.
_ELSEWHERE = re.compile(r"物业|公司|app|平台|商家|银行|医院|学校|单位|中介|网站|软件|小程序|商场|超市|快递|他们|对方",
                        re.IGNORECASE)
_LONGEST = 24  # a request about one's own data is said briefly; a longer message is a complaint
_LISTED = 5


@dataclass(frozen=True)
class Held:
    """What the service holds about a resident on this channel, for the summary."""

    open_cases: tuple[Case, ...]
    finished: tuple[Case, ...]
    phones: tuple[str, ...]  # masked
    names: tuple[str, ...]  # masked


def asked(text: str) -> str | None:
    """HELD for 「查询我的信息」 and its variants, ERASE for 「删除我的信息」 and its variants, else None."""
    plain = normalise(text)
    if not plain or len(plain) > _LONGEST or _COMPLAINT.search(plain) or _ELSEWHERE.search(plain):
        return None
    if _ASKS_ERASE.search(plain):
        return ERASE
    return HELD if _ASKS_HELD.search(plain) else None


def on_request(kind: str, state: ConversationState, inbound: Inbound, ctx: Context) -> Outcome:
    return show_held(state, ctx) if kind == HELD else request_erasure(state, inbound, ctx)


def show_held(state: ConversationState, ctx: Context) -> Outcome:
    """The resident's cases and contact details as we hold them, masked as on every staff page."""
    held = what_is_held(ctx.cases)
    if not ctx.cases:
        return say(state, "除了您在这里和我的对话记录，我们没有保存您的其他信息：您在这里还没有反映过诉求，"
                          "也没有留过联系电话。")
    lines = [f"我们保存的您的信息如下：\n· 您在这里反映的诉求 {len(ctx.cases)} 件"
             f"（办理中 {len(held.open_cases)} 件，已办结归档或撤销 {len(held.finished)} 件）："]
    lines += [f"  {c.number}（{c.status.label}）" for c in ctx.cases[:_LISTED]]
    if len(ctx.cases) > _LISTED:
        lines.append(f"  等 {len(ctx.cases)} 件")
    lines.append(f"· 联系电话：{'、'.join(held.phones)}（已隐去中间几位）" if held.phones else "· 联系电话：未留")
    if held.names:
        lines.append(f"· 联系人：{'、'.join(held.names)}")
    lines.append("· 诉求内容、地点和办理记录：用于办理、回访和统计。")
    if held.finished:
        lines.append("已办结归档的诉求，可以发送“删除我的信息”申请删除其中的联系电话等个人信息。")
    else:
        lines.append("诉求办结归档后，可以发送“删除我的信息”申请删除其中的联系电话等个人信息。")
    return say(state, "\n".join(lines))


def request_erasure(state: ConversationState, inbound: Inbound, ctx: Context) -> Outcome:
    """A request for the finished cases; cases still being handled need a way to reach the resident."""
    held = what_is_held(ctx.cases)
    if not ctx.cases:
        return say(state, "您在这里还没有反映过诉求，我们没有保存您的联系电话等个人信息，不需要删除。")
    if not held.finished:
        numbers = "、".join(c.number for c in held.open_cases[:_LISTED])
        return say(state, f"您的诉求（{numbers}）还在办理中，办理期间需要联系方式告知进度、回访。"
                          "诉求办结归档后，可以再发送“删除我的信息”申请删除。")
    command = RequestErasure(f"resident:{inbound.channel}:{inbound.user_ref}", held.finished[0].number,
                             inbound.channel, inbound.user_ref, tuple(c.number for c in held.finished))
    return Outcome(state, (), (command,))


def requested_text(command: RequestErasure, ctx: Context) -> str:
    """What the resident hears once the request is filed (flows.results)."""
    text = (f"已收到您删除个人信息的申请，涉及已办结的诉求 {'、'.join(command.numbers)}。工作人员核实后会删除其中的"
            "联系电话、姓名和账号信息，诉求内容去掉联系方式后保留，仅用于统计。处理结果会在这里通知您。")
    still_open = [c.number for c in ctx.cases if c.status not in FINAL]
    if still_open:
        text += f"\n办理中的诉求 {'、'.join(still_open[:_LISTED])} 不在这次申请范围内，办结归档后可以再申请。"
    return text


def what_is_held(cases: tuple[Case, ...]) -> Held:
    phones = tuple(dict.fromkeys(mask_phone(c.phone) for c in cases if c.phone))
    names = tuple(dict.fromkeys(mask_name(c.contact_name) for c in cases if c.contact_name))
    return Held(tuple(c for c in cases if c.status not in FINAL), tuple(c for c in cases if c.status in FINAL),
                phones, names)
