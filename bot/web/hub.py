"""Open resident WebSockets by resident, so a status push reaches every tab they have open.

Per process: with several web workers a push reaches the tabs open on this worker, and the
others see it in their history on the next reconnect or reload.
"""

from collections import defaultdict
from typing import Any

from starlette.websockets import WebSocket


class LiveHub:
    def __init__(self) -> None:
        self._sockets: dict[str, set[WebSocket]] = defaultdict(set)

    def join(self, user_ref: str, socket: WebSocket) -> None:
        self._sockets[user_ref].add(socket)

    def leave(self, user_ref: str, socket: WebSocket) -> None:
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
            try:
                await socket.send_json(payload)
                reached += 1
            except Exception:  # noqa: BLE001 - a closed tab must not fail the push for the others
                self.leave(user_ref, socket)
        return reached
