"""Renderings of cases for staff: the whole file (一案一档) and case listings."""

from datetime import datetime
from typing import TYPE_CHECKING

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from handlers.case import Case
from handlers.directory import LEVEL_LABELS, Department
from handlers.status import EVENT_LABELS, Status
from bot.cli.output import Column, Listing
from bot.wording import OUTBOX_LABELS, actor_label, case_texts, channel_label, local, masked_name, masked_phone
from handlers.phones import mask_phones_in

if TYPE_CHECKING:
    from storage.queries import SentNotice

CASE_COLUMNS = (
    Column("number", "编号"), Column("status", "状态"), Column("category", "类别"), Column("topic", "主题"),
    Column("department", "责任部门"), Column("deadline", "时限"), Column("summary", "内容"),
)

def case_file(
    case: Case, departments: dict[str, Department], notices: list["SentNotice"], reveal: bool = False
) -> Group:
    """The whole file; the phone and the caller's name masked unless `reveal` (a logged request), and
    phone numbers typed into the words masked always."""
    dept = departments.get(case.department or "")
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold cyan", no_wrap=True)
    facts.add_column()
    confidence = "、".join(
        f"{name} {value:.2f}"
        for name, value in (("类别", case.category_confidence), ("主题", case.topic_confidence))
        if value is not None
    )
    rows = [
        ("状态", status_text(case)),
        *((("紧急情况", f"群众反映时提到，已提示拨打 {case.emergency}"),) if case.emergency else ()),
        ("类别", f"{case.category_label}" + ("（人工确认）" if case.classification_confirmed else "")),
        ("主题", case.topic or "未分类"),
        ("分类置信度", confidence or "—"),
        ("网格", " / ".join(x for x in (case.street, case.community, case.grid_code) if x) or "未确定"),
        ("地址", case.address or "—"),
        ("责任部门", f"{dept.name}（{dept.code}，{LEVEL_LABELS.get(dept.level, dept.level)}级）" if dept else (case.department or "—")),
        ("经办人", actor_label(case.handler)),
        ("签收时限", local(case.sign_deadline)),
        ("办结时限", local(case.resolve_deadline)),
        ("来源", case.source_label),
        ("来源渠道", channel_label(case.channel) + ("（匿名）" if case.anonymous else "")),
        ("联系电话", (case.phone or "未留") if reveal else masked_phone(case.phone)),
        *((("联系人", case.contact_name if reveal else masked_name(case.contact_name)),) if case.contact_name else ()),
        ("退回/升级/重办", f"{case.return_count} / {case.escalation_count} / {case.reopen_count}"),
        ("答复", mask_phones_in(case.reply or "—")),
        ("评价", mask_phones_in(f"{case.rating} 分 {case.rating_comment or ''}") if case.rating else "—"),
        *((f"图片 {i}", where) for i, where in enumerate(case.attachments, 1)),
    ]
    for name, value in rows:
        facts.add_row(name, value if isinstance(value, Text) else Text(str(value)))
    said = [Panel(Text(mask_phones_in(words)), title=heading, title_align="left", expand=False)
            for _, heading, words in case_texts(case.text, case.original_text)]
    events = Table(title="办理记录", title_justify="left", show_lines=False)
    for column in ("序号", "时间", "操作", "操作人", "状态", "说明"):
        events.add_column(column)
    for e in case.events:
        change = f"{e.from_status.label if e.from_status else ''}→{e.to_status.label}" if e.to_status else ""
        photos = "".join(f"\n现场照片：{where}" for where in e.changes.get("attachments", ())) if e.seq > 1 else ""
        events.add_row(str(e.seq), local(e.at), EVENT_LABELS.get(e.kind, e.kind), actor_label(e.actor), change,
                       Text(mask_phones_in(e.note) + photos))
    sent = Table(title="给群众的回复", title_justify="left")
    for column in ("时间", "状态", "渠道", "内容"):
        sent.add_column(column)
    for n in notices:
        sent.add_row(local(n.created_at), OUTBOX_LABELS.get(n.status, n.status), channel_label(n.channel),
                     Text(mask_phones_in(n.text)))
    header = Panel(facts, title=f"诉求 {case.number}（受理于 {local(case.created_at)}）", title_align="left",
                   expand=False)
    return Group(header, *said, events, sent)


def status_text(case: Case, now: datetime | None = None) -> Text:
    text = Text(case.status.label)
    if now and case.status not in (Status.RESOLVED, Status.CLOSED, Status.CANCELLED):
        deadline = case.resolve_deadline or case.sign_deadline
        if deadline and deadline < now:
            text.append(" 已超期", style="bold red")
    return text


def case_listing(cases: list[Case], departments: dict[str, Department], now: datetime, title: str) -> Listing:
    listing = Listing(title, CASE_COLUMNS, empty="没有符合条件的诉求")
    for case in cases:
        dept = departments.get(case.department or "")
        words = mask_phones_in(case.text)
        summary = words if len(words) <= 30 else words[:30] + "…"
        listing.add(case.number, status_text(case, now), case.category_label, case.topic or "—",
                    dept.name if dept else (case.department or "—"), local(case.resolve_deadline or case.sign_deadline),
                    summary)
    return listing
