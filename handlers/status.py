"""Case states and the transitions between them, as one table so that rules live in one place."""

from enum import StrEnum


class Status(StrEnum):
    RECEIVED = "received"
    PENDING_REVIEW = "pending_review"
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    RETURNED = "returned"
    ESCALATED = "escalated"
    REOPENED = "reopened"
    CANCELLED = "cancelled"
    MERGED = "merged"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS: dict[Status, str] = {
    Status.RECEIVED: "已受理",
    Status.PENDING_REVIEW: "待人工分拨",
    Status.DISPATCHED: "已派单",
    Status.ACCEPTED: "已签收",
    Status.IN_PROGRESS: "办理中",
    Status.RESOLVED: "已办结",
    Status.CLOSED: "已归档",
    Status.RETURNED: "已退回",
    Status.ESCALATED: "已升级",
    Status.REOPENED: "重办",
    Status.CANCELLED: "已撤销",
    Status.MERGED: "已并单",
}

# Cases a department holds and must act on (签收 or 办理).
AT_DEPARTMENT = frozenset(
    {Status.DISPATCHED, Status.ACCEPTED, Status.IN_PROGRESS, Status.ESCALATED, Status.REOPENED}
)
# Cases waiting for a dispatcher (统一分流).
AT_DISPATCHER = frozenset({Status.RECEIVED, Status.PENDING_REVIEW, Status.RETURNED})
FINAL = frozenset({Status.CLOSED, Status.CANCELLED})
# A queue holds these until it signs (签收 deadline), then these until it resolves (办结 deadline).
AWAITING_SIGN = frozenset({Status.DISPATCHED, Status.ESCALATED, Status.REOPENED})
IN_HAND = frozenset({Status.ACCEPTED, Status.IN_PROGRESS})
# Cases that may be merged (并单), either side: open, not yet answered, not already a duplicate.
MERGEABLE = AT_DISPATCHER | AT_DEPARTMENT | IN_HAND

# action -> (states it may start from, state it leads to; None keeps the state)
TRANSITIONS: dict[str, tuple[frozenset[Status], Status | None]] = {
    "review": (frozenset({Status.RECEIVED, Status.RETURNED}), Status.PENDING_REVIEW),
    "dispatch": (AT_DISPATCHER, Status.DISPATCHED),
    "accept": (frozenset({Status.DISPATCHED, Status.ESCALATED, Status.REOPENED}), Status.ACCEPTED),
    "start": (frozenset({Status.ACCEPTED}), Status.IN_PROGRESS),
    "return": (frozenset({Status.DISPATCHED, Status.ESCALATED, Status.ACCEPTED}), Status.RETURNED),
    "escalate": (AT_DEPARTMENT, Status.ESCALATED),
    "transfer": (AT_DEPARTMENT, Status.DISPATCHED),
    "resolve": (frozenset({Status.ACCEPTED, Status.IN_PROGRESS}), Status.RESOLVED),
    "reopen": (frozenset({Status.RESOLVED}), Status.REOPENED),
    "close": (frozenset({Status.RESOLVED}), Status.CLOSED),
    "cancel": (AT_DISPATCHER | {Status.DISPATCHED}, Status.CANCELLED),
    "note": (frozenset(Status) - FINAL, None),
    "add_info": (frozenset(Status) - FINAL, None),
    "rate": (frozenset({Status.RESOLVED}), None),
    "reclassify": (frozenset(Status) - {Status.CANCELLED}, None),
    "locate": (AT_DISPATCHER, None),
    "clear_emergency": (frozenset(Status) - FINAL, None),
    "extend": (frozenset({Status.ACCEPTED, Status.IN_PROGRESS, Status.REOPENED}), None),
    "remind": (AT_DEPARTMENT, None),
    "request_extension": (IN_HAND, None),
    "refuse_extension": (IN_HAND, None),
    "supervise": (AT_DEPARTMENT, None),
    "overdue": (AT_DEPARTMENT, None),
    # 并单: the newer case becomes a duplicate of the main case, which records the link; undoing
    # it sends the duplicate back to the dispatcher, as long as the main case is not closed (a main
    # case its resident withdrew frees its duplicates this way).
    "merge": (MERGEABLE, Status.MERGED),
    "link_duplicate": (MERGEABLE, None),
    "unmerge": (frozenset({Status.MERGED}), Status.PENDING_REVIEW),
    "unlink_duplicate": (frozenset(Status) - {Status.CLOSED, Status.MERGED}, None),
    # 个人信息: a finished case (a duplicate too, once merged) loses the resident's contact details,
    # when its retention period ends or on the resident's request (handlers/privacy.py).
    "erase_personal": (FINAL | {Status.MERGED}, None),
}

ACTION_LABELS: dict[str, str] = {
    "review": "转人工分拨",
    "dispatch": "派单",
    "accept": "签收",
    "start": "开始办理",
    "return": "退回",
    "escalate": "升级督办",
    "transfer": "转办",
    "resolve": "办结",
    "reopen": "重办",
    "close": "归档",
    "cancel": "撤销",
    "note": "添加办理记录",
    "add_info": "补充信息",
    "rate": "评价",
    "reclassify": "更正分类",
    "locate": "更正网格",
    "clear_emergency": "解除紧急标记",
    "extend": "延期",
    "remind": "到期提醒",
    "request_extension": "申请延期",
    "refuse_extension": "驳回延期",
    "supervise": "督办",
    "overdue": "超期督办",
    "merge": "并单",
    "link_duplicate": "并入重复诉求",
    "unmerge": "撤销并单",
    "unlink_duplicate": "撤销并入",
    "erase_personal": "删除个人信息",
}

# The event each action writes into the case file.
EVENT_KINDS: dict[str, str] = {
    "review": "sent_to_review",
    "dispatch": "dispatched",
    "accept": "accepted",
    "start": "started",
    "return": "returned",
    "escalate": "escalated",
    "transfer": "transferred",
    "resolve": "resolved",
    "reopen": "reopened",
    "close": "closed",
    "cancel": "cancelled",
    "note": "noted",
    "add_info": "info_added",
    "rate": "rated",
    "reclassify": "reclassified",
    "locate": "located",
    "clear_emergency": "emergency_cleared",
    "extend": "extended",
    "remind": "reminded",
    "request_extension": "extension_requested",
    "refuse_extension": "extension_refused",
    "supervise": "supervised",
    "overdue": "overdue",
    "merge": "merged",
    "link_duplicate": "duplicate_linked",
    "unmerge": "unmerged",
    "unlink_duplicate": "duplicate_unlinked",
    "erase_personal": "personal_erased",
}

EVENT_LABELS: dict[str, str] = {
    "filed": "受理",
    "imported": "历史导入",
    **{EVENT_KINDS[action]: label for action, label in ACTION_LABELS.items()},
}
