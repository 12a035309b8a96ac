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

    def wait(self, sender: str) -> float:
        """Seconds until the sender's next message would pass (0 if it would now); spends nothing."""
        bucket = self._buckets.get(sender)
        if bucket is None:
            return 0.0
        missing = 1 - (bucket.tokens + (self.clock() - bucket.updated) * self.rate)
        return round(missing / self.rate, 6) if missing > 1e-9 else 0.0  # to the microsecond: no 7.000000000000001

    def forget(self, sender: str) -> None:
        """Start the sender afresh with a full bucket."""
        self._buckets.pop(sender, None)


class LoginThrottle:
    """Failed staff logins, limited three ways; a success costs nothing.

    - One member from one address: `per_minute` failures after a burst of as many. This is the
      limit a mistyped or guessed password meets, and a success there starts it afresh.
    - One member from anywhere: twenty times that burst, refilled at the same rate, so one
      address, held by the first limit, can never empty it; only guessing spread over many
      addresses does, and is then held to one address's pace. It does not hold at an address
      the member has signed in from, so even then the member is not locked out.
    - One address for any name: ten times the first limit, against one machine trying many
      names. It too spares members who have signed in from that address before: colleagues
      behind a call centre's one address who type their right password are not locked out.
    """

    BACKSTOP_BURST, ADDRESS_FACTOR = 20, 10

    def __init__(
        self,
        per_minute: float,
        clock: Callable[[], float] = time.monotonic,
        remember_seconds: float = 30 * 86_400,
        max_known: int = 100_000,
    ) -> None:
        burst = max(1, int(per_minute))
        self.pairs = RateLimiter(per_minute, burst, clock=clock)
        self.users = RateLimiter(per_minute, burst * self.BACKSTOP_BURST, clock=clock)
        self.addresses = RateLimiter(per_minute * self.ADDRESS_FACTOR, burst * self.ADDRESS_FACTOR, clock=clock)
        self.clock, self.remember_seconds, self.max_known = clock, remember_seconds, max_known
        self._known: OrderedDict[str, float] = OrderedDict()  # "user address" -> last successful sign-in

    def wait(self, address: str, username: str) -> float:
        """Seconds until this member may try again from this address (0: now)."""
        user, pair = self._user(username), self._pair(address, username)
        waits = [self.pairs.wait(pair)]
        if not self._known_here(pair):
            waits += [self.users.wait(user), self.addresses.wait(address)]
        return max(waits)

    def failed(self, address: str, username: str) -> None:
        pair = self._pair(address, username)
        self.pairs.check(pair)
        if not self._known_here(pair):
            self.users.check(self._user(username))
            self.addresses.check(address)

    def succeeded(self, address: str, username: str) -> None:
        """Remember where the member signs in from, and forgive the failures before it at that address."""
        pair = self._pair(address, username)
        self.pairs.forget(pair)
        self._known.pop(pair, None)
        self._known[pair] = self.clock()
        if len(self._known) > self.max_known:
            self._known.popitem(last=False)

    def _known_here(self, pair: str) -> bool:
        seen = self._known.get(pair)
        return seen is not None and self.clock() - seen <= self.remember_seconds

    @staticmethod
    def _user(username: str) -> str:
        return username.strip().casefold()

    def _pair(self, address: str, username: str) -> str:
        return f"{self._user(username)} {address}"


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
