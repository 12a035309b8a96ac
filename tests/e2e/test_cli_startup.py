"""`minsheng --help` and its kin start light: help and argument errors import no database, model,
chat or web stack, since each command loads those itself when it runs, and `minsheng serve` names a
bad setting before it loads them. The test suite starts the CLI dozens of times, and a clerk waits
on every start."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sqlalchemy", "alembic", "numpy", "jieba", "spacy", "sklearn", "cn2an", "aiogram", "uvicorn", "fastapi",
         "bot.bootstrap", "handlers.bus", "handlers.lifecycle", "handlers.casework")
# What `.venv/bin/minsheng` does, then the names of every module it imported, as the last line.
PROBE = """
import json, sys
from bot.cli.main import run
sys.argv = ["minsheng", *sys.argv[1:]]
try:
    run()
except SystemExit as exit:
    code = exit.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def start(*args: str) -> tuple[int, str, set[str]]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, env={**os.environ, "COLUMNS": "200"})
    *shown, last = done.stdout.splitlines()
    probe = json.loads(last)
    return probe["code"], "\n".join(shown) + done.stderr, set(probe["modules"])


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


@pytest.mark.parametrize(("args", "code", "shows"), [
    (["--help"], 0, "民声：基层治理诉求受理系统"),
    (["case", "--help"], 0, "查看和办理单个诉求"),
    (["case", "return", "--help"], 0, "退回理由"),
    (["nlu", "--help"], 0, "中文理解模型"),
    (["staff", "add", "--help"], 0, "网格员"),
    (["serve", "--help"], 0, "--no-telegram"),
    (["case", "show"], 2, "Missing argument"),
    (["case", "list", "--status", "nonsense"], 2, "Invalid value"),
])
def test_help_and_argument_errors_load_no_heavy_module(args: list[str], code: int, shows: str) -> None:
    exit_code, output, modules = start(*args)
    assert (exit_code, shows in output) == (code, True), output
    assert heavy(modules) == []


@pytest.mark.parametrize(("edit", "said"), [
    (("timeout_seconds = 10\n\n[rasa]", 'timeout_seconds = "soon"\n\n[rasa]'), "sms 部分的 timeout_seconds 应是大于 0 的秒数"),
    (('webhook_url = ""\ntoken_env = "MINSHENG_SMS_TOKEN"', 'webhook_url = "sms.example.cn"\ntoken_env = "X"'),
     "sms 部分的 webhook_url 应是短信网关的地址"),
    (('secure_cookies = "auto"', 'secure_cookies = "maybe"'), "[web] secure_cookies 只能是"),  # brackets shown as typed
    (('server_url = ""', 'server_url = "rasa.internal"'), "rasa 部分的 server_url 应是 Rasa 服务的地址"),
])
def test_serve_names_a_bad_setting_before_loading_anything_heavy(tmp_path: Path, edit: tuple[str, str],
                                                                 said: str) -> None:
    shipped = (ROOT / "config.toml").read_text(encoding="utf-8")
    assert edit[0] in shipped
    config = tmp_path / "config.toml"
    config.write_text(shipped.replace(edit[0], edit[1], 1), encoding="utf-8")
    exit_code, output, modules = start("--config", str(config), "serve", "--no-telegram")
    assert (exit_code, said in output, "Traceback" in output) == (2, True, False), output
    assert heavy(modules) == []
