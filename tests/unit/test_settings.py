"""config.toml mistakes are reported in one Chinese sentence that names the problem."""

from pathlib import Path

import pytest

from bot.settings import ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[2]
GOOD = (ROOT / "config.toml").read_text(encoding="utf-8")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_config_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MINSHENG_DATABASE_URL", raising=False)
    settings = load_settings(ROOT / "config.toml")
    assert settings.database_url == f"sqlite:///{ROOT}/var/minsheng.db"
    assert settings.sla["petition"].resolve.amount == 60 and settings.routing.dispatcher == "QH-DISPATCH"
    assert settings.district_files["grids"].exists()


def test_environment_overrides_the_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINSHENG_DATABASE_URL", "postgresql://db.example/minsheng")
    assert load_settings(ROOT / "config.toml").database_url == "postgresql://db.example/minsheng"


@pytest.mark.parametrize(
    ("edit", "fragment"),
    [
        (lambda t: t.replace('dispatcher = "QH-DISPATCH"', ""), "缺少必填项 'dispatcher'"),
        (lambda t: t.replace('resolve = "60 days"', 'resolve = "sixty"'), "时限格式不正确"),
        (lambda t: t.replace('category = "dispute"\nlevel = "grid"', 'category = "dispute"\nlevel = "village"'),
         "不在 ladder"),
        (lambda t: t + "\n[broken\n", "格式错误"),
    ],
)
def test_mistakes_are_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit, fragment: str) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("MINSHENG_DATABASE_URL", raising=False)
    with pytest.raises(ConfigError, match=fragment):
        load_settings(write(tmp_path, edit(GOOD)))


def test_missing_file_says_how_to_point_at_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="MINSHENG_CONFIG"):
        load_settings(tmp_path / "nope.toml")


def test_an_sms_gateway_address_may_carry_its_key_in_the_query(tmp_path: Path) -> None:
    from bot.sms_settings import SmsSettings

    text = GOOD.replace('webhook_url = ""\ntoken_env = "MINSHENG_SMS_TOKEN"',
                        'webhook_url = "https://sms.example.cn/send?key=abc"\ntoken_env = "MINSHENG_SMS_TOKEN"')
    sms = SmsSettings.from_settings(load_settings(write(tmp_path, text)))
    assert sms is not None and sms.webhook_url == "https://sms.example.cn/send?key=abc" and sms.timeout_seconds == 10


def test_the_category_section_changes_a_borderline_and_names_a_mistake(tmp_path: Path) -> None:
    assert load_settings(ROOT / "config.toml").category_guide.implied("company") == "dispute"
    changed = GOOD.replace("[category]\n", "[category]\nparty_category = { company = \"petition\" }\n")
    assert changed != GOOD
    assert load_settings(write(tmp_path, changed)).category_guide.implied("company") == "petition"
    wrong = GOOD.replace("[category]\n", "[category]\nparty_category = { company = \"complaint\" }\n")
    with pytest.raises(ConfigError, match="party_category 的取值必须是"):
        load_settings(write(tmp_path, wrong))
