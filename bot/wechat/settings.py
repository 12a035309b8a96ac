"""The [wechat] section, read without importing wechatpy: a server without an AppID never loads it.

Secrets (AppSecret, the server Token, the EncodingAESKey) come from environment variables whose
names the config gives, so config.toml can be committed as it is.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.settings import Settings, is_http_url

API_BASE = "https://api.weixin.qq.com/cgi-bin/"
ENCRYPTIONS = ("plain", "safe")
TEMPLATE_FIELDS = ("number", "status", "time", "note")
MENU_KEYS = ("report", "status", "help")


@dataclass(frozen=True)
class MenuItem:
    name: str
    key: str


@dataclass(frozen=True)
class WeChatSettings:
    app_id: str
    secret: str = field(repr=False)
    token: str = field(repr=False)
    aes_key: str = field(default="", repr=False)
    path: str = "/wechat"
    encryption: str = "safe"
    api_base: str = API_BASE
    answer_within_seconds: float = 4.0
    window_hours: float = 48
    template_id: str = ""
    template_fields: Mapping[str, str] = field(default_factory=dict)
    menu: tuple[MenuItem, ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings) -> "WeChatSettings | None":
        """None when no AppID is configured: the WeChat channel is then simply off."""
        section = settings.section("wechat")
        app_id = _env(section, "app_id_env", "MINSHENG_WECHAT_APP_ID")
        if not app_id:
            return None
        token = _env(section, "token_env", "MINSHENG_WECHAT_TOKEN")
        secret = _env(section, "secret_env", "MINSHENG_WECHAT_SECRET")
        if not token or not secret:
            raise ValueError("[wechat] 已设置 AppID，还需设置服务器令牌（token_env）和 AppSecret（secret_env）所指的环境变量")
        encryption = str(section.get("encryption", "safe"))
        if encryption not in ENCRYPTIONS:
            raise ValueError(f"[wechat] encryption 只能是 plain（明文模式）或 safe（安全模式），而不是 {encryption!r}")
        aes_key = _env(section, "aes_key_env", "MINSHENG_WECHAT_AES_KEY")
        if encryption == "safe" and len(aes_key) != 43:
            raise ValueError("[wechat] 安全模式需要 43 位的 EncodingAESKey（aes_key_env 所指的环境变量），请从公众平台复制")
        api_base = str(section.get("api_base", "")).strip() or API_BASE
        if not is_http_url(api_base):
            raise ValueError(f"[wechat] api_base 应是接口地址，如 {API_BASE}，而不是 {api_base!r}")
        path = str(section.get("path", "/wechat"))
        if not path.startswith("/"):
            raise ValueError(f"[wechat] path 应以 / 开头，如 /wechat，而不是 {path!r}")
        return cls(
            app_id=app_id, secret=secret, token=token, aes_key=aes_key, path=path, encryption=encryption,
            api_base=api_base.rstrip("/") + "/",
            answer_within_seconds=_seconds(section, "answer_within_seconds", 4.0, most=4.5),
            window_hours=_seconds(section, "window_hours", 48, most=48),
            template_id=str(section.get("template", {}).get("id", "")),
            template_fields=_template_fields(section.get("template", {})),
            menu=_menu(section.get("menu", [])),
        )


def _env(section: Mapping[str, Any], key: str, default: str) -> str:
    return os.environ.get(str(section.get(key, default)), "").strip()


def _seconds(section: Mapping[str, Any], key: str, default: float, most: float) -> float:
    """A positive number no larger than WeChat allows (it waits 5 s for an answer; the window is 48 h)."""
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= most:
        raise ValueError(f"[wechat] {key} 应是大于 0、不超过 {most:g} 的数，而不是 {value!r}")
    return float(value)


def _template_fields(section: Mapping[str, Any]) -> dict[str, str]:
    fields = {name: str(section[name]) for name in TEMPLATE_FIELDS if section.get(name)}
    if section.get("id") and set(fields) != set(TEMPLATE_FIELDS):
        missing = "、".join(n for n in TEMPLATE_FIELDS if n not in fields)
        raise ValueError(f"[wechat.template] 已设置模板 id，还需写明这些内容对应的模板字段：{missing}")
    return fields


def _menu(items: Any) -> tuple[MenuItem, ...]:
    if not isinstance(items, list) or len(items) > 3:
        raise ValueError("[[wechat.menu]] 最多三项，每项有 name 和 key")
    menu = []
    for item in items:
        name, key = str(item.get("name", "")), str(item.get("key", ""))
        if not name or key not in MENU_KEYS:
            raise ValueError(f"[[wechat.menu]] 每项需要 name，key 只能是 {'、'.join(MENU_KEYS)}，而不是 {key!r}")
        menu.append(MenuItem(name, key))
    return tuple(menu)
