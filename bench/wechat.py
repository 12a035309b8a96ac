"""WeChat channel figures: N concurrent residents filing cases through the 公众号 on loopback.

The server (the whole web edge with the WeChat channel, as `minsheng serve` wires it) runs in its
own process; this one plays WeChat: the platform posting residents' signed, AES-encrypted messages
to the server address, and the API that takes 客服消息 (tests/fakes/wechat_api.py, real wechatpy
client on the server side). Prints the inbound answer latency (POST → answer; WeChat waits 5 s)
and, after staff accept every filed case, the status-push throughput through the outbox.

Residents read the answer and type for 2–5 s before each message (`--pause`, as bench/web.py's
open-loop residents do); `--pause 0-0` measures the server saturated instead.

Run: python bench/wechat.py [--residents 200] [--pause 2-5] [--db sqlite,postgresql] [--dialogue real|keyword]
"""

import argparse
import asyncio
import multiprocessing
import os
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, percentiles, scratch_database  # noqa: E402
from bench.web import AFFIRM, CASE_NUMBER, COMPLAINTS, MAX_TURNS, free_port, wait_ready  # noqa: E402
from tests.fakes.wechat_api import FakeWeChat, reply_text  # noqa: E402
from tests.fakes.wechat_channel import ENV, TEMPLATE  # noqa: E402


def serve(url: str, port: int, api_base: str, dialogue_kind: str) -> None:
    asyncio.run(_serve(url, port, api_base, dialogue_kind))


async def _serve(url: str, port: int, api_base: str, dialogue_kind: str) -> None:
    import uvicorn

    from bot.bootstrap import build_app
    from bot.channels import Live, Stage
    from bot.limits import Limits, SenderGate
    from bot.settings import load_settings
    from bot.web.app import create_web_app, web_deps
    from bot.web.hub import LiveHub
    from bot.wechat import channel
    from storage.conversation_store import SqlConversationStore
    from storage.importers.registry import import_district

    os.environ.update(ENV, MINSHENG_DATABASE_URL=url)
    settings = load_settings(os.environ.get("MINSHENG_CONFIG") or ROOT / "config.toml")
    settings = replace(settings, raw={**settings.raw, "wechat": {"api_base": api_base, "template": TEMPLATE}})
    app = build_app(settings)
    store, hub = SqlConversationStore(app.sessions), LiveHub()
    files = app.settings.district_files
    async with app.sessions() as session:
        await import_district(session, files["grids"], files["places"], files["departments"])
    served = channel.configure(Stage(settings, store, hub))
    assert served is not None
    if dialogue_kind == "real":
        from bot.dialogue_root import build_dialogue
        from nlu.retrain import ensure_model

        await asyncio.to_thread(ensure_model, app.settings.models_dir)
        dialogue = await build_dialogue(app)
    else:
        from tests.fakes.understanding import keyword_dialogue

        dialogue = await keyword_dialogue(app)
    gate = SenderGate(Limits(messages_per_minute=600, burst=100))  # one resident per open_id; no flood here
    attached = await served.attach(Live(app, dialogue, gate))
    web = create_web_app(web_deps(app, dialogue, store, hub), attached.routers)
    config = uvicorn.Config(web, host="127.0.0.1", port=port, log_level="warning", access_log=False, backlog=2048)
    await uvicorn.Server(config).serve()
    await served.close()
    await app.close()


async def resident(fake: FakeWeChat, index: int, latencies: list[float], pause: tuple[float, float]) -> str | None:
    """One resident filing one case; the case number once the bot has said it."""
    open_id = f"oBench{index:022d}"
    pauses = random.Random(index)

    async def post(**content: str) -> str:
        await asyncio.sleep(pauses.uniform(*pause))
        seen = len(fake.to(open_id))
        started = time.perf_counter()
        answer = await fake.post(fake.message(open_id, "text", **content), redeliver=False)
        latencies.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(0.05)  # the 客服消息 that follow a passive reply
        return reply_text(answer) + "\n".join(p.text for p in fake.to(open_id)[seen:])

    shown = await post(Content=COMPLAINTS[index % len(COMPLAINTS)])
    for _ in range(MAX_TURNS):
        number = CASE_NUMBER.search(shown)
        if number:
            return number.group()
        menus = [p for p in fake.to(open_id) if p.options]
        options = menus[-1].options if menus else []
        pick = next((o for o in options if any(word in o for word in AFFIRM)), options[0] if options else None)
        shown = await post(Content=pick, bizmsgmenuid="1") if pick else await post(Content="是的")
    return None


async def pushes(url: str, api_base: str, numbers: list[str]) -> None:
    """Staff accept every case; the outbox sends each push through the WeChat notifier."""
    from bot.bootstrap import build_app
    from bot.channels import Stage
    from bot.settings import load_settings
    from bot.web.hub import LiveHub
    from bot.wechat import channel
    from handlers import commands as c
    from storage.conversation_store import SqlConversationStore

    os.environ.update(ENV, MINSHENG_DATABASE_URL=url)
    settings = load_settings(os.environ.get("MINSHENG_CONFIG") or ROOT / "config.toml")
    settings = replace(settings, raw={**settings.raw, "wechat": {"api_base": api_base, "template": TEMPLATE}})
    app = build_app(settings)
    served = channel.configure(Stage(settings, SqlConversationStore(app.sessions), LiveHub()))
    assert served is not None
    app.notifiers["wechat"] = served.notifier  # type: ignore[assignment]
    for number in numbers:
        await app.bus.handle(c.AcceptCase(actor="staff:bench", number=number))
    deliverer, sent, started = app.deliverer(), 0, time.perf_counter()
    while (report := await deliverer.deliver_due()).sent:
        sent += report.sent
    elapsed = time.perf_counter() - started
    print(f"    进度推送：{sent} 条，用时 {elapsed:.1f} s，{sent / elapsed:.1f} 条/秒（客服消息，经 wechatpy）")
    await served.close()
    await app.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", default="200")
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--dialogue", choices=("real", "keyword"), default="real")
    parser.add_argument("--pause", default="2-5", help="seconds a resident reads and types, low-high")
    args = parser.parse_args()
    low, _, high = args.pause.partition("-")
    pause = (float(low), float(high or low))
    print(f"微信公众号并发测试（安全模式，对话：{'完整对话+语义模型' if args.dialogue == 'real' else '完整对话+关键词理解'}，本机回环）")
    for kind in args.db.split(","):
        async with scratch_database(kind) as url:
            if url is None:
                continue
            fake = FakeWeChat(encryption="safe")
            await fake.start()
            port = free_port()
            server = multiprocessing.get_context("spawn").Process(
                target=serve, args=(url, port, fake.api_base, args.dialogue))
            server.start()
            base = f"http://127.0.0.1:{port}"
            try:
                await wait_ready(base, server)
                fake.server_url = f"{base}/wechat"
                print(f"{kind}:")
                for count in (int(n) for n in args.residents.split(",")):
                    latencies: list[float] = []
                    started = time.perf_counter()
                    numbers = await asyncio.gather(*(resident(fake, i, latencies, pause) for i in range(count)))
                    elapsed = time.perf_counter() - started
                    filed = [n for n in numbers if n]
                    late = sum(1 for ms in latencies if ms > 5000)
                    print(f"  N={count:<4} 每条消息前阅读输入 {args.pause} 秒：立案 {len(filed)}/{count}，"
                          f"共 {len(latencies)} 条消息（{len(latencies) / elapsed:.1f} 条/秒），用时 {elapsed:.1f} s；"
                          f"应答 {percentiles(latencies)}；超过 5 秒 {late} 次")
                    await pushes(url, fake.api_base, filed)
            finally:
                server.terminate()
                server.join(10)
                await fake.stop()


if __name__ == "__main__":
    asyncio.run(main())
