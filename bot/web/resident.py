"""The resident chat: a page in Chinese and one WebSocket per tab, resumed from a cookie.

The cookie holds an id the server issued and signed (`bot.web.admission`) around a random token;
the resident is known to the system only by a digest of the token (`web:<digest>`), so nobody
reading a case file can take over a resident's conversation. Whatever a frame holds, the resident
gets an answer in Chinese and the socket stays open.

A grid worker signed in to the staff console in the same browser is recognised by the staff
session cookie instead: their conversation is their own (`web:staff-<username>`, on any device)
and their turns carry them as the reporter, so the dialogue offers 巡查上报 (flows/patrol.py).
"""

import hashlib
import json
import math
import re
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request, WebSocket, WebSocketDisconnect
from starlette.requests import HTTPConnection
from fastapi.responses import HTMLResponse

from bot.channels import channel
from bot.converse import converse
from bot.limits import TOO_LONG
from bot.web import photos
from bot.web.admission import KNOWN_BEFORE_SIGNING, ResidentId, unsigned_token
from bot.web.accounts import StaffSession
from bot.web.auth import signed_in
from bot.web.deps import WebDeps
from flows.messages import Inbound, Location, Reply, Reporter

CHANNEL = channel("web").code
COOKIE = "ms_resident"
COOKIE_DAYS = 180
MAX_FRAME = 16_384  # a frame longer than this that does not parse is called too long, not unreadable
WS_MAX_BYTES = 1_048_576  # uvicorn's ws_max_size: room for a page's longest message, escaped, answered politely
MAX_INT_DIGITS = 20  # no field needs a longer integer; a longer one is a malformed frame, not an OverflowError
MESSAGE_ID = re.compile(r"[\x21-\x7e]{8,64}")  # printable ASCII: ids are stored as the claim's key
NO_COOKIE = "请允许本网站使用 Cookie，然后刷新页面再试。"
STALE = "页面已过期，请刷新页面后继续。"
ADDRESS_BUSY = "您所在网络的新访客过多，请 {minutes} 分钟后刷新页面再试，也可以拨打 12345 热线反映。"
NEWCOMERS_BUSY = "当前新访客较多，这条消息没有发出，请稍等一两分钟再发送。也可以拨打 12345 热线反映。"
NEWCOMERS_QUEUED = "当前新访客较多，正在排队，稍后会自动连接。也可以拨打 12345 热线反映。"
UNREADABLE = "没有看懂这条消息，请重新输入。"
BINARY = "只能发送文字消息，请直接输入文字。"
SIGNED_OUT = "您的工作账号已退出登录或已被停用，这条巡查上报没有发出。请重新登录工作台后再报。"
RELOAD, TRY_LATER, QUEUED = 4401, 4429, 4503  # close codes chat.js acts on: reload once / stop / reconnect soon


def user_ref_for(cookie: str) -> str:
    """The resident's reference from their cookie, signed or a bare token from before ids were
    signed: a digest of the token alone, so signing an old token keeps its history and cases."""
    token = cookie.split(".", 1)[0]
    return channel(CHANNEL).user_ref(hashlib.sha256(token.encode()).hexdigest()[:32])


def router() -> APIRouter:
    routes = APIRouter()
    routes.add_api_route("/", chat_page, methods=["GET"], response_class=HTMLResponse)
    routes.add_api_websocket_route("/ws", chat_socket)
    routes.add_api_route(photos.UPLOAD, photos.upload, methods=["POST"])  # a grid worker's photo, then sent by address
    return routes


def staff_ref(username: str) -> str:
    """A grid worker's conversation: theirs on every device they sign in from, apart from any resident's."""
    return channel(CHANNEL).user_ref(f"staff-{username}")


async def grid_worker(connection: HTTPConnection) -> StaffSession | None:
    """The session of a grid worker signed in to the staff console in this browser; None for
    everyone else, a member of any other role included: they chat as residents."""
    session = await signed_in(connection)
    return session if session is not None and session.staff.patrols else None


def reporter_of(worker: StaffSession) -> Reporter:
    """Who a grid worker's report is from and where they patrol, as the dialogue takes it."""
    return Reporter(worker.staff.actor, worker.staff.grids)


async def chat_page(request: Request) -> HTMLResponse:
    deps: WebDeps = request.app.state.deps
    worker = await grid_worker(request)  # their page reports on patrol and may upload photos (bot/web/photos.py)
    response = deps.pages.render(request, "chat.html", district=deps.app.settings.district_name,
                                 max_chars=deps.gate.limits.max_message_chars, patrol=worker is not None,
                                 photo_token=worker.csrf_token if worker else "")
    cookie = request.cookies.get(COOKIE)
    if deps.admission.ids.read(cookie) is None:
        issued = await _migrated(deps, cookie) or _new_id(deps, _address(request.client))
        if issued:
            response.set_cookie(COOKIE, issued, max_age=COOKIE_DAYS * 86400, httponly=True, samesite="lax",
                                secure=deps.web.cookie_secure(request.url.scheme))
    return response


async def _migrated(deps: WebDeps, cookie: str | None) -> str | None:
    """A token from before ids were signed, signed now if it has a conversation: the resident keeps
    it (and so their history and cases); an invented token has none and gains nothing."""
    token = unsigned_token(cookie)
    if token is None or not await deps.history.history(CHANNEL, user_ref_for(token), 1):
        return None
    return deps.admission.ids.issue(token, KNOWN_BEFORE_SIGNING)


def _new_id(deps: WebDeps, address: str) -> str | None:
    return deps.admission.ids.issue() if deps.admission.may_issue(address) else None


def _address(client: Any) -> str:
    return client.host if client else "?"


def _same_origin(socket: WebSocket) -> bool:
    """Browsers send Origin on WebSocket handshakes; a foreign page must not ride the resident's cookie."""
    origin = socket.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == socket.headers.get("host", "")


async def chat_socket(socket: WebSocket) -> None:
    deps: WebDeps = socket.app.state.deps
    if not _same_origin(socket):
        await socket.close(code=1008)
        return
    await socket.accept()
    worker = await grid_worker(socket)
    if worker is not None:  # staff are not admitted as newcomers: their session already vouches for them
        await _serve(socket, deps, staff_ref(worker.staff.username), None, reporter_of(worker))
        return
    cookie = socket.cookies.get(COOKIE)
    resident = deps.admission.ids.read(cookie)
    if resident is None:
        await _turn_away(socket, deps, cookie)
        return
    if not deps.admission.admit(resident):  # a new resident's chat costs a database read before any turn
        if await _send(socket, {"type": "error", "text": NEWCOMERS_QUEUED}):
            await socket.close(code=QUEUED)
        return
    await _serve(socket, deps, user_ref_for(resident.token), resident, None)


async def _serve(socket: WebSocket, deps: WebDeps, ref: str, resident: ResidentId | None,
                 reporter: Reporter | None) -> None:
    """The history first, then one turn per frame until the tab goes; pushes reach it meanwhile."""
    deps.hub.join(ref, socket)
    try:
        items = await deps.history.history(CHANNEL, ref, deps.web.history_limit)
        open_ = await _send(socket, {"type": "history", "items": [history_item(i) for i in items]})
        open_ = open_ and await _opened(socket, deps)
        while open_ and (frame := await _receive(socket)) is not None:
            open_ = await _turn(socket, deps, ref, frame, resident, reporter)
    finally:
        deps.hub.leave(ref, socket)


async def _opened(socket: WebSocket, deps: WebDeps) -> bool:
    """Pushes held while the history was read and sent go out now (bot.web.hub)."""
    try:
        await deps.hub.opened(socket)
    except (WebSocketDisconnect, RuntimeError):
        return False
    return True


async def _turn_away(socket: WebSocket, deps: WebDeps, cookie: str | None) -> None:
    """No id the server signed: the page reloads once to be given one (or to have an old one signed),
    unless this address may not be given a new id yet; then it is told when to come back."""
    wait = deps.admission.issue_wait(_address(socket.client))
    if wait > 0 and await _migrated(deps, cookie) is None:
        text, code = ADDRESS_BUSY.format(minutes=math.ceil(wait / 60)), TRY_LATER
    else:
        text, code = (STALE if cookie else NO_COOKIE), RELOAD
    if await _send(socket, {"type": "error", "text": text}):
        await socket.close(code=code)


async def _receive(socket: WebSocket) -> str | bytes | None:
    """The next frame's text or bytes; None once the resident has gone."""
    message = await socket.receive()
    if message["type"] == "websocket.disconnect":
        return None
    text = message.get("text")
    return text if text is not None else message.get("bytes") or b""


async def _send(socket: WebSocket, payload: dict[str, Any]) -> bool:
    """Send if the resident is still there. A tab closed mid-turn is normal (the turn is stored and
    shows in the history on their next visit): uvicorn then raises RuntimeError, Starlette
    WebSocketDisconnect; neither is an error."""
    try:
        await socket.send_json(payload)
    except (WebSocketDisconnect, RuntimeError):
        return False
    return True


async def _turn(socket: WebSocket, deps: WebDeps, ref: str, frame: str | bytes, resident: ResidentId | None,
                reporter: Reporter | None) -> bool:
    """Answer one frame; False once the socket is gone."""
    if isinstance(frame, bytes):
        return await _send(socket, {"type": "notice", "text": BINARY})
    message = _parse(frame)
    if message is None:
        too_long = len(frame) > MAX_FRAME
        limit = deps.gate.limits.max_message_chars
        return await _send(socket, {"type": "notice", "text": TOO_LONG.format(limit=limit) if too_long else UNREADABLE})
    message_id, content, shown = message
    if reporter is not None:  # the session as it is now: signed out, disabled, or given other grids meanwhile
        worker = await grid_worker(socket)
        if worker is None:
            if await _send(socket, {"type": "error", "id": message_id, "text": SIGNED_OUT}):
                await socket.close(code=TRY_LATER)
            return False
        reporter = reporter_of(worker)
    if "attachment" in content and reporter is None:  # only a grid worker's page uploads photos
        return await _send(socket, {"type": "notice", "text": BINARY})
    if resident is not None and not deps.admission.admit(resident):
        return await _send(socket, {"type": "refused", "id": message_id, "text": NEWCOMERS_BUSY})
    inbound = Inbound(CHANNEL, ref, claim_id(ref, message_id), reporter=reporter, **content)
    turn = await converse(deps.dialogue, inbound, deps.gate, shown)
    if turn.outcome == "refused":
        return await _send(socket, {"type": "refused", "id": message_id,
                                    "text": turn.replies[0].text if turn.replies else ""})
    if turn.outcome == "failed":
        return await _send(socket, {"type": "error", "id": message_id, "text": turn.replies[0].text})
    for reply in turn.replies:
        if not await _send(socket, reply_payload(reply)):
            return False
    return await _send(socket, {"type": "ack", "id": message_id})


def claim_id(ref: str, message_id: str) -> str:
    """The page picks its own message ids, and the claim that makes a resend count once is keyed by
    the id: two residents' pages that picked the same one (a copied page, a bug, a guess) would
    share a claim, and one would be given the other's replies. Scoped to the resident, they cannot."""
    return f"{hashlib.sha256(ref.encode()).hexdigest()[:16]}/{message_id}"


def _parse(raw: str) -> tuple[str, dict[str, Any], str] | None:
    """(message id, Inbound fields, text to size-check) from the page's JSON, or None if malformed:
    not JSON, nested past Python's recursion limit, an over-long integer, or fields of the wrong kind."""
    try:
        data = json.loads(raw, parse_int=_bounded_int)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    message_id = data.get("id")
    if not isinstance(message_id, str) or not MESSAGE_ID.fullmatch(message_id):
        return None
    kind = data.get("type")
    if kind == "text" and isinstance(data.get("text"), str) and data["text"].strip():
        return message_id, {"text": data["text"].strip()}, data["text"]
    if kind == "choice" and isinstance(data.get("value"), str) and data["value"]:
        return message_id, {"choice": data["value"][:256]}, data["value"]
    if kind == "photo" and isinstance(data.get("photo"), str) and photos.ADDRESS.fullmatch(data["photo"]):
        return message_id, {"attachment": data["photo"]}, ""
    if kind == "location":
        lat, lon = data.get("latitude"), data.get("longitude")
        if _coordinate(lat, 90) and _coordinate(lon, 180):
            return message_id, {"location": Location(float(lat), float(lon))}, ""
    return None


def _bounded_int(digits: str) -> int:
    if len(digits) > MAX_INT_DIGITS:
        raise ValueError("integer too long")
    return int(digits)


def _coordinate(value: Any, bound: float) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and abs(value) <= bound


def reply_payload(reply: Reply) -> dict[str, Any]:
    return {
        "type": "reply",
        "text": reply.text,
        "choices": [{"label": c.label, "value": c.value} for c in reply.choices],
        "request_location": reply.request_location,
    }


def history_item(record: Any) -> dict[str, Any]:
    """A stored history line as the page draws it: who said it, the words, any buttons."""
    choices = []
    for choice in getattr(record, "choices", None) or ():
        if isinstance(choice, dict):
            choices.append({"label": str(choice.get("label", "")), "value": str(choice.get("value", ""))})
        else:
            label = getattr(choice, "label", choice)
            choices.append({"label": str(label), "value": str(getattr(choice, "value", label))})
    return {
        "role": "resident" if getattr(record, "direction", "out") == "in" else "bot",
        "text": record.text,
        "choices": choices,
        "key": getattr(record, "key", None),
    }
