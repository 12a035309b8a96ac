"""Resident ids and admission on a fake clock: only signed ids count, one address gets a few new ids
an hour, new residents share one budget and established ones are never held by it."""

from dataclasses import replace
from pathlib import Path

import pytest

from bot.web.admission import (
    KNOWN_BEFORE_SIGNING,
    SECRET_ENV,
    Admission,
    AdmissionLimits,
    ResidentId,
    ResidentIds,
    unsigned_token,
    web_secret,
)
from bot.settings import ConfigError, load_settings
from bot.web.resident import user_ref_for
from tests.conftest import ROOT


class Clock:
    def __init__(self, now: float = 1_800_000_000) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def admission(clock: Clock, **limits: float) -> Admission:
    return Admission(ResidentIds(b"k" * 32, clock), AdmissionLimits(**limits), clock)  # type: ignore[arg-type]


def fresh(policy: Admission, issued: int | None = None) -> ResidentId:
    resident = policy.ids.read(policy.ids.issue(issued=issued))
    assert resident is not None
    return resident


def test_only_ids_the_server_signed_are_read() -> None:
    clock = Clock()
    ids = ResidentIds(b"k" * 32, clock)
    cookie = ids.issue()
    resident = ids.read(cookie)
    assert resident is not None and resident.issued == int(clock.now)
    assert cookie.startswith(resident.token + ".") and len(cookie) <= 128
    token, issued, signature = cookie.split(".")
    assert ids.read(f"{token}.{int(issued, 16) - 7200:x}.{signature}") is None  # backdated
    assert ids.read(f"{token[::-1]}.{issued}.{signature}") is None
    assert ids.read(token) is None  # a bare token is not an id
    assert ResidentIds(b"other key" * 4, clock).read(cookie) is None
    assert ids.read(None) is None and ids.read("x" * 200) is None


def test_an_old_token_signed_on_migration_keeps_its_user_ref_and_is_established() -> None:
    clock = Clock()
    old = "Xr3Qa9_-0123456789abcdefghijklmn"
    assert unsigned_token(old) == old and unsigned_token("a.b") is None and unsigned_token("short") is None
    policy = admission(clock)
    migrated = policy.ids.issue(old, KNOWN_BEFORE_SIGNING)
    assert user_ref_for(migrated) == user_ref_for(old)
    resident = policy.ids.read(migrated)
    assert resident == ResidentId(old, KNOWN_BEFORE_SIGNING) and not policy.is_new(resident)


def test_an_address_gets_a_few_new_ids_an_hour_and_others_are_not_held() -> None:
    clock = Clock()
    policy = admission(clock, new_residents_per_address=3)
    assert [policy.may_issue("10.0.0.1") for _ in range(4)] == [True, True, True, False]
    assert policy.may_issue("10.0.0.2")
    assert policy.issue_wait("10.0.0.1") == pytest.approx(20 * 60)  # three an hour: one every 20 minutes
    clock.now += 20 * 60
    assert policy.issue_wait("10.0.0.1") == 0 and policy.may_issue("10.0.0.1")
    assert not policy.may_issue("10.0.0.1")


def test_new_residents_share_one_budget_and_established_ones_are_never_starved() -> None:
    clock = Clock()
    policy = admission(clock, new_resident_minutes=60, new_resident_messages_per_minute=60)
    newcomers = [fresh(policy) for _ in range(3)]
    clock.now += 61 * 60
    regular = fresh(policy, issued=int(clock.now) - 61 * 60)
    flood = [fresh(policy) for _ in range(50)]
    assert [policy.admit(r) for r in flood[:7]] == [True] * 6 + [False]  # a tenth of a minute's worth at once
    assert all(policy.admit(regular) for _ in range(100))
    assert all(policy.admit(r) for r in newcomers)  # an hour old: established now
    clock.now += 1  # the budget refills: one message a second
    assert policy.admit(flood[7]) and not policy.admit(flood[8])


@pytest.mark.parametrize("value", [0, -1, True, "30"])
def test_limits_must_be_positive_numbers(value: object) -> None:
    with pytest.raises(ConfigError, match="new_residents_per_address"):
        AdmissionLimits.from_section({"new_residents_per_address": value})


def test_the_key_comes_from_the_environment_or_one_file_made_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = replace(load_settings(ROOT / "config.toml"), data_dir=tmp_path / "var")
    monkeypatch.delenv(SECRET_ENV, raising=False)
    first = web_secret(settings)
    assert len(first) >= 32 and web_secret(settings) == first  # a restart keeps accepting its ids
    assert (tmp_path / "var" / "web_secret").stat().st_mode & 0o077 == 0
    assert [p.name for p in (tmp_path / "var").iterdir()] == ["web_secret"]
    monkeypatch.setenv(SECRET_ENV, "shared by every host")
    assert web_secret(settings) == b"shared by every host"


def test_a_key_that_cannot_be_kept_is_a_config_error_in_chinese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "var").write_text("a file where the data directory should be")
    settings = replace(load_settings(ROOT / "config.toml"), data_dir=tmp_path / "var")
    monkeypatch.delenv(SECRET_ENV, raising=False)
    with pytest.raises(ConfigError, match=SECRET_ENV):
        web_secret(settings)
