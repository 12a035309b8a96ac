"""删除我的信息 and the retention job as commands: a resident's request, an administrator's decision
(with the push that tells the resident, on the channel they asked on), and the erasure of one case
whose retention period has ended. What erasure removes is handlers/privacy.py's."""

from dataclasses import replace
from datetime import datetime

from handlers.case import Case
from handlers.casework import required
from handlers.commands import DecideErasure, ErasePersonal, RequestErasure
from handlers.errors import DomainError
from handlers.policies import Policies
from handlers.ports import ErasureRequest, Notification, UnitOfWork
from handlers.privacy import ERASABLE, erase, holds_personal
from handlers.status import FINAL

PENDING, EXECUTED, REJECTED = "pending", "executed", "rejected"
REQUEST_LABELS = {PENDING: "待处理", EXECUTED: "已删除", REJECTED: "不予删除"}
AREA = "privacy"  # the audit log's area for residents' personal information
DECISIONS = {EXECUTED: "erasure_executed", REJECTED: "erasure_rejected"}  # audit actions
ON_REQUEST = "应群众申请删除个人信息（联系电话、姓名、账号）"
ON_RETENTION = "保存期限届满，删除个人信息（联系电话、姓名、账号）"
EXECUTED_TEXT = ("您申请删除个人信息的事已办好：诉求 {cases} 中的联系电话、姓名和您的账号信息已删除；"
                 "诉求内容去掉联系方式后保留，仅用于统计。")
REJECTED_TEXT = "您申请删除个人信息的事未能办理，原因：{reason}。如有疑问，可以拨打 12345 热线咨询。"


async def request_erasure(cmd: RequestErasure, uow: UnitOfWork, policies: Policies) -> Case:
    """Files the request for the resident's finished cases that still hold contact details; answers
    the newest case named (a message run again after a crash files nothing more)."""
    async with uow:
        newest = await uow.cases.get(cmd.number)
        if cmd.request is not None and await uow.erasures.by_request(cmd.request) is not None:
            return newest
        pending = await uow.erasures.pending_for(cmd.channel, cmd.user_ref)
        if pending is not None:
            day = pending.requested_at.astimezone(policies.calendar.tz)
            raise DomainError(f"您在 {day.month}月{day.day}日 提交的删除申请正在处理中，处理结果会在这里通知您。")
        cases = [await uow.cases.get(number) for number in cmd.numbers]
        own = tuple(c.number for c in cases if _asked_by(c, cmd.channel, cmd.user_ref) and c.status in FINAL)
        if not own:
            raise DomainError("您没有已办结归档、仍留有联系方式的诉求，暂时没有需要删除的信息。")
        await uow.erasures.add(ErasureRequest(None, cmd.channel, cmd.user_ref, own, PENDING, policies.clock.now(),
                                              cmd.request))
        await uow.commit()
        return newest


async def decide_erasure(cmd: DecideErasure, uow: UnitOfWork, policies: Policies) -> ErasureRequest:
    """Execute or refuse a pending request; the resident's push and the audit entry are written in the
    same transaction as the decision. A refusal must say why: the resident reads it."""
    async with uow:
        request = await uow.erasures.get(cmd.request_id)
        if request.status != PENDING:
            raise DomainError(f"第 {request.id} 号删除申请已处理过（{REQUEST_LABELS[request.status]}），不能重复处理。")
        now = policies.clock.now()
        if cmd.approve:
            decided = await _execute(request, uow, cmd.actor, now)
            text = EXECUTED_TEXT.format(cases="、".join(request.cases))
        else:
            reason = required(cmd.reason, "请填写不予删除的原因：群众会收到这条说明。")
            decided = replace(request, status=REJECTED, reason=reason, decided_at=now, decided_by=cmd.actor)
            text = REJECTED_TEXT.format(reason=reason.rstrip("。."))
        await uow.outbox.add(Notification(f"erasure/{request.id}", request.cases[0], request.channel,
                                          request.user_ref, text), now)
        await uow.erasures.save(decided)
        uow.audit.add(now, account(cmd.actor), AREA, DECISIONS[decided.status], f"第 {request.id} 号删除申请",
                      decided.reason, {"cases": list(request.cases), "erased": list(decided.erased)})
        await uow.commit()
        return decided


async def erase_personal(cmd: ErasePersonal, uow: UnitOfWork, policies: Policies) -> Case:
    """One case past its retention period; a case erased already is left as it is."""
    async with uow:
        case = await uow.cases.get(cmd.number)
        if not holds_personal(case):
            return case
        if case.status not in ERASABLE:
            raise DomainError(f"诉求 {case.number} 当前状态为「{case.status.label}」，办结归档前不能删除个人信息。")
        await _erase(case, uow, cmd.actor, policies.clock.now(), cmd.note or ON_RETENTION)
        await uow.commit()
        case.new_events.clear()
        return case


def account(actor: str) -> str:
    """The audit log names staff by their account, as the administrators' pages write it."""
    return actor.removeprefix("staff:")


async def _execute(request: ErasureRequest, uow: UnitOfWork, actor: str, now: datetime) -> ErasureRequest:
    """Erase each of the request's cases still holding the requester's details (retention may have
    erased one since); the request then keeps which cases it erased, not who asked."""
    erased = []
    for number in request.cases:
        case = await uow.cases.get(number)
        if _asked_by(case, request.channel, request.user_ref) and case.status in ERASABLE:
            await _erase(case, uow, actor, now, ON_REQUEST)
            erased.append(number)
    return replace(request, status=EXECUTED, erased=tuple(erased), decided_at=now, decided_by=actor, user_ref="")


async def _erase(case: Case, uow: UnitOfWork, actor: str, now: datetime, note: str) -> None:
    await uow.cases.rewrite(case.number, erase(case, now, actor, note))
    await uow.outbox.forget_recipients(case.number)


def _asked_by(case: Case, channel: str, user_ref: str) -> bool:
    return (case.channel, case.user_ref) == (channel, user_ref) and holds_personal(case)
