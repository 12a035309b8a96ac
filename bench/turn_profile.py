"""Where a resident turn's time goes, over the real dialogue (keyword understanding, so the NLU model
does not hide the rest) on a scratch SQLite or PostgreSQL database.

Each resident files one case in three turns (complaint with its place, a phone, 确认): N residents
(at least 20) file one each to warm up, then the same N file a second one, which is measured, as a
returning resident with a case does. Two methods, both issue 16's to keep (their output is
not committed):
- cProfile (default): ms per turn and the project's functions by cumulative time; the database
  transactions a turn opens show up as conversation_store.begin / finish and the filing.
- `--callgrind`: instructions for the measured turns only, counted by valgrind. Wall-clock and CPU
  timings of one change swing by 10-30 % between runs on this machine; the instruction count of the
  same code repeats to a few in 100,000, so two commits compare in one run each. Run it as
    PYTHONHASHSEED=0 valgrind --tool=callgrind --instr-atstart=no python bench/turn_profile.py --callgrind
  and read "I refs" (about half a minute for 10 residents; the residents are few, valgrind is slow).

Run: python bench/turn_profile.py [--db sqlite|postgresql] [--residents 100] [--top 30] [--callgrind]
"""

import argparse
import asyncio
import cProfile
import os
import pstats
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, scratch_database  # noqa: E402
from bot.bootstrap import build_app  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from flows.messages import Inbound  # noqa: E402
from tests.fakes.understanding import keyword_dialogue  # noqa: E402
from tests.support import seed_registry  # noqa: E402

TURNS = ("一网格的小区门口路灯坏了一个多月了", "13812345678", "确认")
WARM_UP = 20


async def profile(kind: str, residents: int, top: int, instructions: bool) -> None:
    async with scratch_database(kind) as url:
        if url is None:
            return
        os.environ["MINSHENG_DATABASE_URL"] = url
        app = build_app(load_settings(ROOT / "config.toml"))
        await seed_registry(app.sessions)
        dialogue = await keyword_dialogue(app)

        async def file_cases(prefix: str, count: int) -> int:
            """`count` residents file one case each; the measured ones filed one while warming up."""
            for i in range(count):
                for j, text in enumerate(TURNS):
                    await dialogue.handle(Inbound("web", f"web:{i}", f"{prefix}{i}-{j}", text=text))
            return count * len(TURNS)

        await file_cases("warm", max(WARM_UP, residents))
        if instructions:
            _callgrind("on")
            turns = await file_cases("r", residents)
            _callgrind("off")
            print(f"{kind}：{turns} 轮已计数；看 valgrind 结束时打印的 I refs，除以 {turns} 即每轮指令数")
        else:
            profiler = cProfile.Profile()
            started = time.perf_counter()
            profiler.enable()
            turns = await file_cases("r", residents)
            profiler.disable()
            print(f"{kind}：{turns} 轮，每轮 {(time.perf_counter() - started) * 1000 / turns:.2f} ms（含分析器开销）")
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats(r"/(flows|storage|handlers|bot)/", top)
        await app.close()


def _callgrind(switch: str) -> None:
    """Counting on or off for this process, which must run under valgrind --tool=callgrind."""
    done = subprocess.run(["callgrind_control", "-i", switch, str(os.getpid())], capture_output=True, text=True)
    if done.returncode != 0 or "Error" in done.stdout:
        sys.exit("--callgrind 需要在 valgrind --tool=callgrind --instr-atstart=no 下运行（见文件开头的说明）")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--residents", type=int, default=100)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--callgrind", action="store_true", help="count instructions instead (run under valgrind)")
    args = parser.parse_args()
    asyncio.run(profile(args.db, args.residents, args.top, args.callgrind))


if __name__ == "__main__":
    main()
