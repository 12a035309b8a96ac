"""Per-sender flood control and message size limits, shared by every channel.

A flooding sender is slowed down, never silently dropped: the first refused message in a
cool-down window gets a polite answer, later ones in the same window are only counted, so the
answer itself cannot become a flood.
"""

import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

TOO_FAST = "您发送得有点快，请稍等几秒再继续。您反映的每一件事我们都会认真处理。"
TOO_LONG = "您的消息太长了（最多 {limit} 字）。请精简一下，或者分几次发送。"


@dataclass(frozen=True)
class Limits:
    messages_per_minute: float = 20
    burst: int = 8
    max_message_chars: int = 2000
    notice_interval_seconds: float = 10
    login_attempts_per_minute: float = 5

    @classmethod
    def from_section(cls, section: Mapping[str, Any]) -> "Limits":
        known = {k: section[k] for k in cls.__dataclass_fields__ if k in section}
        return cls(**known)


@dataclass
class _Bucket:
    tokens: float
    updated: float
    noticed: float = float("-inf")


class RateLimiter:
    """Token buckets per sender, in memory (per process), bounded to the most recent senders."""

    def __init__(
        self,
        per_minute: float,
        burst: int,
        notice_interval: float = 10,
        max_senders: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = per_minute / 60
        self.burst = burst
        self.notice_interval = notice_interval
        self.max_senders = max_senders
        self.clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def check(self, sender: str) -> str:
        """'ok', 'refuse' (answer politely) or 'drop' (already answered in this cool-down window)."""
        now = self.clock()
        bucket = self._buckets.pop(sender, None) or _Bucket(float(self.burst), now)
        self._buckets[sender] = bucket
        if len(self._buckets) > self.max_senders:
            self._buckets.popitem(last=False)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return "ok"
        if now - bucket.noticed >= self.notice_interval:
            bucket.noticed = now
            return "refuse"
        return "drop"

    def allow(self, sender: str) -> bool:
        return self.check(sender) == "ok"

    def exhausted(self, sender: str) -> bool:
        """Would the next message be refused? Asks without spending a token."""
        bucket = self._buckets.get(sender)
        if bucket is None:
            return False
        return bucket.tokens + (self.clock() - bucket.updated) * self.rate < 1


class LoginThrottle:
    """Failed staff logins are limited per username and, more loosely, per address (a call
    centre shares one address); successful logins cost nothing."""

    def __init__(self, per_minute: float, clock: Callable[[], float] = time.monotonic) -> None:
        burst = max(1, int(per_minute))
        self.users = RateLimiter(per_minute, burst, clock=clock)
        self.addresses = RateLimiter(per_minute * 10, burst * 10, clock=clock)

    def blocked(self, address: str, username: str) -> bool:
        return self.users.exhausted(username) or self.addresses.exhausted(address)

    def failed(self, address: str, username: str) -> None:
        self.users.check(username)
        self.addresses.check(address)


class SenderGate:
    """What a channel asks before handing a message to the dialogue."""

    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.limiter = RateLimiter(limits.messages_per_minute, limits.burst, limits.notice_interval_seconds, clock=clock)

    def screen(self, sender: str, text: str = "") -> tuple[bool, str | None]:
        """(pass it on?, polite answer or None). Size is checked first: a long text costs no token."""
        if len(text) > self.limits.max_message_chars:
            return False, TOO_LONG.format(limit=self.limits.max_message_chars)
        verdict = self.limiter.check(sender)
        if verdict == "ok":
            return True, None
        return False, TOO_FAST if verdict == "refuse" else None
