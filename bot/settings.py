"""config.toml → typed settings, with every mistake reported in one clear Chinese message."""

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from handlers.deadlines import Sla, parse_sla_table
from handlers.outbox import RetryPolicy
from handlers.privacy import RetentionPolicy
from handlers.routing import Rule, RoutingPolicy
from nlu.guide import GuideRules

DEFAULT_CONFIG = Path("config.toml")
CONFIG_ENV = "MINSHENG_CONFIG"
DATABASE_ENV = "MINSHENG_DATABASE_URL"


class ConfigError(Exception):
    pass


@dataclass(frozen=True)
class Settings:
    config_path: Path
    database_url: str
    timezone: str
    case_prefix: str
    data_dir: Path
    district_name: str
    district_code: str
    district_files: Mapping[str, Path]
    models_dir: Path
    spacy_textcat: bool
    routing: RoutingPolicy
    sla: Mapping[str, Sla]
    extra_holidays: tuple[date, ...]
    templates: Mapping[str, str]
    outbox_retry: RetryPolicy
    outbox_poll_seconds: float
    raw: Mapping[str, Any] = field(repr=False)
    category_guide: GuideRules = field(default_factory=GuideRules)  # [category]: the guide's borderlines
    privacy: RetentionPolicy = field(default_factory=RetentionPolicy)  # [privacy]: how long personal fields are kept

    def section(self, name: str) -> Mapping[str, Any]:
        """A channel's own section ([telegram], [web], …), read by that channel's adapter."""
        value = self.raw.get(name, {})
        return value if isinstance(value, Mapping) else {}


def load_settings(path: Path | str | None = None) -> Settings:
    config_path = Path(path or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG).resolve()
    try:
        raw = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"找不到配置文件 {config_path}（可用 --config 或 {CONFIG_ENV} 指定）") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"配置文件 {config_path} 格式错误：{exc}") from exc
    try:
        return _build(config_path, raw)
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"配置文件 {config_path} 有误：{_describe(exc)}") from exc


def _build(config_path: Path, raw: Mapping[str, Any]) -> Settings:
    base = config_path.parent
    app = raw.get("app", {})
    district = raw["district"]
    routing = raw["routing"]
    nlu = raw.get("nlu", {})
    outbox = raw.get("outbox", {})
    rules = tuple(Rule(**rule) for rule in routing["rules"])
    ladder = tuple(routing.get("ladder", ("grid", "community", "street", "district")))
    for rule in rules:
        if rule.level not in ladder:
            raise ValueError(f"分拨规则的层级 {rule.level!r} 不在 ladder {list(ladder)} 中")
    url = os.environ.get(DATABASE_ENV) or raw.get("database", {}).get("url") or "sqlite:///var/minsheng.db"
    return Settings(
        config_path=config_path,
        database_url=_resolve_sqlite_path(url, base),
        timezone=app.get("timezone", "Asia/Shanghai"),
        case_prefix=app.get("case_prefix", "MS"),
        data_dir=base / app.get("data_dir", "var"),
        district_name=district.get("name", ""),
        district_code=district.get("code", ""),
        district_files={k: base / district[k] for k in ("grids", "places", "departments")},
        models_dir=base / nlu.get("models_dir", "var/models"),
        spacy_textcat=_flag(nlu, "nlu", "spacy_textcat", False),
        routing=RoutingPolicy(
            rules=rules,
            dispatcher=routing["dispatcher"],
            review_threshold=float(nlu.get("review_threshold", 0.45)),
            ladder=ladder,
            street_windows=dict(routing.get("street_windows", {})),
        ),
        sla=parse_sla_table(raw["sla"]),
        extra_holidays=tuple(date.fromisoformat(d) for d in raw.get("calendar", {}).get("extra_holidays", [])),
        templates=dict(raw.get("templates", {})),
        outbox_retry=RetryPolicy(**{k: v for k, v in outbox.items() if k != "poll_seconds"}),
        outbox_poll_seconds=float(outbox.get("poll_seconds", 2)),
        raw=raw,
        category_guide=GuideRules.from_section(raw.get("category", {})),
        privacy=RetentionPolicy.from_section(raw.get("privacy", {})),
    )


def _flag(section: Mapping[str, Any], name: str, key: str, default: bool) -> bool:
    value = section.get(key, default)
    if not isinstance(value, bool):
        raise ValueError(f"[{name}] {key} 应为 true 或 false，而不是 {value!r}")
    return value


def timeout_seconds(section: Mapping[str, Any], name: str, default: float = 10) -> float:
    """A section's `timeout_seconds`: a number of seconds above 0 (TOML may give a bool or a string)."""
    timeout = section.get("timeout_seconds", default)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ValueError(f"{name} 部分的 timeout_seconds 应是大于 0 的秒数，而不是 {timeout!r}")
    return float(timeout)


def is_http_url(url: str, *, query: bool = False) -> bool:
    """An absolute http(s) address with a host; without `query`, also no query or fragment (an API
    base that paths are appended to)."""
    try:
        parts = urlsplit(url)
        return (parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
                and (query or not (parts.query or parts.fragment)))
    except ValueError:  # a port that is not a number, or out of range
        return False


def _resolve_sqlite_path(url: str, base: Path) -> str:
    """Relative SQLite paths are relative to config.toml, not to wherever the command runs."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        return prefix + str(base / url[len(prefix) :])
    return url


def _describe(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"缺少必填项 {exc.args[0]!r}"
    return str(exc)
