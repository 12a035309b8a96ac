"""Dialogue figures over the scripted conversations (tests/conversations/*.yaml), on SQLite with
the sample district: median resident turns to a filed case, the share of filed cases whose grid
was resolved without a person, and the time per turn (p95 and others). Then two readings that
do not depend on the scripts: how many everyday answers (tests/conversations/everyday_answers.py)
are read right at each kind of confirmation, and the share of near-spelt place names (every
estate or building of the sample district with one character swapped for another of the same
sound, the commonest slip of a pinyin keyboard) that the bot confirms with the resident instead
of filing silently.

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

import jieba  # noqa: E402
from pypinyin import lazy_pinyin  # noqa: E402

from bench.common import ROOT, percentiles  # noqa: E402
from flows import location  # noqa: E402
from flows.nlu_adapter import understand  # noqa: E402
from flows.state import ConversationState  # noqa: E402
from tests.conversations.confirmations import KINDS, taken  # noqa: E402
from tests.conversations.everyday_answers import CORRECTIONS, NO, NOT_YES, YES  # noqa: E402
from tests.conversations.kit import at_step, sample_district, turn  # noqa: E402
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
    scripts = [path for path in sorted((ROOT / "tests" / "conversations").glob("*.yaml"))
               if "reporter" not in load_script(path)]  # residents' conversations: a grid worker's report is not one
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
    everyday_answers()
    near_spelt_places(analyzer)


def everyday_answers() -> None:
    """Yeses must confirm at every kind of question; noes, corrections and near-misses nowhere."""
    print(f"日常回答（{len(YES)} 种肯定、{len(NO) + len(CORRECTIONS)} 种否定或更正、{len(NOT_YES)} 种易混说法）：")
    for kind in KINDS:
        right = sum(taken(kind, t) for t in YES) + sum(not taken(kind, t) for t in (*NO, *NOT_YES))
        right += sum(not taken(kind, t) for t, _ in CORRECTIONS)
        total = len(YES) + len(NO) + len(NOT_YES) + len(CORRECTIONS)
        print(f"  {kind:<15} 读对 {right}/{total}（{right / total:.1%}）")


def near_spelt_places(analyzer) -> None:  # type: ignore[no-untyped-def]
    district = sample_district()
    typed = _near_spellings([p.name for p in district.places if p.kind != "道路"])
    outcomes = {"confirmed": 0, "silent": 0, "unmatched": 0}
    offered_right = 0
    for slip, name in typed:
        grids = {p.grid_code for p in district.places if p.name == name}
        state = at_step(ConversationState(), location.ASK, class_done=True)
        out = turn(state, slip, u=understand(analyzer, slip))
        draft = out.state.draft
        if out.state.step in (location.CONFIRM, location.PICK):
            outcomes["confirmed"] += 1
            offered_right += bool(grids & {c.grid_code for c in draft.candidates})
        elif draft is not None and draft.location_done and draft.grid_code:
            outcomes["silent"] += 1
        else:
            outcomes["unmatched"] += 1
    matched = outcomes["confirmed"] + outcomes["silent"]
    share = outcomes["confirmed"] / matched if matched else 0.0
    print(f"同音错字的地名（{len(typed)} 个）：与群众确认 {outcomes['confirmed']}，未经确认直接定位 {outcomes['silent']}，"
          f"没认出 {outcomes['unmatched']}；认出的当中经群众确认的比例 {share:.0%}；"
          f"确认时给出的选项里有正确网格 {offered_right}/{outcomes['confirmed']}")


def _near_spellings(names: list[str]) -> list[tuple[str, str]]:
    """(the name with one character replaced by the commonest other character of the same sound,
    the name) for every name where such a character exists; the sound table is jieba's dictionary."""
    frequency: dict[str, int] = {}
    with open(jieba.get_dict_file().name, encoding="utf-8") as handle:  # type: ignore[attr-defined]
        for line in handle:
            word, count, *_ = line.split()
            if len(word) == 1:
                frequency[word] = int(count)
    by_sound: dict[str, list[str]] = {}
    for char, _ in sorted(frequency.items(), key=lambda item: -item[1]):
        by_sound.setdefault(lazy_pinyin(char)[0], []).append(char)
    slips = []
    for name in dict.fromkeys(names):
        for i, char in enumerate(name):
            other = next((c for c in by_sound.get(lazy_pinyin(char)[0], []) if c != char), None)
            if other is not None and "\u4e00" <= char <= "\u9fff":
                slips.append((name[:i] + other + name[i + 1:], name))
                break
    return slips


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="play every script this many times")
    asyncio.run(main(parser.parse_args().repeat))
