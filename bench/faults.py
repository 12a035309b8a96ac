"""Crash figures (issue 12): `minsheng serve` SIGKILLed at random points of resident turns on the web
chat and Telegram, restarted after each kill, while residents keep filing and resending.

Prints, for each database, kills / lost / doubled (messages and intakes; see tests/faults/campaign.py
for what counts as which), how many messages, intakes and cases there were, the mean restart, and
the intake steps the killed turns were at. tests/integration/test_crash_faults.py runs the same with 50 kills.

Run: python bench/faults.py [--kills 200] [--db sqlite,postgresql] [--web 3] [--telegram 2] [--lease 1]
"""

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, scratch_database  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from nlu.retrain import ensure_model  # noqa: E402
from tests.conversations.kit import load_sample_district  # noqa: E402
from tests.faults.campaign import LEASE_SECONDS, run_faults  # noqa: E402


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--web", type=int, default=3, help="web chat residents filing at once")
    parser.add_argument("--telegram", type=int, default=2, help="Telegram residents filing at once")
    parser.add_argument("--lease", type=float, default=LEASE_SECONDS,
                        help="[dialogue] turn_lease_seconds: above the restart time, resends wait for the dead turn's lease")
    args = parser.parse_args()
    models = load_settings(ROOT / "config.toml").models_dir
    await asyncio.to_thread(ensure_model, models)  # a fresh install trains the seed model
    print(f"进程崩溃测试：{args.kills} 次 SIGKILL，网页端 {args.web} 位、Telegram {args.telegram} 位居民同时反映")
    for kind in args.db.split(","):
        async with scratch_database(kind) as url:
            if url is None:
                continue
            await load_sample_district(url)
            with tempfile.TemporaryDirectory() as folder:
                report = await run_faults(url, models, Path(folder), args.kills, web=args.web, telegram=args.telegram,
                                          lease=args.lease)
            print(f"{kind}: {report.summary()}")
            for problem in report.problems[:5]:
                print(f"    {problem}")


if __name__ == "__main__":
    asyncio.run(main())
