"""New connections wait their turn behind residents who are already talking.

asyncio runs whatever is ready in arrival order. When hundreds of new connections arrive at once
(a flood of invented resident ids, a crowd reloading the page), parsing their requests and
answering their handshakes filled whole passes of the event loop: in `bench/web.py`'s flood, one
pass took 0.1–0.3 s, and a known resident's next message, already on an open WebSocket, waited
behind all of them. So the first bytes of each new connection go through one lane, which starts
one connection at a time and then leaves the loop to everything else for PACE times as long as that
start took: new connections still start by the hundreds a second, but never in one block. Data on
a connection already started (a resident's open chat, a page's keep-alive requests) never waits in
the lane; when idle, the lane costs a connection one pass of the loop.
When more new connections wait than the lane holds, the newest is closed at once, which costs
nothing; a browser reconnects.

The lane wraps uvicorn's HTTP protocol through asyncio's Protocol interface only (data_received,
connection_lost), so it holds for whichever parser uvicorn picks.
"""

import asyncio
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from uvicorn.protocols.http.auto import AutoHTTPProtocol

WAITING_CONNECTIONS = 2000  # beyond this many new connections waiting to start, newer ones are closed
# After a start, the loop is left to others for this many times as long. A start (parsing the request,
# the WebSocket handshake) is a third or less of what a new connection costs the loop; the rest (the
# app's answer, the close) follows outside the lane. At 10, a flood's new connections take about a
# quarter of the loop: bench/web.py's known residents' p95 under 300 invented ids went from 4.8-10x
# their quiet figure to 1.5x (1.9-2.5x at 4).
PACE = 10.0


class Lane:
    """Starts waiting connections one at a time, oldest first, each after the loop has run what was
    ready and after a pause of `pace` times the previous start's length. The length is the loop
    thread's CPU time: by the wall clock, a start that waited for the GIL while a database thread
    ran looked ten times as long, and under load new connections trickled in at a few a second."""

    def __init__(self, capacity: int = WAITING_CONNECTIONS, pace: float = PACE,
                 clock: Callable[[], float] = time.thread_time) -> None:
        self.capacity, self.pace, self.clock = capacity, pace, clock
        self._waiting: deque[Callable[[], None]] = deque()
        self._draining = False

    def __len__(self) -> int:
        return len(self._waiting)

    def enter(self, start: Callable[[], None]) -> bool:
        """Queue `start`; False, with nothing queued, if the lane is full."""
        if len(self._waiting) >= self.capacity:
            return False
        self._waiting.append(start)
        if not self._draining:
            self._draining = True
            asyncio.get_running_loop().call_soon(self._next)
        return True

    def _next(self) -> None:
        """Start the oldest waiting connection, then rest; the lane stays busy through the rest, so a
        connection arriving during it waits too, even if none was waiting when the start began."""
        if not self._waiting:
            self._draining = False
            return
        start = self._waiting.popleft()
        began = self.clock()
        try:
            start()
        finally:
            asyncio.get_running_loop().call_later((self.clock() - began) * self.pace, self._next)


def laned_http(base: type[asyncio.Protocol] = AutoHTTPProtocol, lane: Lane | None = None) -> type[asyncio.Protocol]:
    """uvicorn's `http` protocol class behind a lane of its own (one per server, unless given)."""
    shared = lane if lane is not None else Lane()

    class LanedProtocol(base):  # type: ignore[misc, valid-type]
        _lane_held: list[bytes] | None = None  # what arrived before this connection was started
        _lane_started = False
        _lane_lost = False

        def data_received(self, data: bytes) -> None:
            if self._lane_started:
                super().data_received(data)
            elif self._lane_held is not None:
                self._lane_held.append(data)
            elif shared.enter(self._lane_start):
                self._lane_held = [data]
                self.transport.pause_reading()
            else:
                self.transport.close()

        def _lane_start(self) -> None:
            if self._lane_lost:
                return
            held, self._lane_held, self._lane_started = self._lane_held or [], None, True
            self.transport.resume_reading()
            for chunk in held:
                super().data_received(chunk)

        def connection_lost(self, exc: Any) -> None:
            self._lane_lost = True
            super().connection_lost(exc)

    return LanedProtocol
