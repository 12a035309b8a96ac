"""Fault injection (issue 12): `minsheng serve` killed at random points of resident turns on the
web chat and Telegram, restarted, and the resends checked. Shared by
tests/integration/test_crash_faults.py and bench/faults.py."""
