"""Failed staff logins on a fake clock: tight per member and address, a loose backstop per member
that a stranger elsewhere cannot turn against them, and an address limit that spares colleagues."""

from bot.limits import LoginThrottle

OFFICE, ATTACKER = "10.0.0.1", "203.0.113.7"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def throttle() -> tuple[LoginThrottle, Clock]:
    clock = Clock()
    return LoginThrottle(5, clock=clock), clock


def fail(logins: LoginThrottle, address: str, username: str, times: int) -> int:
    """Wrong passwords as the login page lets them through: only when no wait is due. Returns how many got through."""
    tried = 0
    for _ in range(times):
        if logins.wait(address, username) == 0:
            logins.failed(address, username)
            tried += 1
    return tried


def test_five_wrong_passwords_then_one_try_every_twelve_seconds() -> None:
    logins, clock = throttle()
    fail(logins, OFFICE, "admin", 4)
    assert logins.wait(OFFICE, "admin") == 0
    logins.failed(OFFICE, "admin")
    assert logins.wait(OFFICE, "admin") == 12
    clock.now += 5
    assert logins.wait(OFFICE, "Admin ") == 7  # the same member however the name is typed
    clock.now += 7
    assert logins.wait(OFFICE, "admin") == 0


def test_a_success_forgives_the_failures_before_it() -> None:
    logins, _ = throttle()
    fail(logins, OFFICE, "admin", 4)
    logins.succeeded(OFFICE, "admin")
    fail(logins, OFFICE, "admin", 4)
    assert logins.wait(OFFICE, "admin") == 0


def test_a_stranger_elsewhere_cannot_lock_the_member_out() -> None:
    logins, clock = throttle()
    logins.succeeded(OFFICE, "admin")
    guesses = 0
    for _ in range(24 * 60):  # a day of guessing from one address, as fast as it is let
        guesses += fail(logins, ATTACKER, "admin", 10)
        clock.now += 60
    assert guesses == 24 * 60 * 5  # five a minute, never more
    assert logins.wait(OFFICE, "admin") == 0
    assert logins.wait("10.0.0.2", "admin") == 0  # one address's guesses never empty the backstop


def test_guessing_spread_over_many_addresses_meets_the_backstop() -> None:
    logins, clock = throttle()
    logins.succeeded(OFFICE, "admin")
    assert sum(fail(logins, f"198.51.100.{host}", "admin", 5) for host in range(30)) == 100
    fresh = "198.51.100.200"
    assert logins.wait(fresh, "admin") == 12  # from anywhere new, one address's pace
    clock.now += 12
    assert fail(logins, fresh, "admin", 5) == 1
    assert logins.wait("198.51.100.201", "admin") == 12
    assert logins.wait(OFFICE, "admin") == 0  # where the member signs in from, they still can


def test_a_shared_address_trying_many_names_spares_colleagues_who_signed_in_there() -> None:
    logins, _ = throttle()
    for name in ("li", "wang"):
        logins.succeeded(OFFICE, name)
    for n in range(50):
        logins.failed(OFFICE, f"guess{n}")
    assert logins.wait(OFFICE, "someone-new") > 0
    assert logins.wait(OFFICE, "li") == 0 and logins.wait(OFFICE, "wang") == 0
    assert logins.wait("10.0.0.9", "someone-new") == 0


def test_an_address_is_remembered_for_thirty_days() -> None:
    logins, clock = throttle()
    logins.succeeded(OFFICE, "li")
    clock.now += 31 * 86_400
    for n in range(50):
        fail(logins, OFFICE, f"guess{n}", 1)
    assert logins.wait(OFFICE, "li") > 0
