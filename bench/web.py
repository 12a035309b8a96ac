"""Web chat figures: N concurrent residents, each filing a case over the WebSocket on loopback.

The server runs in its own process (as `minsheng serve` would), the residents in this one.
Prints turns/s and p50/p95 turn latency (message sent → its ack) for each database and N.

Run: python bench/web.py [--residents 50,200] [--db sqlite,postgresql] [--dialogue real|keyword]
(MINSHENG_CONFIG picks another config.toml, e.g. one whose models_dir holds a freshly trained model.)
`keyword` runs the real dialogue with the tests' keyword understanding instead of the NLU models,
to measure the channel and the dialogue without classification cost.
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import re
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

from bench.common import ROOT, percentiles, scratch_database  # noqa: E402

COMPLAINTS = ["幸福里小区门口的路灯坏了一个多月了", "楼上卫生间漏水，天花板都泡坏了", "工地晚上十一点还在施工，吵得睡不着",
              "小区垃圾好几天没人清运了", "公司拖欠我三个月工资不给"]
AFFIRM = ("是", "对", "确认", "提交", "不留", "匿名", "跳过")
CASE_NUMBER = re.compile(r"[A-Z]+-\d{8}-\d{4}")
MAX_TURNS = 14


def serve(url: str, port: int, dialogue_kind: str) -> None:
    """The server process: the whole web edge on `url`, as `minsheng serve` wires it."""
    asyncio.run(_serve(url, port, dialogue_kind))


async def _serve(url: str, port: int, dialogue_kind: str) -> None:
    import uvicorn

    from bot.bootstrap import build_app
    from bot.settings import load_settings
    from bot.web.app import create_web_app, web_deps
    from bot.web.hub import LiveHub
    from bot.web.notifier import WebNotifier
    from storage.conversation_store import SqlConversationStore
    from storage.importers.registry import import_district

    os.environ["MINSHENG_DATABASE_URL"] = url
    app = build_app(load_settings(os.environ.get("MINSHENG_CONFIG") or ROOT / "config.toml"))
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
    config = uvicorn.Config(web, host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio",
                            access_log=False, backlog=2048)
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


async def resident(base: str, index: int, latencies: list[float]) -> bool:
    """One resident filing one case; True once the bot has answered with a case number."""
    # Plain http on loopback: skipping certificate loading keeps the client's CPU for the test.
    async with httpx.AsyncClient(base_url=base, verify=False, trust_env=False, timeout=60) as browser:
        token = (await browser.get("/")).cookies["ms_resident"]
    async with connect(base.replace("http", "ws") + "/ws", additional_headers={"Cookie": f"ms_resident={token}"},
                       open_timeout=60) as ws:
        json.loads(await ws.recv())  # the (empty) history
        move: dict = {"type": "text", "text": COMPLAINTS[index % len(COMPLAINTS)]}
        for turn in range(MAX_TURNS):
            move["id"] = f"bench-{index}-{turn:02d}-{time.monotonic_ns()}"
            started = time.perf_counter()
            await ws.send(json.dumps(move))
            replies = []
            while (message := json.loads(await ws.recv()))["type"] not in ("ack", "refused", "error"):
                if message["type"] == "reply":
                    replies.append(message)
            latencies.append((time.perf_counter() - started) * 1000)
            if message["type"] != "ack":
                return False
            if any(CASE_NUMBER.search(r["text"]) for r in replies):
                return True
            move = next_move(replies)
    return False


async def wave(base: str, count: int) -> None:
    latencies: list[float] = []
    started = time.perf_counter()
    outcomes = await asyncio.gather(*(resident(base, i, latencies) for i in range(count)), return_exceptions=True)
    elapsed = time.perf_counter() - started
    filed = sum(1 for o in outcomes if o is True)
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    print(f"  N={count:<4} 立案 {filed}/{count}，共 {len(latencies)} 轮，用时 {elapsed:.1f} s，"
          f"{len(latencies) / elapsed:.1f} 轮/秒；每轮 {percentiles(latencies)}")
    if errors:
        print(f"    {len(errors)} 位居民出错，例如：{errors[0]!r}")


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
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--dialogue", choices=("real", "keyword"), default="real")
    args = parser.parse_args()
    global LOCATION
    LOCATION = first_grid_point()
    print(f"网页端并发测试（对话：{'完整对话+语义模型' if args.dialogue == 'real' else '完整对话+关键词理解（不含语义模型）'}，本机回环）")
    for kind in args.db.split(","):
        async with scratch_database(kind) as url:
            if url is None:
                continue
            port = free_port()
            server = multiprocessing.get_context("spawn").Process(target=serve, args=(url, port, args.dialogue))
            server.start()
            base = f"http://127.0.0.1:{port}"
            try:
                await wait_ready(base, server)
                print(f"{kind}:")
                for count in (int(n) for n in args.residents.split(",")):
                    await wave(base, count)
            finally:
                server.terminate()
                server.join(10)


if __name__ == "__main__":
    asyncio.run(main())
