"""Open resident WebSockets by resident, so a status push reaches every tab they have open.

Per process: with several web workers a push reaches the tabs open on this worker, and the
others see it in their history on the next reconnect or reload.
"""

from collections import defaultdict
from typing import Any

from starlette.websockets import WebSocket


class LiveHub:
    """A tab joins before its history is read, so no push recorded meanwhile is missed; pushes to a
    tab are held until `opened` (its history sent), since the page redraws everything on the history
    and would wipe a push drawn before it. A push the history already holds comes again after it;
    the page ignores a key it has drawn."""

    def __init__(self) -> None:
        self._sockets: dict[str, set[WebSocket]] = defaultdict(set)
        self._held: dict[WebSocket, list[dict[str, Any]]] = {}

    def join(self, user_ref: str, socket: WebSocket) -> None:
        self._sockets[user_ref].add(socket)
        self._held[socket] = []

    async def opened(self, socket: WebSocket) -> None:
        """The tab has its history: send what was held for it, in order."""
        for payload in self._held.pop(socket, []):
            await socket.send_json(payload)

    def leave(self, user_ref: str, socket: WebSocket) -> None:
        self._held.pop(socket, None)
        sockets = self._sockets.get(user_ref)
        if sockets is not None:
            sockets.discard(socket)
            if not sockets:
                del self._sockets[user_ref]

    def online(self, user_ref: str) -> int:
        return len(self._sockets.get(user_ref, ()))

    async def close_all(self, code: int = 1012) -> None:
        """On shutdown: tell every tab to reconnect (1012 = service restarting), to this or another worker."""
        for user_ref, sockets in list(self._sockets.items()):
            for socket in list(sockets):
                try:
                    await socket.close(code=code)
                except Exception:  # noqa: BLE001 - already gone
                    pass
                self.leave(user_ref, socket)

    async def push(self, user_ref: str, payload: dict[str, Any]) -> int:
        """Send to every open tab of this resident; a tab that went away is forgotten."""
        reached = 0
        for socket in list(self._sockets.get(user_ref, ())):
            held = self._held.get(socket)
            if held is not None:
                held.append(payload)
                reached += 1
                continue
            try:
                await socket.send_json(payload)
                reached += 1
            except Exception:  # noqa: BLE001 - a closed tab must not fail the push for the others
                self.leave(user_ref, socket)
        return reached
