"""`minsheng classify` and `minsheng nlu eval|models|activate|retrain` on a scratch database:
import a labelled archive as closed cases, retrain, classify, evaluate, roll back."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from nlu.registry import ModelRegistry
from tests.fixtures.nlu import tiny_examples

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """config.toml with the model registry in a scratch folder and absolute district paths."""
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    text = text.replace('models_dir = "var/models"', f'models_dir = "{tmp_path / "models"}"')
    text = text.replace('"sample_district/', f'"{ROOT / "sample_district"}/')
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def write_archive(path: Path, rows) -> Path:
    path.write_text("".join(json.dumps({"text": t, "category": c, "topic": p}, ensure_ascii=False) + "\n"
                            for t, c, p in rows), encoding="utf-8")
    return path


def test_import_retrain_classify_eval_and_roll_back(db_url: str, config: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MINSHENG_DATABASE_URL", db_url)
    cli, runner = app, CliRunner()

    def run(*args: str, **kw):  # type: ignore[no-untyped-def]
        result = runner.invoke(cli, ["--config", str(config), *args], **kw)
        assert result.exit_code == 0, result.output
        return result

    missing = runner.invoke(cli, ["--config", str(config), "classify", "-"], input="路灯坏了\n")
    assert missing.exit_code != 0 and "没有可用的 NLU 模型" in missing.output
    run("district", "load")
    rows = list(tiny_examples())
    run("cases", "import", str(write_archive(tmp_path / "archive.jsonl", rows[::2])), "--closed")

    first = run("nlu", "retrain")
    assert "直接启用" in first.output and "macro-F1" in first.output
    second = run("nlu", "retrain", "--force", "--seed", "1")
    registry = ModelRegistry(tmp_path / "models")
    first_version, second_version = [v.name for v in registry.list_versions()]
    assert registry.active_version() == second_version
    assert "★" in run("nlu", "models").output

    transcript = {"id": "call-7", "text": "坐席：您好，这里是12345热线\n市民：幸福路128号楼下饭店油烟太大了，熏得没法开窗"}
    stdin = "请问社保卡丢了怎么补办\n\n" + json.dumps(transcript, ensure_ascii=False) + "\n😀\n"
    out = run("classify", "-", input=stdin).stdout.strip().splitlines()
    records = [json.loads(line) for line in out]
    assert len(records) == 3
    assert records[0]["topic"] == "劳动和社会保障" and records[0]["department"]
    assert records[1]["id"] == "call-7" and records[1]["caller_text"].startswith("幸福路128号")
    assert records[1]["grid"]["grid_code"] == "QH01-C01-G02" and records[1]["topic"] == "环境保护"
    assert records[2]["topic_confidence"] < 0.3

    texts = [t for t, _, _ in rows[:40]]
    lines = [{"id": i, "text": texts[i % len(texts)]} for i in range(1_050)]  # more than one batch
    long_input = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    answers = [json.loads(line) for line in run("classify", "-", input=long_input).stdout.strip().splitlines()]
    assert [a["id"] for a in answers] == list(range(1_050))
    assert [a["topic"] for a in answers[:40]] == [a["topic"] for a in answers[1_000:1_040]]

    held = write_archive(tmp_path / "held.jsonl", rows[1::2][:60])
    report = json.loads(run("nlu", "eval", str(held), "--json", "--out", str(tmp_path)).stdout)
    assert report["topic"]["macro_f1"] > 0.5 and report["latency_ms"]["p99"] > 0
    assert Path(report["confusion_png"]["topic"]).read_bytes().startswith(b"\x89PNG")
    printed = run("nlu", "eval", str(held), "--out", str(tmp_path)).output
    assert "混淆矩阵" in printed and "p50" in printed

    assert first_version in run("nlu", "activate", first_version).output
    assert registry.active_version() == first_version
    unknown = runner.invoke(cli, ["--config", str(config), "nlu", "activate", "nope"])
    assert unknown.exit_code == 1 and "没有模型版本" in unknown.output
    assert second.exit_code == 0
