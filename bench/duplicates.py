"""并单 figures: how well the duplicate finder tells one problem reported twice (precision and recall
on a labelled pair set of real messages), and how long one check takes among 100,000 open cases.

Run: python bench/duplicates.py [--open 100000] [--checks 300] [--db sqlite,postgresql]

The pair set (bench/duplicate_pairs.csv) names messages of ../shared/data/messages_dev.csv by the
first 12 hex digits of the SHA-1 of their text; the messages themselves stay in ../shared/data and
are read from there at run time. How it was labelled: every pair of the 2,316 messages that any of
three different readings found alike was reviewed by hand (character-bigram TF-IDF cosine ≥ 0.15,
jieba-word TF-IDF cosine ≥ 0.2, or title character-bigram cosine ≥ 0.4: 538 pairs), and marked
the same problem (1) when one answer would settle both: the same estate, road, firm, school or
person and the same matter (reposts, a letter sent to several officials, neighbours of one estate
reporting one fault, a follow-up on the same grievance). Two residents asking about the same
policy count as one problem only where the place and the year agree. Every pair outside the
reviewed 538 is taken as two problems, so recall is measured against what some reading could
find, and precision over all 2.68 million pairs, with no grid or date to narrow them as the
finder has: the figures are a floor for precision in a district, where only open cases of the
same and neighbouring grids in the last 30 days are compared. The `label` column (the official
topic field) stands for the case's topic in the topic rule.
"""

import argparse
import asyncio
import csv
import hashlib
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, text  # noqa: E402

from bench.common import ROOT, percentiles, scratch_database  # noqa: E402
from bot.bootstrap import build_app  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from handlers.case import Case  # noqa: E402
from handlers.duplicates import SIGNATURE_BYTES, DuplicatePolicy, signature_matrix, signature  # noqa: E402
from handlers.status import MERGEABLE, Status  # noqa: E402
from storage.duplicate_queries import duplicate_candidates  # noqa: E402
from storage.importers.registry import import_district  # noqa: E402
from storage.models import CaseRow  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "messages_dev.csv"
PAIRS = Path(__file__).with_name("duplicate_pairs.csv")
THRESHOLDS = (0.15, 0.2, 0.25, 0.3, 0.4)


def text_id(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def load_messages() -> list[dict[str, str]]:
    if not DATA.exists():
        sys.exit(f"找不到 {DATA}：这些真实留言只在 ../shared/data 中，不随项目分发。")
    with DATA.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def labelled_pairs(messages: list[dict[str, str]]) -> set[tuple[int, int]]:
    """The pairs marked the same problem, as index pairs into `messages` (i < j)."""
    rows: dict[str, list[int]] = {}
    for i, message in enumerate(messages):
        rows.setdefault(text_id(message["text"]), []).append(i)
    same = set()
    with PAIRS.open(encoding="utf-8") as f:
        for pair in csv.DictReader(f):
            if pair["same"] == "1":
                same |= {(min(i, j), max(i, j)) for i in rows[pair["a"]] for j in rows[pair["b"]] if i != j}
    return same


def quality(messages: list[dict[str, str]], configured: DuplicatePolicy) -> None:
    same = labelled_pairs(messages)
    matrix = signature_matrix([signature(m["text"]) or b"\xff" * SIGNATURE_BYTES for m in messages])
    topics = np.array([m["label"] for m in messages])
    upper = np.triu(np.ones((len(matrix), len(matrix)), dtype=bool), 1)
    scores = np.stack([(matrix == row).mean(axis=1) for row in matrix])
    agree = topics[:, None] == topics[None, :]
    print(f"标注：{len(messages)} 条留言，{len(same)} 对为同一问题（其余 {upper.sum() - len(same):,} 对视为不同问题）")
    print("阈值   不同主题的阈值   找出   精确率   召回率")
    for threshold in THRESHOLDS:
        for other in sorted({threshold, max(threshold, configured.other_topic_threshold)}):
            found = upper & (scores >= np.where(agree, threshold, other))
            pairs = set(zip(*(axis.tolist() for axis in np.nonzero(found)), strict=True))
            hits = len(pairs & same)
            mark = "  ← config.toml" if (threshold, other) == (configured.threshold,
                                                               configured.other_topic_threshold) else ""
            print(f"{threshold:<6} {other:<16} {len(pairs):<6} {hits / max(len(pairs), 1):<8.3f} "
                  f"{hits / len(same):.3f}{mark}")


async def speed(kind: str, open_cases: int, checks: int, messages: list[dict[str, str]]) -> None:
    async with scratch_database(kind) as url:
        if url is None:
            return
        os.environ["MINSHENG_DATABASE_URL"] = url
        app = build_app(load_settings(ROOT / "config.toml"))
        files = app.settings.district_files
        async with app.sessions() as session:
            await import_district(session, files["grids"], files["places"], files["departments"])
        async with app.uow() as uow:
            grids = {g.code: g for g in await uow.directory.grids()}
        codes = sorted(grids)
        now = datetime.now(UTC)
        rng = random.Random(14)
        texts = [m["text"] for m in messages]
        sigs = [signature(t) for t in texts]
        statuses = sorted(s.value for s in MERGEABLE)
        start = time.perf_counter()
        async with app.sessions() as session:
            for first in range(0, open_cases, 5000):
                rows = []
                for i in range(first, min(first + 5000, open_cases)):
                    k = i % len(texts)
                    at = now - timedelta(days=rng.uniform(0, app.policies.duplicates.days))
                    rows.append(dict(number=f"MS-B-{i:06d}", text=texts[k], channel="web", user_ref=f"web:{i}",
                                     topic=messages[k]["label"], grid_code=rng.choice(codes),
                                     status=rng.choice(statuses),
                                     created_at=at, updated_at=at, text_signature=sigs[k], version=1))
                await session.execute(insert(CaseRow), rows)
            await session.commit()
            await session.execute(text("ANALYZE cases"))  # as a database in service has its statistics
            await session.commit()
        print(f"{kind}: {open_cases:,} 件未办结诉求分布在 {len(codes)} 个网格、近 {app.policies.duplicates.days} 天内"
              f"（写入 {time.perf_counter() - start:.1f} s）")
        began = time.perf_counter()
        async with app.sessions() as session:
            await app.duplicate_index.nearby(session, codes, app.policies.duplicates.since(now), now)
        print(f"  进程第一次查重前载入签名：{time.perf_counter() - began:.2f} s（此后只读新受理的诉求）")
        samples, offered = [], 0
        for i in range(checks):
            k = rng.randrange(len(texts))
            case = Case(number=f"MS-NEW-{i}", text=texts[k], topic=messages[k]["label"], grid_code=rng.choice(codes),
                        status=Status.RECEIVED)
            began = time.perf_counter()
            async with app.sessions() as session:
                found = await duplicate_candidates(session, case, grids, app.policies.duplicates, now,
                                                   app.duplicate_index)
            samples.append((time.perf_counter() - began) * 1000)
            offered += bool(found)
        print(f"  一次查重（候选查询 + 相似度 + 读取命中的诉求）：{percentiles(samples)}；{offered}/{checks} 次给出可能重复"
              "（库中诉求由 2,316 条留言反复组成，附近几乎总有相同文本）")
        await app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--checks", type=int, default=300)
    parser.add_argument("--db", default="sqlite,postgresql")
    args = parser.parse_args()
    messages = load_messages()
    quality(messages, build_app(load_settings(ROOT / "config.toml")).policies.duplicates)
    for kind in args.db.split(","):
        asyncio.run(speed(kind, args.open, args.checks, messages))


if __name__ == "__main__":
    main()
