"""Status pushes: retried with backoff, in order, never lost, never doubled — also across a crash."""

import asyncio
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path


from bot.bootstrap import App
from handlers.outbox import OutboxDeliverer, RetryPolicy
from handlers.ports import Notification, RecipientUnreachable
from storage.conversation_store import SqlConversationStore
from tests.support import FakeClock, RecordingNotifier, enqueue, outbox_rows as rows

ROOT = Path(__file__).resolve().parents[2]


def note(key: str, recipient: str = "tg:1", text: str = "您的诉求已派单") -> Notification:
    return Notification(key, key.split("/")[0], "telegram", recipient, text)


def deliverer(app: App, notifier: object, clock: FakeClock, **retry: float) -> OutboxDeliverer:
    policy = RetryPolicy(**{"backoff_seconds": 5, "lease_seconds": 60, **retry})  # type: ignore[arg-type]
    return OutboxDeliverer(app.uow, {"telegram": notifier}, clock, policy)  # type: ignore[dict-item]


async def test_three_failures_then_success_delivers_exactly_once(app: App, clock: FakeClock) -> None:
    notifier = RecordingNotifier(failures=3)
    await enqueue(app, note("MS-1/1"))
    worker = deliverer(app, notifier, clock)
    for _ in range(10):
        await worker.deliver_due()
        clock.advance(minutes=5)
    assert notifier.attempts == 4 and [n.key for n in notifier.sent] == ["MS-1/1"]
    [row] = await rows(app)
    assert (row.status, row.attempts) == ("sent", 4)


async def test_backoff_grows_and_nothing_is_sent_early(app: App, clock: FakeClock) -> None:
    notifier = RecordingNotifier(failures=2)
    await enqueue(app, note("MS-1/1"))
    worker = deliverer(app, notifier, clock)
    await worker.deliver_due()  # fails, next try in 5 s
    clock.advance(seconds=4)
    assert (await worker.deliver_due()).sent == 0 and notifier.attempts == 1
    clock.advance(seconds=2)
    await worker.deliver_due()  # fails again, next in 10 s
    clock.advance(seconds=9)
    await worker.deliver_due()
    assert notifier.attempts == 2
    clock.advance(seconds=2)
    assert (await worker.deliver_due()).sent == 1


async def test_a_failed_push_holds_back_later_ones_to_the_same_resident(app: App, clock: FakeClock) -> None:
    notifier = RecordingNotifier(failures=1)
    await enqueue(app, note("MS-1/1", text="一"), note("MS-1/2", text="二"), note("MS-2/1", recipient="tg:2"))
    worker = deliverer(app, notifier, clock)
    report = await worker.deliver_due()
    assert (report.sent, report.retried) == (1, 1)
    assert [n.recipient for n in notifier.sent] == ["tg:2"]
    for _ in range(3):
        clock.advance(minutes=1)
        await worker.deliver_due()
    assert [n.text for n in notifier.sent if n.recipient == "tg:1"] == ["一", "二"]


async def test_unreachable_resident_is_marked_not_retried(app: App, clock: FakeClock) -> None:
    class Blocked:
        calls = 0

        async def send(self, notification: Notification) -> None:
            Blocked.calls += 1
            raise RecipientUnreachable("Forbidden: bot was blocked by the user")

    await enqueue(app, note("MS-1/1"))
    worker = deliverer(app, Blocked(), clock)
    for _ in range(3):
        await worker.deliver_due()
        clock.advance(hours=1)
    [row] = await rows(app)
    assert (row.status, Blocked.calls) == ("unreachable", 1)


async def test_gives_up_after_max_attempts_and_keeps_the_row(app: App, clock: FakeClock) -> None:
    notifier = RecordingNotifier(failures=100)
    await enqueue(app, note("MS-1/1"))
    worker = deliverer(app, notifier, clock, max_attempts=3)
    for _ in range(6):
        await worker.deliver_due()
        clock.advance(hours=1)
    [row] = await rows(app)
    assert (row.status, row.attempts, notifier.attempts) == ("failed", 3, 3)
    assert "渠道暂时不可用" in (row.last_error or "")


async def test_a_notification_key_is_queued_once(app: App) -> None:
    await enqueue(app, note("MS-1/1"), note("MS-1/1"))
    assert len(await rows(app)) == 1


async def test_rows_for_a_channel_this_worker_lacks_wait_for_one_that_has_it(app: App, clock: FakeClock) -> None:
    await enqueue(app, note("MS-1/1"))
    web_only = OutboxDeliverer(app.uow, {"web": RecordingNotifier()}, clock, RetryPolicy())
    assert (await web_only.deliver_due()).sent == 0
    [row] = await rows(app)
    assert (row.status, row.attempts) == ("pending", 0)
    telegram = RecordingNotifier()
    assert (await deliverer(app, telegram, clock).deliver_due()).sent == 1
    assert [n.key for n in telegram.sent] == ["MS-1/1"]


HANGING_WORKER = """
import asyncio, sys, time
from pathlib import Path
from bot.bootstrap import build_app
from bot.settings import load_settings

class Hang:
    async def send(self, notification):
        Path(sys.argv[1]).write_text(notification.key)
        await asyncio.sleep(600)

async def main():
    app = build_app(load_settings(), notifiers={"telegram": Hang()})
    await app.deliverer().deliver_due()

asyncio.run(main())
"""


async def test_a_process_killed_mid_delivery_delivers_after_restart(
    app: App, db_url: str, tmp_path: Path
) -> None:
    await enqueue(app, note("MS-1/1"))
    marker = tmp_path / "sending"
    env = {**os.environ, "MINSHENG_DATABASE_URL": db_url}
    worker = subprocess.Popen([sys.executable, "-c", HANGING_WORKER, str(marker)], cwd=ROOT, env=env)
    try:
        for _ in range(300):
            if marker.exists():
                break
            await asyncio.sleep(0.1)
        assert marker.read_text() == "MS-1/1", "the worker never started sending"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    notifier = RecordingNotifier()
    clock = FakeClock(datetime.now(UTC))
    restarted = deliverer(app, notifier, clock)
    assert (await restarted.deliver_due()).sent == 0, "the dead worker's lease must run out first"
    clock.advance(seconds=61)
    await restarted.deliver_due()
    clock.advance(hours=1)
    await restarted.deliver_due()
    assert [n.key for n in notifier.sent] == ["MS-1/1"] and notifier.attempts == 1
    [row] = await rows(app)
    assert row.status == "sent" and row.attempts == 2


async def test_run_loop_survives_a_database_outage_and_stops_on_request(app: App, clock: FakeClock) -> None:
    notifier = RecordingNotifier()
    await enqueue(app, note("MS-1/1"))
    outages = [ConnectionRefusedError("database is down")] * 2

    def flaky_uow():  # type: ignore[no-untyped-def]
        if outages:
            raise outages.pop()
        return app.uow()

    worker = OutboxDeliverer(flaky_uow, {"telegram": notifier}, clock, RetryPolicy())
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop, poll_seconds=0.01))
    for _ in range(300):
        if notifier.sent:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert not outages and [n.key for n in notifier.sent] == ["MS-1/1"]


async def test_a_polling_terminal_takes_its_pushes_once_in_order_and_keeps_them_in_its_history(
        app: App, clock: FakeClock) -> None:
    await enqueue(app, Notification("MS-1/1", "MS-1", "terminal", "local", "一", ("评价",)),
                  Notification("MS-1/2", "MS-1", "terminal", "local", "二"),
                  Notification("MS-2/1", "MS-2", "terminal", "other", "别人的"), note("MS-3/1", recipient="local"))
    store = SqlConversationStore(app.sessions)
    taken = await store.take_pushes("terminal", "local", clock.now())
    assert [(p.text, p.key, p.choices) for p in taken] == [
        ("一", "MS-1/1", ({"label": "评价", "value": "评价"},)), ("二", "MS-1/2", ())]
    assert await store.take_pushes("terminal", "local", clock.now()) == []
    assert [(line.text, line.key) for line in await store.history("terminal", "local")] == [
        ("一", "MS-1/1"), ("二", "MS-1/2")]
    assert {row.key: row.status for row in await rows(app)} == {
        "MS-1/1": "sent", "MS-1/2": "sent", "MS-2/1": "pending", "MS-3/1": "pending"}
