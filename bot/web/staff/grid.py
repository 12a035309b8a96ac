"""本网格待办: a grid worker's open cases in the grids they patrol, most pressing first. Each links to
its file, where the worker adds what they found on site (an internal 现场记录); reporting a new
problem is the web chat's (巡查上报), linked from the same menu."""

from fastapi import Request
from fastapi.responses import HTMLResponse

from bot.bootstrap import App
from bot.web.staff.access import GRID_ROLES, AnyStaff, require
from bot.web.staff.pages import render
from bot.web.staff.queues import by_deadline, grid_labels
from handlers.status import FINAL, Status
from storage.supervision_queries import case_files

OPEN = sorted(frozenset(Status) - FINAL)


async def page(request: Request, session: AnyStaff) -> HTMLResponse:
    require(session, GRID_ROLES, "查看本网格待办")
    app: App = request.app.state.deps.app
    async with app.sessions() as db:
        cases = await case_files(db, statuses=OPEN, grids=session.staff.grids)
    return render(request, "grid.html", session, rows=by_deadline(cases, app), grids=await grid_labels(app),
                  mine=session.staff.grids)
