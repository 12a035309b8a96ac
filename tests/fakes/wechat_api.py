"""A local stand-in for WeChat, for tests and benches, on 127.0.0.1 (written for this project).

Two sides, as the real platform has them:
- the API our channel calls through wechatpy's real HTTP client (`/cgi-bin/token`, 客服消息,
  模板消息, 菜单), with the error codes WeChat answers (40001/42001 for a rejected token, 45015
  when the 48-hour window has closed, 43004 when the resident does not follow);
- the platform that posts residents' messages to our server address, signed and (safe mode)
  encrypted with wechatpy's own crypto, and posts the same message again when no answer comes
  within its timeout (5 s on the real platform), up to three times.
"""

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import xmltodict
from aiohttp import web
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

from tests.fakes.servers import start_fake

APP_ID = "wx1234567890abcdef"
SECRET = "fake-app-secret"
TOKEN = "minshengtesttoken"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as 公众平台 issues them
ACCOUNT = "gh_minsheng"


@dataclass
class Pushed:
    open_id: str
    kind: str  # "text", "msgmenu" or "template"
    body: dict[str, Any]

    @property
    def text(self) -> str:
        if self.kind == "text":
            return str(self.body["text"]["content"])
        if self.kind == "msgmenu":
            menu = self.body["msgmenu"]
            return "\n".join([menu["head_content"], *(i["content"] for i in menu["list"])])
        return json.dumps(self.body["data"], ensure_ascii=False)

    @property
    def options(self) -> list[str]:
        return [i["content"] for i in self.body["msgmenu"]["list"]] if self.kind == "msgmenu" else []


@dataclass
class FakeWeChat:
    encryption: str = "safe"
    timeout: float = 5.0  # the platform's wait before it posts a message again
    pushed: list[Pushed] = field(default_factory=list)
    menus: list[dict[str, Any]] = field(default_factory=list)
    token_fetches: int = 0
    window_closed: set[str] = field(default_factory=set)
    not_following: set[str] = field(default_factory=set)
    menu_refused: bool = False  # an account without the 菜单消息 permission
    server_url: str = ""  # our endpoint, once known
    deliveries: int = 0  # POSTs made to our endpoint, redeliveries included
    _valid: set[str] = field(default_factory=set)
    _ids: "itertools.count[int]" = field(default_factory=lambda: itertools.count(7_000_000_000_000_000_001))

    def __post_init__(self) -> None:
        self.crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
        self.runner: web.AppRunner | None = None
        self.port = 0
        # One client for every post: plain http on loopback, no certificates to load per request.
        self._client = httpx.AsyncClient(verify=False, trust_env=False, limits=httpx.Limits(max_connections=None))

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/cgi-bin/"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/cgi-bin/token", self._token)
        app.router.add_post("/cgi-bin/message/custom/send", self._custom)
        app.router.add_post("/cgi-bin/message/template/send", self._template)
        app.router.add_post("/cgi-bin/menu/create", self._menu)
        self.runner, self.port = await start_fake(app)

    async def stop(self) -> None:
        await self._client.aclose()
        if self.runner is not None:
            await self.runner.cleanup()

    def expire_tokens(self) -> None:
        """Every token handed out so far is rejected from now on (42001), as after its two hours."""
        self._valid.clear()

    # -- the API side ------------------------------------------------------------------------

    async def _token(self, request: web.Request) -> web.Response:
        q = request.query
        if (q.get("appid"), q.get("secret")) != (APP_ID, SECRET):
            return web.json_response({"errcode": 40125, "errmsg": "invalid appsecret"})
        self.token_fetches += 1
        token = f"ACCESS-{self.token_fetches}"
        self._valid = {token}  # a new token replaces the old one, as on the real platform
        return web.json_response({"access_token": token, "expires_in": 7200})

    def _refusal(self, request: web.Request, open_id: str, closed_window_applies: bool) -> web.Response | None:
        token = request.query.get("access_token", "")
        if token not in self._valid:
            return web.json_response({"errcode": 42001 if token.startswith("ACCESS-") else 40001,
                                      "errmsg": "access_token expired"})
        if open_id in self.not_following:
            return web.json_response({"errcode": 43004, "errmsg": "require subscribe"})
        if closed_window_applies and open_id in self.window_closed:
            return web.json_response({"errcode": 45015, "errmsg": "response out of time limit"})
        return None

    async def _custom(self, request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        refused = self._refusal(request, body["touser"], closed_window_applies=True)
        if refused is not None:
            return refused
        if body["msgtype"] == "msgmenu" and self.menu_refused:
            return web.json_response({"errcode": 48001, "errmsg": "api unauthorized"})
        self.pushed.append(Pushed(body["touser"], body["msgtype"], body))
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _template(self, request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        refused = self._refusal(request, body["touser"], closed_window_applies=False)
        if refused is not None:
            return refused
        self.pushed.append(Pushed(body["touser"], "template", body))
        return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": next(self._ids)})

    async def _menu(self, request: web.Request) -> web.Response:
        refused = self._refusal(request, "", closed_window_applies=False)
        if refused is not None:
            return refused
        self.menus.append(json.loads(await request.read()))
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    def to(self, open_id: str) -> list[Pushed]:
        return [p for p in self.pushed if p.open_id == open_id]

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 10) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = predicate()
            if found:
                return found
            await asyncio.sleep(0.02)
        raise AssertionError("the fake WeChat never saw what the test waited for")

    # -- the platform side --------------------------------------------------------------------

    def message(self, open_id: str, msg_type: str, **fields: Any) -> dict[str, Any]:
        """A message as WeChat posts it; events have no MsgId."""
        xml = {"ToUserName": ACCOUNT, "FromUserName": open_id, "CreateTime": int(time.time()), "MsgType": msg_type}
        if msg_type != "event":
            xml["MsgId"] = next(self._ids)
        return xml | fields

    async def post(self, message: dict[str, Any], redeliver: bool = True) -> str:
        """Post as the platform does: the same body again when no answer comes in time, at most three
        times in all; returns our answer (decrypted), "" when every try timed out."""
        body, query = self._sealed(message)
        for _ in range(3 if redeliver else 1):
            self.deliveries += 1
            try:
                response = await self._client.post(self.server_url, params=query, content=body, timeout=self.timeout)
            except httpx.TimeoutException:
                continue
            response.raise_for_status()
            return self._opened(response.text, query)
        return ""

    async def say(self, open_id: str, text: str) -> str:
        return await self.post(self.message(open_id, "text", Content=text))

    async def tap(self, open_id: str, option: str, menu_id: str = "1") -> str:
        """A tapped option of a 菜单消息 comes back as a text with bizmsgmenuid."""
        return await self.post(self.message(open_id, "text", Content=option, bizmsgmenuid=menu_id))

    def _sealed(self, message: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
        xml = "<xml>" + "".join(f"<{k}>{_cdata(v)}</{k}>" for k, v in message.items()) + "</xml>"
        timestamp, nonce = str(int(time.time())), f"n{next(self._ids)}"
        signer = WeChatSigner()
        signer.add_data(TOKEN, timestamp, nonce)
        query = {"signature": signer.signature, "timestamp": timestamp, "nonce": nonce, "openid": message["FromUserName"]}
        if self.encryption == "plain":
            return xml.encode(), query
        sealed = xmltodict.parse(self.crypto.encrypt_message(xml, nonce, timestamp))["xml"]
        envelope = f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><Encrypt><![CDATA[{sealed['Encrypt']}]]></Encrypt></xml>"
        return envelope.encode(), query | {"encrypt_type": "aes", "msg_signature": sealed["MsgSignature"]}

    def _opened(self, answer: str, query: dict[str, str]) -> str:
        if answer in ("", "success") or self.encryption == "plain" or not answer.lstrip().startswith("<xml"):
            return answer
        sealed = xmltodict.parse(answer)["xml"]
        return str(self.crypto.decrypt_message(answer, sealed["MsgSignature"], sealed["TimeStamp"], sealed["Nonce"]))


def reply_text(answer: str) -> str:
    """The text of a passive reply ("" for `success`)."""
    if not answer.lstrip().startswith("<xml"):
        return ""
    return str(xmltodict.parse(answer)["xml"].get("Content") or "")


def _cdata(value: Any) -> str:
    if isinstance(value, int | float):
        return str(value)
    return "<![CDATA[" + str(value).replace("]]>", "]]]]><![CDATA[>") + "]]>"
