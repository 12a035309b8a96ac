"""Staff wording (bot/wording.py) and the dashboard's axes: no stored code reaches staff, counts
never get a half-case tick, and the current period is always labelled."""

import re
from pathlib import Path

import pytest

from bot.web.staff.charts import line_chart, stacked_bars, ticks
from bot.channels import CHANNELS
from bot.wording import actor_label, case_texts, channel_label, duration_label, model_label
from handlers.directory import Grid

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("code", "label"), [
    ("web", "网页"), ("telegram", "Telegram"), ("hotline", "12345热线"), ("terminal", "终端"),
    ("rasa", "Rasa 助手"), ("import", "历史导入"), ("wechat", "微信公众号"), ("open311", "Open311 接口"), ("carrier-pigeon", "其他渠道"), (None, "其他渠道"),
])
def test_channels_are_named_never_coded(code: str | None, label: str) -> None:
    assert channel_label(code) == label


def test_every_named_channel_is_chinese_or_a_product_name() -> None:
    assert all(not re.fullmatch(r"[a-z0-9]+", label) for label in (entry.label for entry in CHANNELS))


@pytest.mark.parametrize(("actor", "label"), [
    ("resident:web:web:9f86d081884c7d659a2feaa0c55ad015", "群众（网页）"),
    ("resident:hotline:hotline:13800138000", "群众（12345热线）"),
    ("resident:anonymous", "匿名群众"),
    ("staff:op1", "工作人员 op1"),
    ("system", "系统"),
    ("张三", "张三"),
])
def test_actors_are_said_as_who_they_are(actor: str, label: str) -> None:
    assert actor_label(actor) == label


def test_a_hotline_residents_phone_in_the_actor_id_is_not_shown() -> None:
    assert "13800138000" not in actor_label("resident:hotline:hotline:13800138000")


def test_model_versions_read_as_an_edition_and_a_local_training_time() -> None:
    assert model_label("0001-20261203T190414Z") == "第 1 版（2026-12-04 03:04 训练）"  # 19:04 UTC is 03:04 in Shanghai
    assert model_label("0012-20261201T010000Z") == "第 12 版（2026-12-01 09:00 训练）"
    assert model_label("未记录") == "未记录"
    assert model_label("abcd-20261201T010000Z") == "abcd-20261201T010000Z"


def test_a_grid_named_after_its_community_says_the_community_once() -> None:
    named = Grid("Q-X-01", "幸福社区第1网格", "Q-X", "幸福社区", "Q", "青禾街道")
    plain = Grid("T01-C01-G01", "一网格", "T01-C01", "试验社区", "T01", "试验街道")
    assert named.label == "青禾街道幸福社区第1网格"
    assert plain.label == "试验街道试验社区一网格"


def test_a_callers_words_stand_beside_the_write_up_only_when_they_differ() -> None:
    said, written = "喂你好，我们楼下路灯坏了，好谢谢", "楼下路灯损坏。"
    assert case_texts(written, said) == [("original", "群众原话", said), ("text", "诉求内容（坐席整理）", written)]
    assert case_texts(written, None) == [("text", "群众原话", written)]
    assert case_texts(written, written + " ") == [("text", "群众原话", written)]


@pytest.mark.parametrize(("hours", "label"), [
    (25 / 60, "约 25 分钟"), (0.001, "约 1 分钟"), (59.4 / 60, "约 59 分钟"), (59.6 / 60, "1.0 小时"),
    (2.0, "2.0 小时"), (48.0, "48.0 小时"), (60.0, "2.5 天"),
])
def test_durations_use_minutes_under_an_hour_and_days_beyond_two(hours: float, label: str) -> None:
    assert duration_label(hours) == label


@pytest.mark.parametrize("top", [1, 2, 5, 10, 20, 50, 100])
def test_a_count_axis_has_whole_ticks_only(top: int) -> None:
    assert all(value == int(value) for value in ticks(top, counts=True))
    assert ticks(top, counts=True)[0] == 0 and ticks(top, counts=True)[-1] == top


def test_a_rating_axis_keeps_its_half_tick() -> None:
    assert ticks(5) == [0, 2.5, 5]


def _tick_texts(svg: str) -> list[str]:
    return re.findall(r'text-anchor="end" fill="#666">([^<]*)</text>', svg)


def test_four_cases_draw_no_half_case_tick_but_ratings_do() -> None:
    bars = str(stacked_bars(["11-16起", "本周"], [("矛盾纠纷", [1, 3])], "诉求量"))
    assert _tick_texts(bars) == ["0", "1", "2", "3", "4", "5"]
    assert "2.5" in _tick_texts(str(line_chart(["a"], [4.0], "满意度", top=5)))


def test_the_last_period_is_labelled_even_when_labels_are_thinned() -> None:
    labels = [f"W{i}" for i in range(13)] + ["本周"]
    shown = re.findall(r'text-anchor="middle" fill="#666">([^<]*)</text>', str(stacked_bars(labels, [("a", [1] * 14)], "t")))
    assert shown[-1] == "本周" and len(shown) == 7


def _sources(*packages: str) -> dict[str, str]:
    return {str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
            for package in packages for path in sorted((ROOT / package).rglob("*.py"))}


def test_one_rule_each_for_channel_names_phone_and_name_masks_and_grid_names() -> None:
    code = _sources("bot", "flows", "handlers", "storage", "nlu")
    assert [p for p, s in code.items() if re.search(r'ChannelEntry\("web", "网页"|"网页"', s)] == ["bot/channels.py"]
    assert [p for p, s in code.items() if '"****"' in s] == ["handlers/phones.py"]  # wording.masked_phone wraps it
    assert [p for p, s in code.items() if re.search(r"def mask_(?:phone|name)", s)] == ["handlers/names.py",
                                                                                      "handlers/phones.py"]
    full_grid_name = re.compile(r"street\}\s*\{[^}]*community|street\}\s*/\s*\{[^}]*community")  # 街道+社区+网格
    assert [p for p, s in code.items() if full_grid_name.search(s)] == ["handlers/directory.py"]


def test_web_pages_do_not_import_the_terminals_rendering() -> None:
    assert [p for p, s in _sources("bot/web").items() if re.search(r"^\s*(?:from|import)\s+bot\.cli", s, re.M)] == []
