"""A resident's own cases: status, adding information, rating a resolved case, cancelling one
that no department has accepted yet. Each can interrupt an intake and hand back to it."""

import re
import unicodedata
from dataclasses import replace

from flows.choices import normalise, picked, shares_a_word
from flows.context import Context, Outcome, ask, miss, say
from flows.messages import Inbound
from flows.state import ConversationState
from flows.texts import category_label, gist, local_date
from flows.understanding import Understanding
from handlers.case import Case
from handlers.commands import AddInfo, CancelCase, RateCase
from handlers.notices import RATING_CHOICES
from handlers.status import FINAL, TRANSITIONS, Status
from nlu.answers import read_praise, says_still_there

PICK_CASE, ADD_INFO, RATE, RATE_COMMENT, CANCEL_CONFIRM = (
    "pick_case",
    "add_info",
    "rate",
    "rate_comment",
    "cancel_confirm",
)
STEPS = (PICK_CASE, ADD_INFO, RATE, RATE_COMMENT, CANCEL_CONFIRM)
CANCELLABLE = TRANSITIONS["cancel"][0]
# A score alone or leading a comment: "5", "5 非常满意", "4分，挺快的", "三分"; not "5楼漏水".
RATING_PREFIX = re.compile(
    r"^(?:打|给|评)?\s*(?:([1-5])\s*(?:分|星|颗星)?|([一二三四五])\s*(?:分|星|颗星))\s*"
    r"(?:非常满意|基本满意|非常不满意|不满意|满意)?(?=$|[，,。.!！\s])"
)
_CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5}
_NOTHING = ("没有", "没了", "无", "不用", "没有了", "算了", "不说了")
# At 「确定要撤销…吗？」 the wish said again (「我想撤销」, 「撤销吧」) is a yes; said with a 不 it is a no,
# and 「算了」, 「不用了」 (never mind) withdraw nothing.
_WITHDRAW = re.compile(r"撤销|撤回|撤了|撤掉|撤吧|取消")
_KEEP = re.compile(r"(?:不|别|先不|不要|不用|不想|没说要?|没要|不是要)(?:撤|取消)|取消撤|撤回撤")
_ASKED = re.compile(r"[?？]|吗|能不能|还能|会不会|可不可以")
WITHDRAWN_IS_FINAL = "撤销后这件诉求就不再办理，也不能恢复；以后有需要，可以重新反映。"
_PUT_OFF = re.compile(r"不评|不想评|不打分|以后再评|(?:等等|回头|以后)再说|先不评")  # at the rating question
# What 「算了」 at a case's question leaves undone, said back.
LEFT = {ADD_INFO: "好的，不补充了。", RATE: "好的，先不评价了，想评价时随时发送“评价”。", RATE_COMMENT: "好的。",
        PICK_CASE: "好的。"}


def parse_rating(text: str) -> int | None:
    """"5", "5分", "给4星", "5 非常满意", "三分" → the score; anything else → None."""
    match = RATING_PREFIX.match(unicodedata.normalize("NFKC", text.strip()))
    if match is None:
        return None
    return int(match.group(1)) if match.group(1) else _CHINESE_DIGITS[match.group(2)]


def after_score(text: str) -> str:
    """The comment that follows a score in the same message ("4分，处理挺快")."""
    said = text.strip()
    match = RATING_PREFIX.match(unicodedata.normalize("NFKC", said))  # NFKC keeps the length of these
    return said[match.end():].lstrip("，,。.!！ ") if match else said


def reads_as_rating(text: str, u: Understanding) -> bool:
    """At the rating question: a score, or words about how the case was handled or what it left."""
    return (parse_rating(text) is not None or u.rating is not None or read_praise(text) is not None
            or says_still_there(text))


def show_status(state: ConversationState, u: Understanding, ctx: Context) -> Outcome:
    """One case in detail when the resident names it or has only one; otherwise a short list."""
    if u.case_number:
        case = _own(ctx, u.case_number)
        if case is None:
            return say(state, _not_found(u.case_number))
        return _detail(state, case, ctx)
    recent = ctx.cases[: ctx.config.status_cases]
    if not recent:
        return say(state, "您还没有在这里反映过问题。有需要的话，直接告诉我遇到了什么事就可以。")
    if len(recent) == 1:
        return _detail(state, recent[0], ctx)
    lines = "\n".join(f"{i}. {c.number}（{c.status.label}）{gist(c.text, 16)}" for i, c in enumerate(recent, 1))
    offered = tuple((c.number, f"status:{c.number}") for c in recent)
    return ask(state.pause(), PICK_CASE, f"您最近的诉求：\n{lines}\n回复序号可以查看详情。", offered)


def start_add_info(state: ConversationState, u: Understanding, ctx: Context, content: str) -> Outcome:
    open_cases = [c for c in ctx.cases if c.status not in FINAL]
    target = _target(state, u, ctx, open_cases)
    if isinstance(target, Outcome):
        return target
    if target is None:
        return _choose(replace(state, carried=content), "add", open_cases, "您有好几件诉求正在办理，要补充到哪一件？",
                       "您目前没有正在办理的诉求可以补充。")
    if target.status in FINAL:
        return say(state, f"诉求 {target.number} 已经{target.status.label}，不能再补充了。如有新问题，直接告诉我就可以。")
    if len(re.findall(r"[\u4e00-\u9fa5A-Za-z0-9]", content)) >= 4:
        return _run(state, AddInfo(_actor(target), target.number, content.strip()))
    return ask(state.pause(), ADD_INFO, f"请直接发送要补充到诉求 {target.number} 的内容：", case_number=target.number)


def start_rating(state: ConversationState, u: Understanding, ctx: Context, rating: int | None, comment: str) -> Outcome:
    resolved = [c for c in ctx.cases if c.status is Status.RESOLVED]
    target = _target(state, u, ctx, resolved)
    if isinstance(target, Outcome):
        return target
    if target is None:
        return _choose(state, "rate", resolved, "您有几件诉求已办结，要评价哪一件？", "您目前没有待评价的诉求（诉求办结后才能评价）。")
    if target.status is not Status.RESOLVED:
        return say(state, f"诉求 {target.number} 当前状态为“{target.status.label}”，办结后才能评价。")
    state = replace(state.pause(), case_number=target.number)
    if rating is None:
        offered = tuple((label, label[0]) for label in RATING_CHOICES)
        return ask(state, RATE, f"请为诉求 {target.number} 的办理结果打分（5 分为非常满意）：", offered)
    if len(re.findall(r"[\u4e00-\u9fa5A-Za-z]", comment)) >= 2:
        return _run(state, RateCase(_actor(target), target.number, rating, comment.strip()))
    return _ask_comment(replace(state, rating=rating))


def start_cancel(state: ConversationState, u: Understanding, ctx: Context, about: str = "") -> Outcome:
    """Withdraw a case: the one named by number, by words of its own (`about`), or the only one open."""
    open_cases = [c for c in ctx.cases if c.status not in FINAL]
    described = [c for c in open_cases if about and shares_a_word(about, c.text)]
    target = described[0] if len(described) == 1 and not u.case_number else _target(state, u, ctx, open_cases)
    if isinstance(target, Outcome):
        return target
    if target is None:
        return _choose(state, "cancel", open_cases, "要撤销哪一件诉求？", "您目前没有可以撤销的诉求。")
    return _cancel_or_explain(state, target, ctx)


def on_turn(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> Outcome:
    if state.step == PICK_CASE:
        return _on_pick(state, inbound, ctx)
    number = state.case_number or ""
    case = _own(ctx, number)
    if case is None:
        return say(state.unpaused(), _not_found(number))
    if state.step == ADD_INFO:
        if not inbound.text.strip():
            return miss(state, "请用文字写下要补充的内容。")
        return _run(state, AddInfo(_actor(case), number, inbound.text.strip()))
    if state.step == RATE:
        text = inbound.choice or inbound.text
        scored = parse_rating(text)
        if scored is not None and after_score(text):
            return _run(state, RateCase(_actor(case), number, scored, after_score(text)))
        if (rating := scored or u.rating) is not None:
            return _ask_comment(replace(state, rating=rating))
        if (praised := read_praise(text)) is not None:  # 「挺好的 修得很快 谢谢」: the words are the comment
            return _run(state, RateCase(_actor(case), number, praised, text.strip()))
        if says_still_there(text):  # 「灯还是不亮啊」: not fixed, so not satisfied; the case is done again
            return _run(state, RateCase(_actor(case), number, 1, text.strip()))
        if _PUT_OFF.search(normalise(text)):  # 「我还是不评了吧」
            return say(state.unpaused(), LEFT[RATE])
        return miss(state, "请回复 1 到 5 的数字，5 分为非常满意。要反映新的问题，请先回复“反映新问题”。")
    if state.step == RATE_COMMENT:
        plain = normalise(inbound.choice or inbound.text)
        skip = picked(inbound, state.offered) == "none" or plain in _NOTHING or u.is_intent("deny", 0.6)
        comment = "" if skip else inbound.text.strip()
        return _run(state, RateCase(_actor(case), number, state.rating or 3, comment))
    choice, sure, plain = picked(inbound, state.offered), ctx.config.intent_confidence, normalise(inbound.text)
    if choice is None and _ASKED.search(inbound.text):  # 「撤销了还能恢复吗？」 asks; only an answer withdraws
        return miss(state, f"{WITHDRAWN_IS_FINAL}确定撤销请回复“确定撤销”，不撤销请回复“不撤销”。")
    wish = u.is_intent("cancel", sure) and _WITHDRAW.search(plain)
    keep = choice == "no" or (choice is None and (_KEEP.search(plain) or u.is_intent("deny", sure)
                                                  or (u.is_intent("cancel", sure) and not wish)))
    if choice == "yes" or (not keep and (u.is_intent("affirm", sure) or wish)):
        return _run(state, CancelCase(_actor(case), number, "群众主动撤销"))
    if keep:
        return say(state.unpaused(), f"好的，诉求 {number} 继续办理。")
    return miss(state, "确定撤销请回复“确定撤销”，不撤销请回复“不撤销”。")


def _on_pick(state: ConversationState, inbound: Inbound, ctx: Context) -> Outcome:
    choice = picked(inbound, state.offered)
    if choice is None:
        return miss(state, "请回复序号选择一件诉求。")
    action, _, number = choice.partition(":")
    case = _own(ctx, number)
    if case is None:
        return say(state.unpaused(), _not_found(number))
    carried, state = state.carried, state.unpaused()
    if action == "status":
        return _detail(state, case, ctx)
    named = Understanding(case_number=number)
    if action == "add":  # what 「补充一下，…」 said before the case was chosen
        return start_add_info(state, named, ctx, carried)
    if action == "rate":
        return start_rating(state, named, ctx, None, "")
    return _cancel_or_explain(state, case, ctx)


def status_lines(case: Case, ctx: Context) -> list[str]:
    """Where a case stands, as the resident is told it: state, who has it, by when, the reply."""
    tz = ctx.config.timezone
    dept = ctx.district.departments.get(case.department or "")
    lines = [
        f"诉求 {case.number}（{category_label(case.category)}）",
        f"内容：{gist(case.text, 30)}",
        f"当前状态：{case.status.label}",
    ]
    if dept and case.status not in (Status.RECEIVED, Status.PENDING_REVIEW):
        lines.append(f"承办部门：{dept.name}")
    elif case.status in (Status.RECEIVED, Status.PENDING_REVIEW):
        lines.append("正在由区综治中心确定承办部门")
    if case.resolve_deadline and case.status not in FINAL | {Status.RESOLVED}:
        lines.append(f"办理期限：{local_date(case.resolve_deadline, tz)}前")
    elif case.sign_deadline and case.status is Status.DISPATCHED:
        lines.append(f"签收期限：{local_date(case.sign_deadline, tz)}前")
    if case.reply:
        lines.append(f"办理结果：{case.reply}")
    return lines


def chase(state: ConversationState, case: Case, text: str) -> Outcome:
    """「能不能催一下」 about the one case still being worked on: the words go into its file as a 催办,
    where its department sees them, and the resident is told where it stands."""
    return _run(state, AddInfo(_actor(case), case.number, text.strip(), chase=True))


def _detail(state: ConversationState, case: Case, ctx: Context) -> Outcome:
    lines = status_lines(case, ctx)
    offered: list[tuple[str, str]] = []
    if case.status not in FINAL:
        offered.append(("补充情况", f"add:{case.number}"))
    if case.status in CANCELLABLE:
        offered.append(("撤销", f"cancel:{case.number}"))
    if case.status is Status.RESOLVED and case.rating is None:
        offered.append(("评价", f"rate:{case.number}"))
    if not offered or state.draft is not None:
        return say(state, "\n".join(lines))  # in the middle of an intake: no errands, back to it
    return ask(state.pause(), PICK_CASE, "\n".join(lines), tuple(offered))


def _cancel_or_explain(state: ConversationState, case: Case, ctx: Context) -> Outcome:
    if case.status in CANCELLABLE:
        text = f"确定要撤销诉求 {case.number}（{gist(case.text, 20)}）吗？撤销后将不再办理。"
        offered = (("确定撤销", "yes"), ("不撤销", "no"))
        return ask(state.pause(), CANCEL_CONFIRM, text, offered, case_number=case.number)
    if case.status is Status.RESOLVED:
        return say(state, f"诉求 {case.number} 已经办结，不需要撤销。欢迎您对办理结果评价（回复 1–5 分）。")
    if case.status in FINAL:
        return say(state, f"诉求 {case.number} 已经{case.status.label}，无需撤销。")
    dept = ctx.district.departments.get(case.department or "")
    who = dept.name if dept else "承办部门"
    return say(
        state,
        f"诉求 {case.number} 已由{who}签收办理（当前状态：{case.status.label}），签收后就不能撤销了。"
        "如果问题已经解决，可以发送“补充”说明情况，办理部门会据此办结。",
    )


def _ask_comment(state: ConversationState) -> Outcome:
    text = f"收到您的 {state.rating} 分评价。还有什么想对办理部门说的吗？直接回复就可以，没有的话点“没有了”。"
    return ask(state, RATE_COMMENT, text, (("没有了", "none"),))


def _target(
    state: ConversationState, u: Understanding, ctx: Context, eligible: list[Case]
) -> Case | Outcome | None:
    """The case a request is about: the one named, else the only eligible one, else None
    (an Outcome when the named case is not the resident's)."""
    if u.case_number:
        case = _own(ctx, u.case_number)
        return case if case is not None else say(state, _not_found(u.case_number))
    return eligible[0] if len(eligible) == 1 else None


def _choose(state: ConversationState, action: str, cases: list[Case], question: str, none: str) -> Outcome:
    if not cases:
        return say(state, none)
    offered = tuple((f"{c.number} {gist(c.text, 12)}", f"{action}:{c.number}") for c in cases[:6])
    return ask(state.pause(), PICK_CASE, question, offered)


def _run(state: ConversationState, command: AddInfo | RateCase | CancelCase) -> Outcome:
    """Hand the command to the runner; its result (see flows.results) finishes the reply."""
    return Outcome(replace(state.unpaused(), rating=None), (), (command,))


def _own(ctx: Context, number: str) -> Case | None:
    wanted = number.strip().upper()
    return next((c for c in ctx.cases if c.number == wanted), None)


def _not_found(number: str) -> str:
    return f"没有找到您提交的编号为 {number} 的诉求，请核对编号（只能查询您本人在这里提交的诉求）。"


def _actor(case: Case) -> str:
    return "resident:anonymous" if case.anonymous else f"resident:{case.channel}:{case.user_ref}"
