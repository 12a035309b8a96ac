"""The [wechat] section: off without an AppID, every mistake named in Chinese, secrets never shown."""

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.settings import Settings, load_settings
from bot.wechat.settings import WeChatSettings
from tests.fakes.wechat_channel import ENV

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def shipped(monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.delenv("MINSHENG_DATABASE_URL", raising=False)
    return load_settings(ROOT / "config.toml")


def with_wechat(settings: Settings, **values: Any) -> Settings:
    return replace(settings, raw={**settings.raw, "wechat": {**settings.raw["wechat"], **values}})


def test_the_shipped_config_leaves_wechat_off_until_an_app_id_is_set(shipped: Settings,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    assert WeChatSettings.from_settings(shipped) is None
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    config = WeChatSettings.from_settings(shipped)
    assert config is not None and (config.encryption, config.path, config.window_hours) == ("safe", "/wechat", 48)
    assert [item.key for item in config.menu] == ["report", "status", "help"]
    assert ENV["MINSHENG_WECHAT_SECRET"] not in repr(config) and ENV["MINSHENG_WECHAT_AES_KEY"] not in repr(config)


@pytest.mark.parametrize(("values", "unset", "said"), [
    ({}, "MINSHENG_WECHAT_TOKEN", "还需设置服务器令牌"),
    ({}, "MINSHENG_WECHAT_AES_KEY", "安全模式需要 43 位的 EncodingAESKey"),
    ({"encryption": "compat"}, None, "encryption 只能是 plain（明文模式）或 safe（安全模式）"),
    ({"answer_within_seconds": 6}, None, "answer_within_seconds 应是大于 0、不超过 4.5 的数"),
    ({"api_base": "api.weixin.qq.com"}, None, "api_base 应是接口地址"),
    ({"path": "wechat"}, None, "path 应以 / 开头"),
    ({"menu": [{"name": "投诉", "key": "complain"}]}, None, "key 只能是 report、status、help"),
    ({"template": {"id": "TPL", "number": "k1"}}, None, "还需写明这些内容对应的模板字段：status、time、note"),
])
def test_a_mistake_is_named_in_chinese(shipped: Settings, monkeypatch: pytest.MonkeyPatch, values: dict[str, Any],
                                       unset: str | None, said: str) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    if unset:
        monkeypatch.delenv(unset)
    with pytest.raises(ValueError, match=said):
        WeChatSettings.from_settings(with_wechat(shipped, **values))


def test_plain_mode_needs_no_aes_key(shipped: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("MINSHENG_WECHAT_AES_KEY")
    config = WeChatSettings.from_settings(with_wechat(shipped, encryption="plain"))
    assert config is not None and config.aes_key == ""
