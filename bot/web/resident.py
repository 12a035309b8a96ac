"""The resident chat: a page in Chinese and one WebSocket per tab, resumed from a cookie.

The cookie holds a random token; the resident is known to the system only by a digest of it
(`web:<digest>`), so nobody reading a case file can take over a resident's conversation.
"""

import hashlib
import json
import math
import secrets
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse

from bot.channels import channel
from bot.converse import converse
from bot.limits import TOO_LONG
from bot.web.deps import WebDeps
from flows.messages import Inbound, Location, Reply

CHANNEL = channel("web").code
COOKIE = "ms_resident"
COOKIE_DAYS = 180
MAX_FRAME = 16_384
NO_COOKIE = "请允许本网站使用 Cookie，然后刷新页面再试。"


def user_ref_for(token: str) -> str:
    return channel(CHANNEL).user_ref(hashlib.sha256(token.encode()).hexdigest()[:32])


def router() -> APIRouter:
    routes = APIRouter()
    routes.add_api_route("/", chat_page, methods=["GET"], response_class=HTMLResponse)
    routes.add_api_websocket_route("/ws", chat_socket)
    return routes


async def chat_page(request: Request) -> HTMLResponse:
    deps: WebDeps = request.app.state.deps
    response = deps.pages.render(request, "chat.html", district=deps.app.settings.district_name,
                                 max_chars=deps.gate.limits.max_message_chars)
    token = request.cookies.get(COOKIE)
    if not token or len(token) > 64:
        response.set_cookie(
            COOKIE, secrets.token_urlsafe(24), max_age=COOKIE_DAYS * 86400, httponly=True,
            samesite="lax", secure=deps.web.cookie_secure(request.url.scheme),
        )
    return response


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
    token = socket.cookies.get(COOKIE)
    if not token or len(token) > 64:
        await socket.send_json({"type": "error", "text": NO_COOKIE})
        await socket.close(code=4401)
        return
    ref = user_ref_for(token)
    deps.hub.join(ref, socket)
    try:
        items = await deps.history.history(CHANNEL, ref, deps.web.history_limit)
        await socket.send_json({"type": "history", "items": [history_item(i) for i in items]})
        while True:
            await _turn(socket, deps, ref, await socket.receive_text())
    except WebSocketDisconnect:
        pass
    finally:
        deps.hub.leave(ref, socket)


async def _turn(socket: WebSocket, deps: WebDeps, ref: str, raw: str) -> None:
    if len(raw) > MAX_FRAME:
        await socket.send_json({"type": "notice", "text": TOO_LONG.format(limit=deps.gate.limits.max_message_chars)})
        return
    message = _parse(raw)
    if message is None:
        await socket.send_json({"type": "notice", "text": "没有看懂这条消息，请重新输入。"})
        return
    message_id, content, shown = message
    turn = await converse(deps.dialogue, Inbound(CHANNEL, ref, message_id, **content), deps.gate, shown)
    if turn.outcome == "refused":
        await socket.send_json({"type": "refused", "id": message_id, "text": turn.replies[0].text if turn.replies else ""})
        return
    if turn.outcome == "failed":
        await socket.send_json({"type": "error", "id": message_id, "text": turn.replies[0].text})
        return
    for reply in turn.replies:
        await socket.send_json(reply_payload(reply))
    await socket.send_json({"type": "ack", "id": message_id})


def _parse(raw: str) -> tuple[str, dict[str, Any], str] | None:
    """(message id, Inbound fields, text to size-check) from the page's JSON, or None if malformed."""
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    message_id = data.get("id")
    if not isinstance(message_id, str) or not 8 <= len(message_id) <= 64:
        return None
    kind = data.get("type")
    if kind == "text" and isinstance(data.get("text"), str) and data["text"].strip():
        return message_id, {"text": data["text"].strip()}, data["text"]
    if kind == "choice" and isinstance(data.get("value"), str) and data["value"]:
        return message_id, {"choice": data["value"][:256]}, data["value"]
    if kind == "location":
        lat, lon = data.get("latitude"), data.get("longitude")
        if _coordinate(lat, 90) and _coordinate(lon, 180):
            return message_id, {"location": Location(float(lat), float(lon))}, ""
    return None


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
