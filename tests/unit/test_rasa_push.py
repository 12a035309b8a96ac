"""The [rasa] push setting, and the rasa/ assistant answering the intent the notifier triggers."""

from pathlib import Path

import pytest
import yaml

from bot.rasa_notifier import INTENT, NUMBER_ENTITY, TEXT_ENTITY
from bot.rasa_settings import RasaPush
from bot.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
GOOD = (ROOT / "config.toml").read_text(encoding="utf-8")
DOMAIN = yaml.safe_load((ROOT / "rasa" / "domain.yml").read_text(encoding="utf-8"))
RULES = yaml.safe_load((ROOT / "rasa" / "data" / "rules.yml").read_text(encoding="utf-8"))["rules"]


def with_rasa(tmp_path: Path, **values: object) -> Path:
    """The shipped config with its [rasa] section replaced by these values."""
    before, _, rest = GOOD.partition("[rasa]\n")
    after = rest[rest.index("\n[") :]
    lines = "".join(f"{key} = {value!r}\n" for key, value in values.items())
    path = tmp_path / "config.toml"
    path.write_text(f"{before}[rasa]\n{lines}{after}", encoding="utf-8")
    return path


def test_the_shipped_config_leaves_the_push_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MINSHENG_DATABASE_URL", raising=False)
    assert RasaPush.from_settings(load_settings(ROOT / "config.toml")) is None


def test_a_server_url_turns_it_on_with_the_token_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINSHENG_RASA_TOKEN", "thisismysecret")
    settings = load_settings(with_rasa(tmp_path, server_url="http://rasa.internal:5005/"))
    assert RasaPush.from_settings(settings) == RasaPush("http://rasa.internal:5005", "thisismysecret", 10.0)


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        ({"server_url": "127.0.0.1:5005"}, r"rasa 部分的 server_url 应是 Rasa 服务的地址"),
        ({"server_url": "http://rasa:abc"}, r"rasa 部分的 server_url"),
        ({"server_url": "http://rasa:5005?token=x"}, r"rasa 部分的 server_url"),
        ({"server_url": "http://rasa:5005", "timeout_seconds": 0}, r"rasa 部分的 timeout_seconds 应是大于 0 的秒数"),
    ],
)
def test_a_bad_value_is_named_in_chinese(tmp_path: Path, values: dict[str, object], fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        RasaPush.from_settings(load_settings(with_rasa(tmp_path, **values)))


def test_the_assistant_knows_the_pushed_intent_and_utters_its_text() -> None:
    assert INTENT in DOMAIN["intents"] and {TEXT_ENTITY, NUMBER_ENTITY} <= set(DOMAIN["entities"])
    [mapping] = DOMAIN["slots"][TEXT_ENTITY]["mappings"]
    assert mapping == {"type": "from_entity", "entity": TEXT_ENTITY, "intent": INTENT}
    reactions = [r["steps"][:2] for r in RULES if r["steps"][0].get("intent") == INTENT]
    assert reactions == [[{"intent": INTENT}, {"action": "utter_case_update"}]] * 2
    assert DOMAIN["responses"]["utter_case_update"] == [{"text": "{" + TEXT_ENTITY + "}"}]


def test_a_push_during_the_form_is_not_taken_as_an_answer() -> None:
    assert INTENT in DOMAIN["forms"]["petition_form"]["ignored_intents"]
