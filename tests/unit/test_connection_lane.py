"""The lane new connections start through (bot.web.connection_lane): one at a time, oldest first,
after what was ready, paced; a full lane closes the newest; started connections never wait."""

import asyncio
import time

from bot.web.connection_lane import Lane, laned_http


async def drained(lane: Lane) -> None:
    for _ in range(1000):
        if not len(lane):
            break
        await asyncio.sleep(0.001)
    await asyncio.sleep(0.001)  # the last start runs after it left the queue


async def test_work_made_ready_by_one_start_runs_before_the_next_start() -> None:
    lane, log = Lane(pace=0), []
    loop = asyncio.get_running_loop()

    def start(name: str) -> None:
        log.append(name)
        loop.call_soon(log.append, f"ready after {name}")  # e.g. a known resident's frame, read meanwhile

    for name in ("first", "second", "third"):
        assert lane.enter(lambda name=name: start(name))
    await drained(lane)
    assert log == ["first", "ready after first", "second", "ready after second", "third", "ready after third"]


def spend_cpu(started: list[float], seconds: float) -> None:
    """A start that takes `seconds` of the loop's CPU; records when it began."""
    started.append(time.perf_counter())
    busy_until = time.thread_time() + seconds
    while time.thread_time() < busy_until:
        pass


async def test_the_loop_is_left_to_others_for_pace_times_each_start() -> None:
    lane, started = Lane(pace=4), []
    lane.enter(lambda: spend_cpu(started, 0.01))
    lane.enter(lambda: spend_cpu(started, 0.01))
    await drained(lane)
    assert started[1] - started[0] >= 0.01 * 5  # its own 10 ms, then four times as long for everyone else


async def test_a_connection_arriving_while_the_lane_rests_waits_for_the_rest_too() -> None:
    lane, started = Lane(pace=4), []
    lane.enter(lambda: spend_cpu(started, 0.01))
    await asyncio.sleep(0.001)  # the first has started and the lane is empty, but resting
    assert len(started) == 1 and len(lane) == 0
    lane.enter(lambda: spend_cpu(started, 0.0))
    await drained(lane)
    assert started[1] - started[0] >= 0.01 * 5


async def test_a_full_lane_turns_the_newest_away_and_starts_the_rest() -> None:
    lane, log = Lane(capacity=2, pace=0), []
    assert lane.enter(lambda: log.append(1)) and lane.enter(lambda: log.append(2))
    assert not lane.enter(lambda: log.append(3))
    await drained(lane)
    assert log == [1, 2]
    assert lane.enter(lambda: log.append(4))  # room again once the waiting ones have started
    await drained(lane)
    assert log == [1, 2, 4]


async def test_a_failing_start_does_not_stop_the_lane() -> None:
    lane, log = Lane(pace=0), []
    loop = asyncio.get_running_loop()
    errors = []
    loop.set_exception_handler(lambda _, context: errors.append(context.get("exception")))

    def broken() -> None:
        raise ValueError("a parser error")

    lane.enter(broken)
    lane.enter(lambda: log.append("next"))
    await drained(lane)
    assert log == ["next"]
    assert [type(e) for e in errors] == [ValueError]


class Transport(asyncio.Transport):
    """Records what the protocol asks of its connection."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def pause_reading(self) -> None:
        self.calls.append("pause")

    def resume_reading(self) -> None:
        self.calls.append("resume")

    def close(self) -> None:
        self.calls.append("close")


class Recording(asyncio.Protocol):
    """Stands for uvicorn's HTTP protocol: what reached it, in order."""

    def __init__(self) -> None:
        self.received: list[bytes] = []
        self.lost = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.received.append(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True


def connect(lane: Lane) -> tuple[Recording, Transport]:
    protocol, transport = laned_http(Recording, lane)(), Transport()
    protocol.connection_made(transport)
    return protocol, transport


async def test_a_new_connection_is_held_paused_until_started_then_read_in_order() -> None:
    lane = Lane(pace=0)
    protocol, transport = connect(lane)
    protocol.data_received(b"GET / HTTP/1.1\r\n")
    protocol.data_received(b"Host: x\r\n\r\n")
    assert protocol.received == [] and transport.calls == ["pause"]
    await drained(lane)
    assert protocol.received == [b"GET / HTTP/1.1\r\n", b"Host: x\r\n\r\n"]
    assert transport.calls == ["pause", "resume"]
    protocol.data_received(b"next request")  # a started connection goes straight through
    assert protocol.received[-1] == b"next request" and len(lane) == 0


async def test_a_connection_gone_before_its_start_is_never_started() -> None:
    lane = Lane(pace=0)
    protocol, transport = connect(lane)
    protocol.data_received(b"GET / HTTP/1.1\r\n\r\n")
    protocol.connection_lost(None)
    await drained(lane)
    assert protocol.received == [] and protocol.lost
    assert transport.calls == ["pause"]


async def test_a_connection_beyond_a_full_lane_is_closed_at_once() -> None:
    lane = Lane(capacity=1, pace=0)
    waiting, _ = connect(lane)
    waiting.data_received(b"GET / HTTP/1.1\r\n\r\n")
    turned_away, transport = connect(lane)
    turned_away.data_received(b"GET / HTTP/1.1\r\n\r\n")
    assert transport.calls == ["close"] and turned_away.received == []
    await drained(lane)
    assert waiting.received == [b"GET / HTTP/1.1\r\n\r\n"]

