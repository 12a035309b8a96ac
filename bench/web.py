"""Web chat figures: N concurrent residents, each filing a case over the WebSocket on loopback, and
known residents' latency while invented and freshly issued ids flood the chat (issue 12, item 2).

The server runs in its own process (as `minsheng serve` would), the residents in this one.
Prints turns/s and p50/p95 turn latency (message sent → its ack) for each database and N. Each
resident comes from an address of its own (X-Forwarded-For, which uvicorn trusts from loopback);
the waves measure capacity, so their server admits any number of new residents, while the flood's
server keeps config.toml's [limits]. Known residents there hold ids issued a day earlier.

Steady closed loop (issue 16): `--steady N` residents, already connected, each send their next
message as soon as the last is answered, case after case; turns/s and latency are counted over
`--steady-seconds` after STEADY_WARM_UP. The waves above also pay, per three turns or so, for a
page load, a WebSocket handshake and a history read; this is what a turn alone costs at capacity.

Open-loop arrival (issue 16): `--open N` residents arrive spread over the first pause, then each
files case after case, pausing 2–5 s ("typing") after every answer, as real residents do; the
turns of the first OPEN_WARM_UP seconds are not counted. Unlike the closed waves, this load does
not slow down when the server does, so queueing shows in the percentiles.

Several workers (issue 16): on PostgreSQL the closed waves run once per `--workers` count, the
residents spread over that many server processes on one database, as behind a reverse proxy.
The steady loop also splits the CPU its counted turns cost between the server processes, the
machine's PostgreSQL processes and the residents (this process), read from /proc: on a machine
where all three share the cores, those shares bound what more workers can add.

Run: python bench/web.py [--residents 50,200] [--steady 200] [--steady-seconds 15] [--workers 1,2] [--open 200]
                         [--open-seconds 60] [--flood 300] [--db sqlite,postgresql] [--dialogue real|keyword]
(--residents 0, --steady 0, --open 0 or --flood 0 skips that part.)
(MINSHENG_CONFIG picks another config.toml, e.g. one whose models_dir holds a freshly trained model.)
`keyword` runs the real dialogue with the tests' keyword understanding instead of the NLU models,
to measure the channel and the dialogue without classification cost.
"""

import argparse
import asyncio
import itertools
import json
import multiprocessing
import os
import random
import re
import secrets
import statistics
import socket
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

from bench.common import ROOT, percentiles, scratch_database  # noqa: E402
from bot.web.admission import ResidentIds  # noqa: E402
from bot.web.resident import COOKIE  # noqa: E402
from bot.web.serving import uvicorn_options  # noqa: E402

COMPLAINTS = ["幸福里小区门口的路灯坏了一个多月了", "楼上卫生间漏水，天花板都泡坏了", "工地晚上十一点还在施工，吵得睡不着",
              "小区垃圾好几天没人清运了", "公司拖欠我三个月工资不给"]
AFFIRM = ("是", "对", "确认", "提交", "不留", "匿名", "跳过")
CASE_NUMBER = re.compile(r"[A-Z]+-\d{8}-\d{4}")
MAX_TURNS = 14
UNLIMITED_NEWCOMERS = {"new_residents_per_address": 10**9, "new_resident_messages_per_minute": 10**9}
CAPACITY_LIMITS = {**UNLIMITED_NEWCOMERS, "messages_per_minute": 10**9}  # the closed loops measure capacity
STEADY_WARM_UP = 5.0
FLOOD_MESSAGES = 8
FLOOD_ROUNDS = 10
KNOWN_RESIDENTS, KNOWN_PACE, QUIET_SECONDS = 20, 3.2, 15.0  # 3.2 s a turn: under 20 a minute, never refused
TYPING_SECONDS, OPEN_WARM_UP = (2.0, 5.0), 10.0
OPEN_LIMITS = {**UNLIMITED_NEWCOMERS, "messages_per_minute": 60}  # a resident typing 2 s apart is not refused


def serve(url: str, port: int, dialogue_kind: str, limits: dict[str, Any]) -> None:
    """The server process: the whole web edge on `url`, as `minsheng serve` wires it."""
    asyncio.run(_serve(url, port, dialogue_kind, limits))


async def _serve(url: str, port: int, dialogue_kind: str, limits: dict[str, Any]) -> None:
    from dataclasses import replace

    import uvicorn

    from bot import heap
    from bot.bootstrap import build_app
    from bot.settings import load_settings
    from bot.web.app import create_web_app, web_deps
    from bot.web.hub import LiveHub
    from bot.web.notifier import WebNotifier
    from storage.conversation_store import SqlConversationStore
    from storage.importers.registry import import_district

    os.environ["MINSHENG_DATABASE_URL"] = url
    settings = load_settings(os.environ.get("MINSHENG_CONFIG") or ROOT / "config.toml")
    app = build_app(replace(settings, raw={**settings.raw, "limits": {**settings.section("limits"), **limits}}))
    files = app.settings.district_files
    async with app.sessions() as session:
        await import_district(session, files["grids"], files["places"], files["departments"])
    store, hub = SqlConversationStore(app.sessions), LiveHub()
    app.notifiers["web"] = WebNotifier(store, hub)
    if dialogue_kind == "real":
        from bot.dialogue_root import build_dialogue
        from nlu.retrain import ensure_model

        await asyncio.to_thread(ensure_model, app.settings.models_dir)  # a fresh install trains the seed model
        dialogue = await build_dialogue(app)
    else:
        from tests.fakes.understanding import keyword_dialogue

        dialogue = await keyword_dialogue(app)
    web = create_web_app(web_deps(app, dialogue, store, hub))
    heap.settle()
    config = uvicorn.Config(web, host="127.0.0.1", port=port, log_level="warning", access_log=False, backlog=4096,
                            **uvicorn_options())
    await uvicorn.Server(config).serve()
    await app.close()


def next_move(replies: list[dict]) -> dict:
    """What a cooperative resident does next: take the affirmative button, share a location when
    asked, decline to leave a phone number."""
    last = replies[-1] if replies else {"text": "", "choices": []}
    if last.get("request_location"):
        return {"type": "location", "latitude": LOCATION[0], "longitude": LOCATION[1]}
    choices = last.get("choices") or []
    if choices:
        pick = next((c for c in choices if any(word in c["label"] for word in AFFIRM)), choices[0])
        return {"type": "choice", "value": pick["value"]}
    if "电话" in last.get("text", ""):
        return {"type": "text", "text": "不留电话"}
    return {"type": "text", "text": "是的"}


LOCATION = (0.0, 0.0)


def complaint(index: int) -> dict:
    """A resident's opening message; the residents of a run share five complaints."""
    return {"type": "text", "text": COMPLAINTS[index % len(COMPLAINTS)]}


def filed(replies: list[dict]) -> bool:
    """Whether the bot's answer gives a case number."""
    return any(CASE_NUMBER.search(r["text"]) for r in replies)


def address(index: int) -> str:
    """A resident's own address, as the reverse proxy would forward it."""
    return f"10.{index // 65_536 % 256}.{index // 256 % 256}.{index % 256}"


async def issued_id(base: str, index: int) -> str | None:
    """The id the chat page issues to a resident at its own address (None if it issues none)."""
    # Plain http on loopback: skipping certificate loading keeps the client's CPU for the test.
    async with httpx.AsyncClient(base_url=base, verify=False, trust_env=False, timeout=60,
                                 headers={"X-Forwarded-For": address(index)}) as browser:
        return (await browser.get("/")).cookies.get(COOKIE)


def chat(base: str, cookie: str) -> Any:
    return connect(base.replace("http", "ws") + "/ws", additional_headers={"Cookie": f"{COOKIE}={cookie}"},
                   open_timeout=60)


async def send(ws: Any, move: dict, tag: str) -> tuple[str, list[dict], float]:
    """One turn: (how it ended: ack, refused or error; the replies; milliseconds to that end)."""
    move["id"] = f"bench-{tag}-{time.monotonic_ns()}"
    started = time.perf_counter()
    await ws.send(json.dumps(move))
    replies = []
    while (message := json.loads(await ws.recv()))["type"] not in ("ack", "refused", "error"):
        if message["type"] == "reply":
            replies.append(message)
    return message["type"], replies, (time.perf_counter() - started) * 1000


async def resident(base: str, index: int, latencies: list[float]) -> bool:
    """One resident filing one case; True once the bot has answered with a case number."""
    cookie = await issued_id(base, index)
    if cookie is None:
        return False
    async with chat(base, cookie) as ws:
        json.loads(await ws.recv())  # the (empty) history
        move = complaint(index)
        for turn in range(MAX_TURNS):
            ended, replies, took = await send(ws, move, f"{index}-{turn:02d}")
            latencies.append(took)
            if ended != "ack":
                return False
            if filed(replies):
                return True
            move = next_move(replies)
    return False


async def wave(bases: list[str], count: int) -> None:
    """`count` residents at once, spread over the workers at `bases` as a proxy would spread them."""
    latencies: list[float] = []
    started = time.perf_counter()
    outcomes = await asyncio.gather(*(resident(bases[i % len(bases)], i, latencies) for i in range(count)),
                                    return_exceptions=True)
    elapsed = time.perf_counter() - started
    filed = sum(1 for o in outcomes if o is True)
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    print(f"  N={count:<4} 进程 {len(bases)} 个，立案 {filed}/{count}，共 {len(latencies)} 轮，用时 {elapsed:.1f} s，"
          f"{len(latencies) / elapsed:.1f} 轮/秒；每轮 {percentiles(latencies)}")
    if errors:
        print(f"    {len(errors)} 位居民出错，例如：{errors[0]!r}")


async def counted(residents: list[asyncio.Task[None]], counting: asyncio.Event, stop: asyncio.Event,
                  warm_up: float, seconds: float) -> list[BaseException]:
    """Let the residents run `warm_up` s, count their turns for `seconds`, then stop them; how the
    ones that failed failed."""
    await asyncio.sleep(warm_up)
    counting.set()
    await asyncio.sleep(seconds)
    counting.clear()
    stop.set()
    return [r for r in await asyncio.gather(*residents, return_exceptions=True) if isinstance(r, BaseException)]


@dataclass(frozen=True)
class Worker:
    base: str
    pid: int


def _process_cpu(pid: int) -> float:
    """CPU seconds (user + system) of one process so far, from /proc; 0 for one that has ended."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _postgres_cpu() -> dict[int, float]:
    """CPU seconds of every PostgreSQL process on the machine (the server's and its backends'), by pid."""
    return {int(entry.name): _process_cpu(int(entry.name)) for entry in Path("/proc").iterdir()
            if entry.name.isdigit() and _command(entry) == "postgres"}


def _command(entry: Path) -> str:
    try:
        return (entry / "comm").read_text().strip()
    except OSError:
        return ""


async def measured_cpu(workers: list[Worker], counting: asyncio.Event, stop: asyncio.Event) -> dict[str, float]:
    """The CPU seconds spent between the start of counting and the stop, by who spent them. A
    PostgreSQL backend that ends in the window takes its share with it (a small undercount)."""
    await counting.wait()
    servers, postgres, residents = sum(_process_cpu(w.pid) for w in workers), _postgres_cpu(), time.process_time()
    await stop.wait()
    after = _postgres_cpu()
    return {"server": sum(_process_cpu(w.pid) for w in workers) - servers,
            "postgres": sum(cpu - postgres.get(pid, 0.0) for pid, cpu in after.items()),
            "residents": time.process_time() - residents}


def cpu_line(per_turn: dict[str, float], spent_server: float, seconds: float) -> str:
    """Per-turn CPU by who spent it, and the throughput all the machine's cores could give at that cost."""
    return (f"    每轮 CPU：服务进程 {per_turn['server']:.2f} ms，PostgreSQL {per_turn['postgres']:.2f} ms，"
            f"居民（本进程）{per_turn['residents']:.2f} ms；服务进程平均占用 {spent_server / seconds:.2f} 核；"
            f"本机 {os.cpu_count()} 核全用于此也只够约 {ceiling(per_turn):.0f} 轮/秒")


def ceiling(per_turn: dict[str, float]) -> float:
    """Turns/s when every core of the machine does nothing but these turns at these per-turn costs."""
    return 1000 * (os.cpu_count() or 1) / sum(per_turn.values())


def scaling_line(one: tuple[float, dict[str, float]], more: tuple[float, dict[str, float]], workers: int) -> str:
    """The measured gain of `workers` over one, beside the most this machine allows: the one worker's
    per-turn costs, all cores busy, as if more workers added no cost of their own."""
    (single, per_turn), (several, _) = one, more
    return (f"  {workers} 个进程 / 1 个进程：实测 {several / single:.2f} 倍；居民和 PostgreSQL 与服务进程同在本机 "
            f"{os.cpu_count()} 核上，即使多进程不增加任何开销，上限也只有 {ceiling(per_turn) / single:.2f} 倍")


async def steady(workers: list[Worker], count: int, seconds: float) -> tuple[float, dict[str, float]] | None:
    """`count` connected residents filing case after case with no pause, spread over `workers`;
    turns counted over `seconds` after STEADY_WARM_UP, with the CPU they cost: (turns/s, per-turn
    CPU ms by who spent it), or None if no turn was counted."""
    latencies: list[float] = []
    stop, counting, ended = asyncio.Event(), asyncio.Event(), Counter[str]()
    bases = [w.base for w in workers]

    def turned(turn: int, how: str, replies: list[dict], took: float) -> float:
        if counting.is_set():
            latencies.append(took)
            ended[how] += 1
        return 0.0

    async def one(index: int) -> None:
        base = bases[index % len(bases)]
        cookie = await issued_id(base, 200_000 + index)
        if cookie is None:
            raise RuntimeError("no resident id issued")
        async with chat(base, cookie) as ws:
            await keep_filing(ws, index, "steady", stop, turned)

    cpu = asyncio.create_task(measured_cpu(workers, counting, stop))
    failed = await counted([asyncio.create_task(one(i)) for i in range(count)], counting, stop, STEADY_WARM_UP, seconds)
    others = {how: n for how, n in ended.items() if how != "ack"}
    print(f"  稳态闭环 N={count:<4} 进程 {len(bases)} 个（已连接，答复后立即发下一条，计 {seconds:.0f} s）："
          f"{len(latencies) / seconds:.1f} 轮/秒；每轮 {percentiles(latencies) if len(latencies) > 1 else '无'}"
          + (f"；未正常答复 {others}" if others else "") + (f"；{len(failed)} 位居民断开，例如：{failed[0]!r}" if failed else ""))
    if not latencies:
        cpu.cancel()
        return None
    spent = await cpu
    per_turn = {who: 1000 * cpu_seconds / len(latencies) for who, cpu_seconds in spent.items()}
    print(cpu_line(per_turn, spent["server"], seconds))
    return len(latencies) / seconds, per_turn


async def typing_resident(base: str, index: int, stop: asyncio.Event, counting: asyncio.Event,
                          latencies: list[float], tally: dict[str, int]) -> None:
    """A resident of the open-loop run: arrives at a random moment of the first pause, then files
    case after case, reading each answer and typing 2–5 s before the next message."""
    pause = random.Random(index)
    await asyncio.sleep(pause.uniform(0, TYPING_SECONDS[1]))
    cookie = await issued_id(base, index)
    if cookie is None:
        tally["no id"] += 1
        return
    def turned(turn: int, ended: str, replies: list[dict], took: float) -> float:
        if counting.is_set():
            latencies.append(took)
            tally[ended] += 1
        return pause.uniform(*TYPING_SECONDS)

    async with chat(base, cookie) as ws:
        await keep_filing(ws, index, "open", stop, turned)


async def open_arrival(base: str, count: int, seconds: float) -> None:
    """`count` typing residents for OPEN_WARM_UP + `seconds`; only the last `seconds` are counted."""
    latencies: list[float] = []
    tally: dict[str, int] = {"ack": 0, "refused": 0, "error": 0, "no id": 0}
    stop, counting = asyncio.Event(), asyncio.Event()
    residents = [asyncio.create_task(typing_resident(base, i, stop, counting, latencies, tally))
                 for i in range(count)]
    failed = await counted(residents, counting, stop, OPEN_WARM_UP, seconds)
    low, high = TYPING_SECONDS
    print(f"  开放到达 N={count}（答复后停 {low:g}–{high:g} s 再发，计 {seconds:.0f} s）：{len(latencies) / seconds:.1f} 轮/秒；"
          f"每轮 {percentiles(latencies) if len(latencies) > 1 else '无'}；拒绝 {tally['refused']}，出错 {tally['error']}"
          + (f"，{len(failed)} 位居民断开，例如：{failed[0]!r}" if failed else ""))


async def known_resident(base: str, cookie: str, index: int, stop: asyncio.Event, ready: asyncio.Semaphore,
                         latencies: list[float]) -> None:
    """A resident who was here yesterday, filing case after case at a steady pace until `stop`. The
    residents start spread over one pace, as people arrive; each releases `ready` after its first turn."""
    await asyncio.sleep(index * KNOWN_PACE / KNOWN_RESIDENTS)

    def turned(turn: int, ended: str, replies: list[dict], took: float) -> float:
        if ended != "ack":
            raise RuntimeError(f"a known resident's turn ended with {ended}: {replies}")
        latencies.append(took)
        if turn == 0:
            ready.release()
        return max(0.0, KNOWN_PACE - took / 1000)

    async with chat(base, cookie) as ws:
        await keep_filing(ws, index, "known", stop, turned)


async def keep_filing(ws: Any, index: int, tag: str, stop: asyncio.Event,
                      turned: Callable[[int, str, list[dict], float], float]) -> None:
    """Case after case on an open chat until `stop`: after each turn `turned(turn, how it ended,
    replies, milliseconds)` records it and says how many seconds the resident pauses."""
    json.loads(await ws.recv())  # the history
    move = complaint(index)
    for turn in itertools.count():
        if stop.is_set():
            return
        ended, replies, took = await send(ws, move, f"{tag}-{index}-{turn}")
        pause = turned(turn, ended, replies, took)
        move = complaint(index) if filed(replies) else next_move(replies)
        await asyncio.sleep(pause)


async def flooder(base: str, index: int, invented: bool, tally: dict[str, int]) -> None:
    """One flooding id sending its messages as fast as it is answered."""
    cookie = f"flood-{index:04d}-{secrets.token_urlsafe(12)}" if invented else await issued_id(base, 100_000 + index)
    if cookie is None:
        tally["no id"] += FLOOD_MESSAGES
        return
    async with chat(base, cookie) as ws:
        if json.loads(await ws.recv())["type"] != "history":
            tally["turned away"] += FLOOD_MESSAGES
            return
        for n in range(FLOOD_MESSAGES):
            ended, _, _ = await send(ws, {"type": "text", "text": f"{COMPLAINTS[n % len(COMPLAINTS)]}（{n}）"}, "flood")
            tally[ended] += 1


def flood(base: str, count: int, invented: bool, go: Any, tallies: Any) -> None:
    """The flooding process, standing for other machines: at the lowest priority, so that on a bench
    host with few cores its own work does not take the server's CPU (an attacker's CPU is elsewhere).
    It floods once `go` is set; starting a process is the bench's cost, not the flood's."""
    os.nice(19)
    tally = dict.fromkeys(("ack", "refused", "error", "no id", "turned away"), 0)

    async def run() -> None:
        await asyncio.gather(*(flooder(base, i, invented, tally) for i in range(count)))

    tallies.put("ready")
    go.wait()
    asyncio.run(run())
    tallies.put(tally)


async def phase(base: str, known: list[str], flood_args: tuple[int, bool] | None,
                quiet_seconds: float = QUIET_SECONDS) -> tuple[list[float], float, dict]:
    """Known residents' turn latencies while a flood runs (or for `quiet_seconds`), the phase's
    length, and how the flood's messages ended. Measuring starts once every known resident has had
    its first turn."""
    stop, ready, latencies = asyncio.Event(), asyncio.Semaphore(0), []
    known_tasks = [asyncio.create_task(known_resident(base, c, i, stop, ready, latencies)) for i, c in enumerate(known)]
    for _ in known:
        await ready.acquire()
    if flood_args is not None:
        context = multiprocessing.get_context("spawn")
        go, tallies = context.Event(), context.Queue()
        process = context.Process(target=flood, args=(base, *flood_args, go, tallies))
        process.start()
        await asyncio.to_thread(tallies.get)
    latencies.clear()
    started, tally = time.perf_counter(), {}
    if flood_args is None:
        await asyncio.sleep(quiet_seconds)
    else:
        go.set()
        tally = await asyncio.to_thread(tallies.get)
        await asyncio.to_thread(process.join)
    elapsed = time.perf_counter() - started
    stop.set()
    await asyncio.gather(*known_tasks)
    return latencies, elapsed, tally


async def flood_figures(base: str, count: int, secret: str) -> None:
    """Known residents' p50/p95 quiet, then while `count` invented ids and then `count` ids issued
    to as many addresses each send FLOOD_MESSAGES messages."""
    yesterday = int(time.time()) - 86_400
    known = [ResidentIds(secret.encode()).issue(issued=yesterday) for _ in range(KNOWN_RESIDENTS)]
    await phase(base, known, None, quiet_seconds=KNOWN_PACE)  # a fresh server's first turns load the NLU's lazy parts
    quiet, _, _ = await phase(base, known, None)
    print(f"  已知居民（{KNOWN_RESIDENTS} 位，每 {KNOWN_PACE} 秒一轮）平时：{percentiles(quiet)}")
    for invented, name in ((True, "伪造 id"), (False, "从不同地址新领 id")):
        # One flood lasts a second or two, some fifteen known turns: the invented one, which has the 2x
        # target, runs FLOOD_ROUNDS times so its p95 rests on 100-200 (issued ids cannot be issued twice).
        rounds = FLOOD_ROUNDS if invented else 1
        during, elapsed, tally = [], 0.0, Counter[str]()
        for _ in range(rounds):
            latencies, seconds, counts = await phase(base, known, (count, invented))
            during, elapsed = during + latencies, elapsed + seconds
            tally.update(counts)
        ratio = _p95(during) / _p95(quiet)
        print(f"  {count} 个{name} × {FLOOD_MESSAGES} 条洪泛（{rounds} 次共 {elapsed:.1f} s，{len(during)} 轮）时："
              f"{percentiles(during)}；p95 为平时的 {ratio:.2f} 倍（目标 ≤ 2）")
        print(f"    洪泛消息：处理 {tally['ack']}，婉拒 {tally['refused']}，出错 {tally['error']}，"
              f"握手即拒 {tally['turned away']}，未领到 id {tally['no id']}")


def _p95(samples_ms: list[float]) -> float:
    return statistics.quantiles(sorted(samples_ms), n=100, method="inclusive")[94]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def wait_ready(base: str, server: multiprocessing.Process) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(600):
            if not server.is_alive():
                raise SystemExit("服务进程启动失败")
            try:
                if (await client.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit("服务 120 秒内未就绪")


def first_grid_point() -> tuple[float, float]:
    """A point inside the first grid of the sample district, for residents who share a location."""
    from shapely.geometry import shape

    features = json.loads((ROOT / "sample_district" / "grids.geojson").read_text(encoding="utf-8"))["features"]
    point = shape(features[0]["geometry"]).representative_point()
    return point.y, point.x


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", default="50,200")
    parser.add_argument("--steady", type=int, default=200, help="connected residents of the steady closed loop")
    parser.add_argument("--steady-seconds", type=float, default=15.0)
    parser.add_argument("--open", type=int, default=200, help="open-loop residents (2–5 s typing pauses)")
    parser.add_argument("--open-seconds", type=float, default=60.0)
    parser.add_argument("--flood", type=int, default=300)
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--dialogue", choices=("real", "keyword"), default="real")
    parser.add_argument("--workers", default="1,2", help="server processes for the closed waves (PostgreSQL only)")
    args = parser.parse_args()
    global LOCATION
    LOCATION = first_grid_point()
    waves = [int(n) for n in args.residents.split(",") if int(n) > 0]
    secret = os.environ.setdefault("MINSHENG_WEB_SECRET", secrets.token_urlsafe(32))  # the server process inherits it
    print(f"网页端并发测试（对话：{'完整对话+语义模型' if args.dialogue == 'real' else '完整对话+关键词理解（不含语义模型）'}，本机回环）")
    for kind in args.db.split(","):
        async with scratch_database(kind) as url:
            if url is None:
                continue
            print(f"{kind}:")
            steadies = {}
            for workers in ([int(n) for n in args.workers.split(",")] if kind == "postgresql" else [1]):
                async with AsyncExitStack() as running:
                    started = [await running.enter_async_context(server(url, args.dialogue, CAPACITY_LIMITS))
                               for _ in range(workers)]
                    for count in waves:
                        await wave([w.base for w in started], count)
                    if args.steady:
                        steadies[workers] = await steady(started, args.steady, args.steady_seconds)
            for workers, figures in steadies.items():
                if workers > 1 and figures and steadies.get(1):
                    print(scaling_line(steadies[1], figures, workers))
            if args.open:
                async with server(url, args.dialogue, OPEN_LIMITS) as worker:
                    await open_arrival(worker.base, args.open, args.open_seconds)
            if args.flood:
                async with server(url, args.dialogue, {}) as worker:
                    await flood_figures(worker.base, args.flood, secret)


@asynccontextmanager
async def server(url: str, dialogue: str, limits: dict[str, Any]) -> AsyncIterator[Worker]:
    """The web edge in a process of its own on a free port."""
    port = free_port()
    process = multiprocessing.get_context("spawn").Process(target=serve, args=(url, port, dialogue, limits))
    process.start()
    base = f"http://127.0.0.1:{port}"
    try:
        await wait_ready(base, process)
        yield Worker(base, process.pid)
    finally:
        process.terminate()
        process.join(10)


if __name__ == "__main__":
    asyncio.run(main())
