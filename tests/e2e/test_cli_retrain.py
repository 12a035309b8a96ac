"""An administrator's retrain as they run it: a topic-only archive imported as closed cases and
`minsheng nlu retrain` keep category classification working, `nlu models` shows only figures
measured on real cases, and staff corrections are learned from and reported by `nlu eval`."""

import csv
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from nlu.seed import load_seed
from tests.fakes.model_archive import seed_model

ROOT = Path(__file__).resolve().parents[2]
MINSHENG = str(Path(sys.executable).with_name("minsheng"))
STREET_LIGHT = "小区门口的路灯坏了一个星期了，晚上很黑"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A fresh install whose shipped model is trained on a slice of the seed corpus (fast), with the
    same notes and seed-only evaluation as `ensure_model` gives the full one."""
    folder = tmp_path_factory.mktemp("retrain")
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    text = text.replace('models_dir = "var/models"', f'models_dir = "{folder / "models"}"')
    (folder / "config.toml").write_text(text.replace('"sample_district/', f'"{ROOT / "sample_district"}/'),
                                        encoding="utf-8")
    seed_model(folder / "models")
    environment = {**os.environ, "MINSHENG_DATABASE_URL": f"sqlite:///{folder / 'minsheng.db'}",
                   "MINSHENG_CONFIG": str(folder / "config.toml"), "MINSHENG_STAFF": "李调度", "COLUMNS": "250"}
    for args in (["db", "upgrade"], ["district", "load"]):
        subprocess.run([MINSHENG, *args], env=environment, cwd=ROOT, check=True, capture_output=True)
    return environment


def minsheng(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    result = subprocess.run([MINSHENG, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300,
                            input=stdin)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def versions(env: dict[str, str]) -> dict[str, dict[str, str]]:
    listed = json.loads(minsheng(env, "nlu", "models", "--format", "json"))
    return {row["version"]: row for row in listed}


def test_topic_only_archive_keeps_categories_and_figures_stay_honest(env: dict[str, str], tmp_path: Path) -> None:
    (seed_version, seed_row), = versions(env).items()
    assert seed_row["category_macro_f1"] == seed_row["topic_macro_f1"] == "尚无真实数据评估"
    assert seed_row["category_source"] == "种子语料训练"

    archive = tmp_path / "archive.csv"
    with archive.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "topic"])
        writer.writerows((text, topic) for text, _, topic in load_seed()[3::10])
    minsheng(env, "cases", "import", str(archive), "--closed")

    refused = minsheng(env, "nlu", "retrain", "--fresh")
    assert "新模型没有类别分类器（当前模型有），保留当前模型" in refused
    retrained = minsheng(env, "nlu", "retrain")
    assert f"类别分类器：沿用 {seed_version}" in retrained and "已启用" in retrained

    classified = json.loads(minsheng(env, "classify", "-", stdin=STREET_LIGHT + "\n"))
    assert classified["category"] == "service"

    rows = versions(env)
    assert len(rows) == 3
    new_version, new_row = next((v, r) for v, r in rows.items() if r["active"])
    assert new_row["category_source"] == f"沿用 {seed_version}"
    assert new_row["category_macro_f1"] == "尚无真实数据评估"  # the held-out cases carry no category
    assert new_row["topic_source"] == "本版训练" and new_row["topic_macro_f1"][0] in "01"
    assert rows[seed_version]["topic_macro_f1"][0] in "01"  # measured on the new held-out cases
    assert rows[seed_version]["category_macro_f1"] == "尚无真实数据评估"

    on_archive = json.loads(minsheng(env, "nlu", "eval", str(archive), "--json", "--out", str(tmp_path)))
    left_out = on_archive["left_out_as_trained"]["topic"]  # the rows the new topic classifier learned from
    assert left_out > 200 and on_archive["topic"]["n"] + left_out == len(load_seed()[3::10])


def test_staff_corrections_are_learned_from_and_reported(env: dict[str, str], tmp_path: Path) -> None:
    archive = tmp_path / "archive.csv"
    seeded = load_seed()[7::10]
    with archive.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "topic"])
        writer.writerows((text, topic) for text, _, topic in seeded[:60])
    minsheng(env, "cases", "import", str(archive), "--closed")
    with sqlite3.connect(env["MINSHENG_DATABASE_URL"].removeprefix("sqlite:///")) as db:
        numbers = dict(db.execute("SELECT text, number FROM cases"))
    for text, category, _ in seeded[:6]:
        minsheng(env, "case", "reclassify", numbers[text], "--category", category)

    report = minsheng(env, "nlu", "eval")
    assert "工作人员更正的诉求" in report and "（6 条）" in report
    as_json = json.loads(minsheng(env, "nlu", "eval", "--json"))
    assert as_json["corrected"]["staff"]["category"]["n"] == 6

    retrained = minsheng(env, "nlu", "retrain")
    assert "工作人员 6 条" in retrained and "训练时加权" in retrained
