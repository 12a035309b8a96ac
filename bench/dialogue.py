"""Dialogue figures over the scripted conversations (tests/conversations/*.yaml), on SQLite with
the sample district: median resident turns to a filed case, the share of filed cases whose grid
was resolved without a person, and the time per turn (p95 and others).

Run: python bench/dialogue.py [--repeat 1]
"""

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, percentiles  # noqa: E402
from bot.dialogue_root import load_analyzer  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from storage.db import make_engine, session_factory  # noqa: E402
from storage.importers.district import validate_district  # noqa: E402
from storage.importers.registry import import_district  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from tests.conversations.harness import Measures, load_script, run_script  # noqa: E402
from tests.conversations.kit import SAMPLE  # noqa: E402

FILES = (SAMPLE / "grids.geojson", SAMPLE / "places.csv", SAMPLE / "departments.csv")


async def _template(path: Path) -> None:
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    async with session_factory(engine)() as session:
        await import_district(session, *FILES, district_code="QH")
    await engine.dispose()


async def main(repeat: int) -> None:
    settings = load_settings(ROOT / "config.toml")
    registry = validate_district(*FILES, district_code="QH")
    started = time.perf_counter()
    analyzer = load_analyzer(settings.models_dir, registry.grids, registry.places)
    load_seconds = time.perf_counter() - started
    scripts = sorted((ROOT / "tests" / "conversations").glob("*.yaml"))
    results: list[Measures] = []
    with tempfile.TemporaryDirectory() as folder:
        template = Path(folder) / "template.db"
        await _template(template)
        for _ in range(repeat):
            for path in scripts:
                target = Path(folder) / "run.db"
                for stale in Path(folder).glob("run.db*"):
                    stale.unlink()
                shutil.copy(template, target)
                script = load_script(path)
                results.append(await run_script(script, settings, analyzer, f"sqlite:///{target}", strict=False))
    filed = [r for r in results if r.turns_to_file is not None]
    turns = [t * 1000 for r in results for t in r.turn_seconds]
    located = [r for r in filed if r.grid_by_machine is not None]
    print(f"对话脚本 {len(scripts)} 个 × {repeat} 轮，居民发言 {len(turns)} 次；NLU 就绪用时 {load_seconds:.2f} 秒（没有模型时含首次训练）")
    print(f"提交成功的对话：{len(filed)} 个")
    print(f"提交前居民发言次数（中位数）：{statistics.median(r.turns_to_file or 0 for r in filed):.1f}")
    share = sum(1 for r in located if r.grid_by_machine) / len(located) if located else 0.0
    print(f"无需人工即确定网格的比例：{share:.0%}（{sum(1 for r in located if r.grid_by_machine)}/{len(located)}）")
    print(f"每轮耗时（含 NLU 与数据库）：{percentiles(turns)}")
    mismatches = sum(len(r.mismatches) for r in results)
    if mismatches:
        print(f"注意：有 {mismatches} 处与脚本预期不符（运行 tests/integration/test_conversations.py 查看）")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="play every script this many times")
    asyncio.run(main(parser.parse_args().repeat))
