"""查询: one box on every staff page that finds a case by its number, the resident's phone (whole or
the last 4 digits) or words of the complaint. A clerk finds only the cases their department may open."""

import re
from dataclasses import dataclass, field

from fastapi import Request
from fastapi.responses import HTMLResponse

from bot.bootstrap import App
from bot.web.accounts import StaffSession
from bot.web.staff.access import GRID_ROLES, AnyStaff, on_patrol, search_scope
from bot.web.staff.pages import render
from bot.web.staff.queues import departments_by_code
from bot.web.templating import CASE_NUMBER
from handlers.case import Case
from handlers.phones import SEPARATORS
from storage.case_search import search_cases

LIMIT = 50
MAX_QUERY = 100
INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")  # a number copied from a Telegram chat carries joiners


@dataclass(frozen=True)
class CaseQuery:
    """What a typed query asks for; at most one of number and phone_tail, else words."""

    number: str | None = None
    phone_tail: str | None = None
    words: tuple[str, ...] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        return self.number is None and self.phone_tail is None and not self.words


def parse_query(text: str) -> CaseQuery:
    """A case number as staff see it (any case), a run of 4+ digits as a phone or its end (+86 and
    separators dropped), anything else as words that must all appear in the complaint or address."""
    text = INVISIBLE.sub("", text).strip()[:MAX_QUERY]
    if CASE_NUMBER.fullmatch(text.upper()):
        return CaseQuery(number=text.upper())
    digits = SEPARATORS.sub("", text).removeprefix("+86")
    if digits.isdigit() and len(digits) >= 4:
        return CaseQuery(phone_tail=digits)
    return CaseQuery(words=tuple(text.split()))


async def page(request: Request, session: AnyStaff, q: str = "") -> HTMLResponse:
    app: App = request.app.state.deps.app
    query, scope = parse_query(q), search_scope(session)
    found = [] if query.empty else [c for c in await _search(app, query, scope) if _on_their_beat(session, c)]
    return render(request, "search.html", session, searched_for=q.strip(), searched=not query.empty,
                  rows=found[:LIMIT], more=len(found) > LIMIT, departments=await departments_by_code(app),
                  scoped=scope is not None)


async def _search(app: App, query: CaseQuery, department: str | None) -> list[Case]:
    async with app.sessions() as db:
        return await search_cases(db, number=query.number, phone_tail=query.phone_tail, words=query.words,
                                  department=department, limit=LIMIT + 1)


def _on_their_beat(session: StaffSession, case: Case) -> bool:
    """A grid worker finds only their grids' cases; a clerk's search is already limited by its query
    to what their department holds or once held (search_scope), which snapshots cannot tell again."""
    return on_patrol(session, case) if session.staff.role in GRID_ROLES else True
