"""What the resident hears once a command has run: the case number, the department and the time
limit after filing; a short confirmation after the other errands; the refusal if there was one."""

from dataclasses import replace

from flows import cases, contact, patrol, privacy
from flows.context import Context, Outcome, say
from flows.router import next_question
from flows.state import ConversationState
from flows.texts import local_date, next_matter_text
from handlers.case import PATROL, Case
from handlers.commands import AddInfo, CancelCase, Command, FileCase, RateCase, RequestErasure
from handlers.errors import DomainError
from handlers.status import Status


def after(
    before: ConversationState, state: ConversationState, command: Command, result: Case | DomainError, ctx: Context
) -> Outcome:
    """`before` is the state the turn started in: a refused filing goes back to the summary."""
    if isinstance(result, DomainError):
        if isinstance(command, FileCase) and command.source == PATROL:
            return patrol.ask_summary(replace(before, step=patrol.SUMMARY), ctx, f"提交没有成功：{result.message}\n")
        if isinstance(command, FileCase):
            return contact.ask_summary(replace(before, step=contact.SUMMARY), ctx, f"提交没有成功：{result.message}\n")
        return say(state, result.message)
    if isinstance(command, FileCase) and command.source == PATROL:
        return say(ConversationState(), reported_text(result, ctx))
    if isinstance(command, FileCase):
        following = state.next_matter()
        if following is None:
            return say(ConversationState(), filed_text(result, ctx))
        return next_question(following, ctx).prefixed(filed_text(result, ctx), next_matter_text(state.queued[0].text))
    if isinstance(command, AddInfo) and command.chase:
        return say(state, "\n".join(["已把您的催促记入诉求，转告承办部门。", *cases.status_lines(result, ctx)]))
    if isinstance(command, AddInfo):
        return say(state, f"已把您补充的情况记入诉求 {result.number}，办理部门会看到。")
    if isinstance(command, CancelCase):
        return say(state, f"诉求 {result.number} 已撤销。如有需要，欢迎随时再次反映。")
    if isinstance(command, RateCase):
        return say(state, rated_text(result, ctx))
    if isinstance(command, RequestErasure):
        return say(state, privacy.requested_text(command, ctx))
    raise TypeError(f"no reply for {type(command).__name__}")


def filed_text(case: Case, ctx: Context) -> str:
    return (
        f"已为您登记，诉求编号 {case.number}。\n{routed_text(case, ctx)}\n"
        "之后每一步进展都会在这里通知您，也可以随时发送“查询”了解进度。"
    )


def reported_text(case: Case, ctx: Context) -> str:
    """A grid worker's report: closed at once when settled on the spot, otherwise routed like any case."""
    if case.status is Status.CLOSED:
        return f"巡查上报已登记，编号 {case.number}，按现场化解办结归档（小事不出网格）。可以继续上报下一件。"
    return f"巡查上报已登记，编号 {case.number}。\n{routed_text(case, ctx)}\n办理进展会在这里通知您。"


def routed_text(case: Case, ctx: Context) -> str:
    """Where a new case went: the department and its time to sign, or the dispatcher and why."""
    limit = ctx.time_limits.get(case.category or "", "")
    limit_text = f"，办理时限为 {limit}" if limit else ""
    dept = ctx.district.departments.get(case.department or "")
    if case.status is Status.DISPATCHED and dept is not None:
        sign = local_date(case.sign_deadline, ctx.config.timezone)
        sign_text = f"，将于{sign}前签收" if sign else ""
        return f"已派至{dept.name}{sign_text}{limit_text}。"
    why = "具体网格需要工作人员确认" if case.grid_code is None else "需要工作人员确认承办部门"
    return f"{why}，已转区综治中心统一分拨，确定后会通知您{limit_text}。"


def rated_text(case: Case, ctx: Context) -> str:
    if case.status is Status.REOPENED:
        dept = ctx.district.departments.get(case.department or "")
        who = dept.name if dept else "承办部门"
        return f"很抱歉没能让您满意。诉求 {case.number} 已重新交由{who}办理，我们会继续跟进。"
    return f"感谢您的评价！诉求 {case.number} 已办结归档。"
