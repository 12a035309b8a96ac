"""Messages to a WeChat resident through the 公众号's APIs (客服消息, 菜单消息, 模板消息), run in
worker threads because wechatpy is synchronous. Errors are WeChat's own codes, mapped by callers."""

import asyncio
import functools
import logging
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Mapping, Sequence

import requests
from wechatpy.exceptions import WeChatClientException

from bot.wechat.client import SharedTokenClient, SharedTokens
from bot.wechat.render import Outgoing
from bot.wechat.settings import WeChatSettings
from storage.db import make_sync_engine

log = logging.getLogger(__name__)
SEND_THREADS = 16  # concurrent calls to WeChat's API; each waits on the network, not the CPU


class WeChatUnavailable(Exception):
    """WeChat could not be reached, or answered with an error code (`errcode`, None for HTTP errors)."""

    def __init__(self, errcode: int | None, detail: str) -> None:
        super().__init__(detail)
        self.errcode = errcode


class WeChatSender:
    """Calls run in threads of the sender's own: a slow WeChat API must not hold up the threads the
    dialogue's NLU runs in (asyncio's default pool)."""

    def __init__(self, client: SharedTokenClient, threads: int = SEND_THREADS) -> None:
        self.client = client
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="wechat-send")

    @classmethod
    def open(cls, config: WeChatSettings, database_url: str) -> "WeChatSender":
        """A sender whose token lives in the app's database; `close()` releases its connections."""
        engine = make_sync_engine(database_url)
        return cls(SharedTokenClient(config.app_id, config.secret, config.api_base, SharedTokens(engine)))

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.client.tokens.engine.dispose()

    async def deliver(self, open_id: str, messages: Sequence[Outgoing]) -> None:
        """In order; a 菜单消息 WeChat refuses (an account without that permission) goes as numbered text."""
        for message in messages:
            if message.options:
                try:
                    await self._call(self.client.message.send_msg_menu, open_id, message.msgmenu())
                    continue
                except WeChatUnavailable as exc:
                    if exc.errcode is None:
                        raise
                    log.warning("WeChat refused a menu message (%s); sending it as text", exc.errcode)
            await self._call(self.client.message.send_text, open_id, message.as_text())

    async def template(self, open_id: str, template_id: str, data: Mapping[str, str]) -> None:
        fields = {name: {"value": value} for name, value in data.items()}
        await self._call(self.client.message.send_template, open_id, template_id, fields)

    async def create_menu(self, buttons: Sequence[Mapping[str, str]]) -> None:
        await self._call(self.client.menu.create, {"button": [dict(b) for b in buttons]})

    async def _call(self, method: object, *args: object) -> None:
        try:
            await asyncio.get_running_loop().run_in_executor(self._pool, functools.partial(method, *args))  # type: ignore[arg-type]
        except WeChatClientException as exc:
            raise WeChatUnavailable(_code(exc.errcode), f"微信接口返回 {exc.errcode}：{exc.errmsg}") from exc
        except requests.RequestException as exc:
            raise WeChatUnavailable(None, f"微信接口无法连接：{type(exc).__name__}") from exc


def _code(errcode: object) -> int | None:
    try:
        return int(errcode)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
