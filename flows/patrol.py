"""Patrol reports (巡查上报): a grid worker the channel knows as staff says what they found (words,
photos), and the report is placed in their own grid unless they name or share another place. The
NLU's category and topic are said, not asked (a button corrects them), and one question remains:
settled on the spot (已现场化解: filed and closed at once, 小事不出网格) or a department must act
(需要上报: filed into the routing like any case). The place and category steps are the resident
intake's own; a worker is never asked for a phone or anonymity."""

from dataclasses import replace

from flows import cases, contact, intake, location
from flows.choices import normalise, picked
from flows.context import ADVANCE, Context, Outcome, advance, ask, miss, repeat, say
from flows.messages import Inbound, Reporter
from flows.state import ConversationState, Draft
from flows.texts import category_label
from flows.understanding import Understanding
from handlers.case import PATROL
from handlers.commands import FileCase
from handlers.status import Status

DESCRIBE, SUMMARY, SUBMITTED = "patrol_describe", "patrol_summary", "patrol_submitted"
STEPS = (DESCRIBE, SUMMARY, SUBMITTED)
SETTLED, REPORT, CANCEL = "settled", "report", "cancel"
HELLO = ("您好！您已作为网格员登录，这里用于巡查上报：直接发文字或图片说明巡查发现的情况就可以。\n"
         "地点默认是您负责的网格，不在本网格的话发送定位，或说“地点是……”。")
TODO = "本网格未办结的诉求请点页面上方的“本网格待办”查看，打开一件诉求就可以添加现场记录和照片。"
PHOTO_KEPT = "图片收到了，会和这条巡查上报一起提交。"
CANCELLED = "好的，这条巡查上报已取消，没有提交。"
_MIN_START = 4  # meaningful characters: 「好的」 or 「在吗」 start no report


def on_turn(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> Outcome:
    """The grid worker's turn: the question on screen reads it, as in a resident's intake."""
    if state.step == SUBMITTED:
        return ask_summary(replace(state, step=SUMMARY), ctx, "刚才的提交没有完成，请再选一次。\n")
    if inbound.attachment:
        return _photo(state, inbound, ctx)
    if state.draft is None:
        return _idle(state, inbound, u, ctx)
    if state.step in intake.STEPS:
        return intake.on_turn(state, inbound, u, ctx)
    if state.step in location.STEPS or inbound.location is not None:
        return location.on_turn(state, inbound, u, ctx)  # a map point shared at the summary moves the report
    if state.step == DESCRIBE:
        return _described(state, inbound, u, ctx)
    return _on_summary(state, inbound, u, ctx)


def next_question(state: ConversationState, ctx: Context) -> Outcome:
    """What the report still lacks: words, then a place (only when the words named one elsewhere
    than the worker's grid, or that grid is gone from the registry), then the summary."""
    draft = state.draft
    assert draft is not None, "nothing to ask without a draft"
    if not draft.parts:
        return ask(state, DESCRIBE, "请说说巡查发现了什么情况：")
    if not draft.location_done:
        asked = location.ask_location(state, ctx)
        return asked.then(next_question(asked.state, ctx)) if asked.state.step == ADVANCE else asked
    return ask_summary(state, ctx)


def summary_text(draft: Draft, ctx: Context) -> str:
    topic = f"（{draft.topic}）" if draft.topic else ""
    category = category_label(draft.category) if draft.category else "未分类（上报后由分拨中心确定）"
    photos = f"\n图片：{len(draft.attachments)} 张" if draft.attachments else ""
    return (f"巡查上报：\n情况：{draft.text}\n类别：{category}{topic}\n"
            f"地点：{location.where_label(draft, ctx)}{photos}")


def ask_summary(state: ConversationState, ctx: Context, prefix: str = "") -> Outcome:
    """The report to check, with the two ways to file it; the map button moves it."""
    assert state.draft is not None
    text = (f"{prefix}{summary_text(state.draft, ctx)}\n"
            "现场已经处理好的，点“已现场化解”直接办结；需要部门处理的，点“需要上报”。\n"
            "地点不对可以发送定位，或回复“地点是……”。")
    offered = (("已现场化解", SETTLED), ("需要上报", REPORT), ("改类别", "fix_category"),
               ("改主管部门", "fix_topic"), ("取消", CANCEL))
    return ask(state, SUMMARY, text, offered, request_location=True)


def file_command(draft: Draft, inbound: Inbound, ctx: Context, *, settled: bool) -> FileCase:
    """The resident intake's filing, as the grid worker's patrol report. No phone: a number in the
    words belongs to someone on site, and the worker's pushes must not go to it as SMS."""
    assert inbound.reporter is not None
    filed = contact.file_command(draft, inbound.channel, inbound.user_ref, ctx)
    return replace(filed, actor=inbound.reporter.actor, phone=None, anonymous=False, source=PATROL,
                   resolved_on_spot=settled)


def _idle(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> Outcome:
    """No report in progress: the worker's own reports come first (a report sent on is pushed to them
    like a resident's case, the rating question after 办结 included), then a new report."""
    text = inbound.text or inbound.choice or ""
    plain = normalise(text)
    if state.step in cases.STEPS:
        return cases.on_turn(state, inbound, u, ctx)
    rating = cases.parse_rating(text)
    if rating is not None and any(c.status is Status.RESOLVED for c in ctx.cases):
        return cases.start_rating(state, u, ctx, rating, cases.after_score(text))
    if u.is_intent("ask_status", ctx.config.intent_confidence):
        return cases.show_status(state, u, ctx)
    if inbound.location is not None:
        return say(state, "收到定位。请先说说巡查发现了什么情况，地点会按这个定位重新确认。")
    if "待办" in plain:
        return say(state, TODO)
    if not _says_enough(text) or u.is_intent("greet", ctx.config.intent_confidence):
        return say(state, HELLO)
    return _described(replace(state, draft=Draft(origin=inbound.key)), inbound, u, ctx)


def _described(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> Outcome:
    """The worker's words: kept with the NLU's reading, and placed in their grid unless they name a place."""
    assert state.draft is not None and inbound.reporter is not None
    if not _says_enough(inbound.text):
        return miss(state, "请用文字简单说说巡查发现的情况。")
    draft = intake.absorb(state.draft, inbound.text, u)
    if not draft.candidates and not draft.location_done:
        draft = _in_own_grid(draft, inbound.reporter, ctx)
    return advance(replace(state, draft=draft))


def _says_enough(text: str) -> bool:
    return sum(ch.isalnum() for ch in normalise(text)) >= _MIN_START


def _in_own_grid(draft: Draft, reporter: Reporter, ctx: Context) -> Draft:
    grid = next((g for g in map(ctx.district.grid, reporter.grids) if g is not None), None)
    if grid is None:
        return draft  # none of the worker's grids is in the registry: the place is asked
    return replace(draft, grid_code=grid.code, street_code=grid.street_code, community_code=grid.community_code,
                   location_by="patrol", location_done=True)


def _photo(state: ConversationState, inbound: Inbound, ctx: Context) -> Outcome:
    """A photo joins the report being written (the summary, on screen, counts it again); sent first,
    it starts one and asks for the words."""
    assert inbound.attachment is not None
    if state.draft is None:
        started = replace(ConversationState(), draft=Draft(origin=inbound.key, attachments=(inbound.attachment,)))
        return ask(started, DESCRIBE, f"{PHOTO_KEPT}请再用文字说说巡查发现了什么情况：")
    state = replace(state, draft=replace(state.draft, attachments=(*state.draft.attachments, inbound.attachment)))
    return ask_summary(state, ctx, f"{PHOTO_KEPT}\n") if state.step == SUMMARY else repeat(state, PHOTO_KEPT)


def _on_summary(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> Outcome:
    assert state.draft is not None
    choice = picked(inbound, state.offered)
    if choice in (SETTLED, REPORT):
        command = file_command(state.draft, inbound, ctx, settled=choice == SETTLED)
        return Outcome(replace(state, step=SUBMITTED, offered=(), question=""), (), (command,))
    if choice == CANCEL:
        return say(ConversationState(), CANCELLED)
    if choice == "fix_category":
        return intake.ask_party(state, "好的。")
    if choice == "fix_topic":
        return intake.ask_topic(state, ctx)
    moved = location.moved_to(state, inbound, u, ctx)
    if moved is not None:
        return location.relocate(state, moved, u, ctx)
    if _says_enough(inbound.text):
        more = replace(u, category=None, topic=None, places=())  # more words keep the report's reading and place
        return ask_summary(replace(state, draft=intake.absorb(state.draft, inbound.text, more)), ctx, "好的，已补充。\n")
    return miss(state, "现场已经处理好的请回复“已现场化解”，需要部门处理的请回复“需要上报”。")
