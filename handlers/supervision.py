"""Supervision (督办): deadline reminders, overdue escalation, return-visit timeouts, extensions.

What a case needs done later is a pure function of the case (`timed_jobs`), so the scheduler can
recompute it at any moment; each timed command names the deadline it was planned for, and does
nothing when it fires late, twice, or after the case has moved on.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers.case import Case, Event
from handlers.casework import commit, escalate_to, load, required
from handlers.commands import (
    CloseUnrated,
    Command,
    DecideExtension,
    MarkOverdue,
    RemindCase,
    RequestExtension,
    SuperviseCase,
)
from handlers.deadlines import Duration
from handlers.errors import DomainError, RoutingError
from handlers.policies import Policies
from handlers.ports import UnitOfWork
from handlers.routing import escalation_target
from handlers.status import AWAITING_SIGN, IN_HAND, Status

SYSTEM = "system"
KINDS = ("remind", "overdue", "return_visit")
_WINDOW_LABELS = {"sign_deadline": "签收", "resolve_deadline": "办理"}
_ENDS_EXTENSION_REQUEST = frozenset({"extended", "extension_refused", "accepted"})


@dataclass(frozen=True)
class SupervisionPolicy:
    remind_at: float = 0.75  # share of the time after which the department is reminded
    return_visit_days: float = 3  # 回访: days the resident has to rate before 未评价


@dataclass(frozen=True)
class Window:
    """The deadline the holding queue works against now, and the event that set it."""

    field: str
    opened_seq: int
    start: datetime
    deadline: datetime

    @property
    def label(self) -> str:
        return _WINDOW_LABELS[self.field]


@dataclass(frozen=True)
class TimedJob:
    """Something the scheduler must do for a case at `at`; `due` names the deadline it is for."""

    kind: str
    number: str
    at: datetime
    due: datetime

    @property
    def id(self) -> str:
        return f"{self.kind}:{self.number}"

    def command(self) -> Command:
        return timed_command(self.kind, self.number, self.due)


def timed_command(kind: str, number: str, due: datetime) -> Command:
    """The command a fired job sends; all a stored job has to remember is (kind, number, due)."""
    if kind == "remind":
        return RemindCase(SYSTEM, number, due)
    if kind == "overdue":
        return MarkOverdue(SYSTEM, number, due)
    if kind == "return_visit":
        return CloseUnrated(SYSTEM, number, due)
    raise ValueError(f"unknown timed job kind {kind!r}")


def current_window(case: Case) -> Window | None:
    """签收 deadline while the queue has not signed, 办理 deadline once it has; None otherwise."""
    if case.status in AWAITING_SIGN:
        name = "sign_deadline"
    elif case.status in IN_HAND:
        name = "resolve_deadline"
    else:
        return None
    deadline = getattr(case, name)
    if deadline is None:
        return None
    opened = next((e for e in reversed(case.events) if e.changes.get(name) is not None), None)
    if opened is None:
        return Window(name, 0, case.created_at or deadline, deadline)
    return Window(name, opened.seq, opened.at, deadline)


def pending(case: Case) -> dict[str, datetime]:
    """Which timed rules still apply to the case, each with the deadline (or reply time) it is for."""
    result: dict[str, datetime] = {}
    window = current_window(case)
    if window is not None:
        since = {e.kind for e in case.events if e.seq > window.opened_seq}
        if "overdue" not in since:
            result["overdue"] = window.deadline
            if "reminded" not in since:
                result["remind"] = window.deadline
    resolved = next((e for e in reversed(case.events) if e.kind == "resolved"), None)
    if case.status is Status.RESOLVED and resolved is not None:
        result["return_visit"] = resolved.at
    return result


def urgency(case: Case, now: datetime) -> str:
    """How a queue page marks the case: "overdue" (超期), "near" (reminded, or due within a day), or ""."""
    window = current_window(case)
    if window is None:
        return ""
    left = pending(case)
    if window.deadline < now or "overdue" not in left:
        return "overdue"
    if "remind" not in left or window.deadline - now < timedelta(days=1):
        return "near"
    return ""


def timed_jobs(case: Case, policy: SupervisionPolicy) -> list[TimedJob]:
    jobs = []
    window = current_window(case)
    for kind, due in pending(case).items():
        if kind == "remind" and window is not None:
            span = max(window.deadline - window.start, timedelta(0))
            at = window.start + span * policy.remind_at
        elif kind == "return_visit":
            at = due + timedelta(days=policy.return_visit_days)
        else:
            at = due
        jobs.append(TimedJob(kind, case.number, at, due))
    return sorted(jobs, key=lambda job: KINDS.index(job.kind))


def pending_extension(case: Case) -> Event | None:
    """The 延期 request still waiting for a supervisor, if any."""
    if case.status not in IN_HAND:
        return None
    for event in reversed(case.events):
        if event.kind in _ENDS_EXTENSION_REQUEST:
            return None
        if event.kind == "extension_requested":
            return event
    return None


async def remind(cmd: RemindCase, uow: UnitOfWork, policies: Policies) -> Case:
    """到期提醒 for the department; it stays in the file and marks the case on the queue pages."""
    async with uow:
        case, index = await load(uow, cmd.number)
        window = current_window(case)
        if window is None or pending(case).get("remind") != cmd.due:
            return case
        when, now = _local(window.deadline, policies), policies.clock.now()
        late = now >= window.deadline  # fired after the deadline (the scheduler was down): said as it is
        said = f"{window.label}时限已于 {when} 到期" if late else f"{window.label}时限将于 {when} 到期，请抓紧{window.label}"
        case.record("remind", now, cmd.actor, said)
        return await commit(case, uow, policies, index)


async def mark_overdue(cmd: MarkOverdue, uow: UnitOfWork, policies: Policies) -> Case:
    """超期: write the 督办 mark and hand the case one level up the ladder (if there is one)."""
    async with uow:
        case, index = await load(uow, cmd.number)
        window = current_window(case)
        now = policies.clock.now()
        if window is None or pending(case).get("overdue") != cmd.due or now < cmd.due:
            return case
        note = f"超过{window.label}时限（{_local(window.deadline, policies)}）未{window.label}，系统督办"
        try:
            target = escalation_target(case, policies.routing, index)
        except RoutingError as exc:
            target, note = None, f"{note}；{exc.message}"
        case.record("overdue", now, cmd.actor, note)
        if target is not None:
            escalate_to(case, target, policies, cmd.actor, f"超期未{window.label}，升级督办")
        return await commit(case, uow, policies, index)


async def close_unrated(cmd: CloseUnrated, uow: UnitOfWork, policies: Policies) -> Case:
    """回访 timed out: the case is archived as 未评价."""
    async with uow:
        case, index = await load(uow, cmd.number)
        if pending(case).get("return_visit") != cmd.resolved_at:
            return case
        now = policies.clock.now()
        case.record("close", now, cmd.actor, "回访期内群众未评价，按未评价归档", closed_at=now)
        return await commit(case, uow, policies, index)


async def request_extension(cmd: RequestExtension, uow: UnitOfWork, policies: Policies) -> Case:
    reason = required(cmd.reason, "申请延期必须说明理由。")
    if cmd.duration.amount < 1:
        raise DomainError("延期时长至少为 1 天。")
    async with uow:
        case, index = await load(uow, cmd.number)
        if pending_extension(case) is not None:
            raise DomainError(f"诉求 {case.number} 已有待审批的延期申请，请等待督办人员审批。")
        if case.status in IN_HAND:
            _check_extension_limit(case, cmd.duration, policies)
        case.record(
            "request_extension",
            policies.clock.now(),
            cmd.actor,
            f"申请延期 {cmd.duration.label}：{reason}",
            requested_extension=duration_spec(cmd.duration),
        )
        return await commit(case, uow, policies, index)


async def decide_extension(cmd: DecideExtension, uow: UnitOfWork, policies: Policies) -> Case:
    """Approval moves the 办理 deadline (and tells the resident); a refusal must say why."""
    async with uow:
        case, index = await load(uow, cmd.number)
        request = pending_extension(case)
        if request is None:
            raise DomainError(f"诉求 {case.number} 没有待审批的延期申请。")
        now = policies.clock.now()
        if not cmd.approve:
            reason = required(cmd.note, "驳回延期必须说明理由。")
            case.record("refuse_extension", now, cmd.actor, f"驳回延期申请：{reason}")
            return await commit(case, uow, policies, index)
        duration = cmd.duration or Duration.parse(request.changes["requested_extension"])
        deadline = _check_extension_limit(case, duration, policies)
        case.record("extend", now, cmd.actor, f"经审批延期 {duration.label}", resolve_deadline=deadline)
        return await commit(case, uow, policies, index)


async def supervise(cmd: SuperviseCase, uow: UnitOfWork, policies: Policies) -> Case:
    note = required(cmd.note, "督办意见不能为空。")
    async with uow:
        case, index = await load(uow, cmd.number)
        case.record("supervise", policies.clock.now(), cmd.actor, note)
        return await commit(case, uow, policies, index)


def duration_spec(duration: Duration) -> str:
    """The config spelling of a duration ("5 working days"), which `Duration.parse` reads back."""
    return f"{duration.amount} {'working days' if duration.working else 'days'}"


def _check_extension_limit(case: Case, duration: Duration, policies: Policies) -> datetime:
    """The deadline after the extension; refused past the category's longest extension (信访: 30 天)."""
    if case.resolve_deadline is None:
        raise DomainError(f"诉求 {case.number} 没有办理时限，无需延期。")
    deadline = policies.calendar.deadline(case.resolve_deadline, duration).at
    sla = policies.sla.get(case.category or "")
    if sla is not None and sla.max_extension is not None:
        accepted = next(e for e in reversed(case.events) if e.kind == "accepted")
        base = datetime.fromisoformat(accepted.changes["resolve_deadline"])
        limit = policies.calendar.deadline(base, sla.max_extension).at
        if deadline > limit:
            raise DomainError(
                f"延期后将超过最长延期 {sla.max_extension.label}（最迟 {_local(limit, policies)}），请缩短延期时长。"
            )
    return deadline


def _local(moment: datetime, policies: Policies) -> str:
    return moment.astimezone(policies.calendar.tz).strftime("%Y年%m月%d日 %H:%M")
