"""A fault run: residents on the web chat and Telegram keep filing while `minsheng serve` is
SIGKILLed at random points of their turns and started again; then the database is compared with
what the residents were told.

A message is lost if the channel never answered it or its turn never finished, and an intake if
its resident never got a case number; a message is doubled if its turn was written twice, and an
intake if it filed more cases than the residents were told about.
"""

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from storage.db import make_engine
from storage.dialogue_models import ConversationMessageRow, ProcessedInboundRow
from storage.models import CaseRow
from tests.conversations.harness import config_for_tests
from tests.faults.residents import COMPLAINTS, Lost, Resident, TelegramResident, WebResident, intake
from tests.faults.server import Server
from tests.fakes.telegram_api import FakeBotApi

LEASE_SECONDS = 1  # [dialogue] turn_lease_seconds in the run's config: a dead turn is taken over soon
TOKEN = "4242:FAULTS"


@dataclass
class Report:
    kills: int = 0
    messages: int = 0
    intakes: int = 0
    cases: int = 0
    lost: int = 0
    doubled: int = 0
    seconds: float = 0.0
    steps: Counter[str] = field(default_factory=Counter)  # the step of each turn in flight at a kill
    restarts: list[float] = field(default_factory=list)  # seconds from each kill to /healthz answering
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        hit = "、".join(f"{step} {n}" for step, n in self.steps.most_common())
        restart = sum(self.restarts) / len(self.restarts) if self.restarts else 0.0
        return (f"kills {self.kills}，lost {self.lost}，doubled {self.doubled}（{self.messages} 条消息，"
                f"{self.intakes} 次受理，{self.cases} 件诉求，{self.seconds:.0f} s，每次重启平均 {restart:.1f} s）\n"
                f"  被杀时进行中的步骤：{hit}")


def fault_config(models: Path, folder: Path, bot_api: str, lease: float = LEASE_SECONDS) -> Path:
    """The shipped config.toml with the tests' model, the fake Bot API, a short lease, and limits
    that a handful of residents resending after every restart do not reach."""
    path = config_for_tests(models, folder)
    text = path.read_text(encoding="utf-8")
    for shipped, changed in (
        ("turn_lease_seconds = 20", f"turn_lease_seconds = {lease}"),
        ('api_base = ""', f'api_base = "{bot_api}"'),
        ("polling_timeout = 25", "polling_timeout = 1"),
        ("messages_per_minute = 20", "messages_per_minute = 6000"),
        ("burst = 8", "burst = 1000"),
        ("new_resident_messages_per_minute = 120", "new_resident_messages_per_minute = 6000"),
    ):
        if shipped not in text:
            raise ValueError(f"config.toml no longer has {shipped!r}")
        text = text.replace(shipped, changed, 1)
    path.write_text(text, encoding="utf-8")
    return path


async def run_faults(db_url: str, models: Path, folder: Path, kills: int, *, web: int = 3, telegram: int = 2,
                     seed: int = 12, lease: float = LEASE_SECONDS) -> Report:
    """`kills` SIGKILLs of a server that `web` + `telegram` residents file through, then the tally."""
    api = FakeBotApi()
    await api.start()
    server = Server(fault_config(models, folder, api.base_url, lease),
                    {"MINSHENG_DATABASE_URL": db_url, "MINSHENG_TELEGRAM_TOKEN": TOKEN}, folder / "serve.log")
    report, started = Report(), time.monotonic()
    flight: dict[str, str] = {}
    told: list[str] = []
    residents: list[Resident] = [WebResident(server.base, f"web{i}") for i in range(web)]
    residents += [TelegramResident(api, 7000 + i) for i in range(telegram)]
    stop = asyncio.Event()
    try:
        server.start()
        await server.ready()
        filing = [asyncio.create_task(_keep_filing(r, n, stop, flight, told, report)) for n, r in enumerate(residents)]
        try:
            await _kill_repeatedly(server, flight, residents, filing, kills, random.Random(seed), report)
        finally:
            stop.set()
            await asyncio.gather(*filing)
    finally:
        server.kill()
        await api.stop()
    report.messages = sum(r.answered for r in residents)
    report.seconds = time.monotonic() - started
    await _tally(db_url, told, report)
    if report.lost or report.doubled:
        report.problems += _server_errors(folder / "serve.log")
    return report


def _server_errors(log: Path, most: int = 8) -> list[str]:
    """The server's own account of a failed run: its error lines, across every life."""
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines() if log.exists() else []
    return [f"serve.log: {line}" for line in lines if " ERROR " in line][:most]


async def _keep_filing(resident: Resident, offset: int, stop: asyncio.Event, flight: dict[str, str],
                       told: list[str], report: Report) -> None:
    """One complaint after another until the run stops; an intake that cannot finish is lost."""
    turn = offset
    while not stop.is_set():
        try:
            told.append(await intake(resident, COMPLAINTS[turn % len(COMPLAINTS)], flight))
        except Lost as exc:
            report.lost += 1
            report.problems.append(str(exc))
            return
        finally:
            report.intakes += 1
        turn += 1


async def _kill_repeatedly(server: Server, flight: dict[str, str], residents: list[Resident],
                           filing: list[asyncio.Task[None]], kills: int, rng: random.Random, report: Report) -> None:
    """Wait for a turn in flight, let it run a random while (warm turns take 20–300 ms), kill the
    server and start it again. Many kills land in the resends of the turns the last one cut short,
    run again on a cold process; a message cut short twice is let through before the next kill,
    so that no resident can stall (Telegram's turns run one after another)."""
    active = dict(zip((r.name for r in residents), filing, strict=True))
    marks, struck = {r.name: r.answered for r in residents}, Counter[str]()

    def stalled() -> bool:
        for r in residents:
            if r.answered != marks[r.name]:
                marks[r.name], struck[r.name] = r.answered, 0
        return any(struck[name] >= 2 and not active[name].done() for name in struck)

    while report.kills < kills and not all(task.done() for task in filing):
        while (stalled() or not flight) and not all(task.done() for task in filing):
            await asyncio.sleep(0.005)
        await asyncio.sleep(rng.uniform(0, 0.3))
        stalled()
        report.steps.update(flight.values())
        struck.update(flight.keys())
        killed = time.monotonic()
        server.kill()
        report.kills += 1
        server.start()
        await server.ready()
        report.restarts.append(time.monotonic() - killed)


async def _tally(db_url: str, told: list[str], report: Report) -> None:
    engine = make_engine(db_url)
    async with engine.connect() as conn:
        numbers = set((await conn.execute(select(CaseRow.number))).scalars())
        heard = (await conn.scalar(
            select(func.count()).select_from(ConversationMessageRow).where(ConversationMessageRow.direction == "in")
        )) or 0
        unfinished = (await conn.scalar(
            select(func.count()).select_from(ProcessedInboundRow).where(ProcessedInboundRow.finished_at.is_(None))
        )) or 0
    await engine.dispose()
    report.cases = len(numbers)
    untold = numbers - set(told)
    repeated = len(told) - len(set(told))  # one number given for two intakes: the second filed nothing
    report.doubled += len(untold) + max(heard - report.messages, 0)
    report.lost += unfinished + max(report.messages - heard, 0) + repeated + len(set(told) - numbers)
    report.problems += [f"{n} filed but no resident was told" for n in sorted(untold)]
    if heard != report.messages:
        report.problems.append(f"{heard} turns written for {report.messages} messages answered")
    if unfinished:
        report.problems.append(f"{unfinished} message ids claimed but never finished")
