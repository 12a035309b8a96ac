"""One worker at a time runs a leased job (Telegram polling): the others stand by and one takes
over when the holder stops, on SQLite (a file lock) and PostgreSQL (an advisory lock)."""

import asyncio

from bot.leases import open_lease, while_leading


async def test_one_worker_runs_the_job_and_a_standby_takes_over(db_url: str) -> None:
    running: list[str] = []

    def job(name: str):  # type: ignore[no-untyped-def]
        async def run(leading_lost: asyncio.Event) -> None:
            running.append(name)
            await leading_lost.wait()
            running.remove(name)
        return run

    stop_a, stop_b = asyncio.Event(), asyncio.Event()
    a = asyncio.create_task(while_leading(open_lease(db_url, "telegram"), stop_a, job("a"), 0.05, 0.05))
    await asyncio.sleep(0.3)
    b = asyncio.create_task(while_leading(open_lease(db_url, "telegram"), stop_b, job("b"), 0.05, 0.05))
    await asyncio.sleep(0.3)
    assert running == ["a"]  # b stands by while a holds the lease
    other = open_lease(db_url, "scheduler")  # another job's lease is not this one's
    assert await other.acquire()
    await other.release()
    stop_a.set()
    await a
    for _ in range(40):
        if running == ["b"]:
            break
        await asyncio.sleep(0.05)
    assert running == ["b"]
    stop_b.set()
    await b
    assert running == []
